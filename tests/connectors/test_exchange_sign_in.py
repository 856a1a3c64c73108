"""Signing in to Exchange other than with Basic: NTLM and Negotiate (Windows authentication), and OAuth 2.0
(client credentials, as Exchange Online apps sign in) against the sandbox's token endpoint.

exchangelib fetches an OAuth token itself over HTTPS, verified with the profile's trusted CA file like EWS.
"""
import asyncio
import itertools
import logging
import time

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import exchange
from crmsync_gui.core.errors import PermanentError, ValidationError
from crmsync_gui.core.store.models import Activity
from crmsync_gui.core.sync import incoming
from crmsync_gui.sandbox import SandboxServer
from tests.connectors.exchange_world import Job, exchange_world

_apps = itertools.count(1)
SECRET = "app-Secret~42"


@pytest.fixture
def app(db, sandbox):
    """Ann's mailbox on a profile that signs in as an OAuth app allowed to act for every mailbox."""
    n = next(_apps)
    token_url = sandbox.add_app(f"client-{n}", SECRET, tenant=f"tenant{n}.test")
    world = exchange_world(sandbox, "app", password=SECRET, mailbox_password="not-used",
                           tracking_option=codes.TrackingOption.ALL, auth_type=codes.AuthType.OAUTH,
                           oauth_tenant=token_url, username=f"client-{n}")
    yield world
    world.close()


def test_an_app_signs_in_with_a_token_and_reuses_it(app):
    issued = app.sandbox.oauth.issued
    app.sandbox.add_message(app.address, subject="Hello", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", app.address)])
    asyncio.run(app.connector.test(app.job, codes.Direction.INCOMING))
    assert asyncio.run(incoming.run(app.job, app.connector)) == 1
    assert Activity.get().subject == "Hello"
    assert asyncio.run(incoming.run(app.job, app.connector)) == 0
    assert app.sandbox.oauth.issued == issued + 1  # one token for every request while it lasts


def test_an_expired_token_is_replaced(app):
    app.sandbox.oauth.lifetime_s = 1.5
    try:
        asyncio.run(app.connector.test(app.job, codes.Direction.INCOMING))
        issued = app.sandbox.oauth.issued
        time.sleep(2)
        app.sandbox.add_message(app.address, subject="Later", sender=("Bo", "bo@fabrikam.com"),
                                to=[("Ann", app.address)])
        assert asyncio.run(incoming.run(app.job, app.connector)) == 1
        assert app.sandbox.oauth.issued > issued
    finally:
        app.sandbox.oauth.lifetime_s = 3600.0


def test_a_wrong_client_secret_is_permanent_says_what_to_check_and_is_never_echoed(app, caplog):
    caplog.set_level(logging.DEBUG)
    app.job.password = "wrong-Secret-77"
    with pytest.raises(PermanentError) as caught:
        asyncio.run(app.connector.test(app.job, codes.Direction.INCOMING))
    assert caught.value.code == "AuthenticationFailed"
    assert "invalid_client" in str(caught.value) and "client secret" in caught.value.action
    assert "wrong-Secret-77" not in str(caught.value) and "wrong-Secret-77" not in caplog.text


def test_a_profile_without_its_tenant_is_refused_before_any_request(app):
    with pytest.raises(ValidationError, match="tenant ID or domain"):  # the editor refuses it...
        admin.save_profile({"oauth_tenant": ""}, profile=app.job.profile)
    app.job.profile.oauth_tenant = ""  # ...and the connector too, should a profile lack it anyway
    issued = app.sandbox.oauth.issued
    with pytest.raises(PermanentError) as caught:
        asyncio.run(exchange.ExchangeConnector(app.job.profile).test(app.job, codes.Direction.INCOMING))
    assert caught.value.code == "BadConfiguration" and "tenant" in str(caught.value)
    assert app.sandbox.oauth.issued == issued


@pytest.fixture(scope="module", params=["ntlm", "negotiate"])
def windows_sandbox(request):
    with SandboxServer(**{request.param: True}) as server:
        yield server


@pytest.mark.parametrize("auth", [codes.AuthType.NTLM, codes.AuthType.NEGOTIATE])
def test_windows_authentication_signs_in_whichever_scheme_the_server_offers(db, windows_sandbox, auth):
    world = exchange_world(windows_sandbox, "win", password="win-Pw1", tracking_option=codes.TrackingOption.ALL,
                           auth_type=auth)
    windows_sandbox.add_message(world.address, subject="Over Windows sign-in", sender=("Bo", "bo@fabrikam.com"),
                                to=[("Ann", world.address)])
    mailbox, profile, connector = world.mailbox, world.job.profile, world.connector
    try:
        assert asyncio.run(incoming.run(Job(mailbox, profile, "win-Pw1"), connector)) == 1
        with pytest.raises(PermanentError) as caught:
            asyncio.run(exchange.ExchangeConnector(profile).test(Job(mailbox, profile, "wrong-Pw2"),
                                                                 codes.Direction.INCOMING))
        assert caught.value.code == "AuthenticationFailed" and "wrong-Pw2" not in str(caught.value)
    finally:
        world.close()


def test_access_tokens_never_reach_a_log_at_any_level(app, caplog):
    caplog.set_level(logging.DEBUG)  # every library's debug lines: exchangelib dumps requests and replies
    app.sandbox.add_message(app.address, subject="Hello", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", app.address)])
    asyncio.run(app.connector.test(app.job, codes.Direction.INCOMING))
    assert asyncio.run(incoming.run(app.job, app.connector)) == 1
    tokens = app.sandbox.oauth.tokens()
    assert tokens and len(caplog.records) > 10
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert not [t for t in tokens if t in logged]
