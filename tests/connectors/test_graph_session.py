"""The Graph session against the Graph sandbox: app-only sign-in (secret, certificate), the token kept and
renewed, Exchange Online's limits per mailbox (4 in flight, Retry-After, the 10-minute budget), $batch,
and Graph's refusals as the engine's errors naming the Entra setting to change."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.connectors import exchange
from crmsync_gui.core.connectors import graph as graph_connector
from crmsync_gui.core.connectors._graph_session import Budget
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.core.sync.connector import connector_for
from crmsync_gui.core.sync.job import ServerBackingOff
from crmsync_gui.sandbox.graph.tokens import ALL_PERMISSIONS
from tests.connectors.graph_world import TENANT, graph_world


@pytest.fixture(autouse=True)
def _trust_only_the_profiles_ca(monkeypatch):
    """The sandbox's CA is trusted through the profile alone, never through the environment."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)


@pytest.fixture
def world(db, sandbox, graph):
    graph.clear_faults()
    return graph_world(sandbox, graph, "gsess")


def inbox(world):
    return world.session.call(world.job, "reading the inbox", "GET", world.session.user_url(world.job,
                                                                                          "mailFolders/inbox"))


def test_a_secret_signs_in_and_the_token_is_kept(world):
    async def twice():
        return [await inbox(world), await inbox(world)]

    first, second = world.run(twice())
    assert first["displayName"] == second["displayName"] == "Inbox"
    assert world.session.tokens_fetched == 1


def test_the_token_is_renewed_before_it_expires(world):
    world.run(inbox(world))
    start = world.session.clock()
    world.session.clock = lambda: start + 3599 - 299  # less than 5 minutes of its hour left
    world.run(inbox(world))
    assert world.session.tokens_fetched == 2


def test_a_token_graph_calls_expired_is_renewed_once(world, graph):
    world.run(inbox(world))
    graph.expire_tokens()
    assert world.run(inbox(world))["displayName"] == "Inbox"
    assert world.session.tokens_fetched == 2


def test_a_wrong_secret_names_where_entra_keeps_it(world):
    world.job.password = "not-the-secret"
    with pytest.raises(PermanentError) as refused:
        world.run(inbox(world))
    assert refused.value.code == "AppSignInFailed" and "invalid_client" in str(refused.value)
    assert "Certificates & secrets" in refused.value.action and "not-the-secret" not in str(refused.value)


def _certificate(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crmsync app")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    key_file = tmp_path / "app-key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert, key_file


def test_a_certificate_signs_in_and_only_its_key_files_path_is_stored(db, sandbox, graph, tmp_path):
    cert, key_file = _certificate(tmp_path)
    graph.add_app("cert-app", tenant=TENANT, certificate_pem=cert.public_bytes(serialization.Encoding.PEM))
    world = graph_world(sandbox, graph, "gcert", password=None, username="cert-app",
                        certificate_thumbprint=cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 (Entra's thumbprint)
                        private_key_file=str(key_file))
    assert world.run(inbox(world))["displayName"] == "Inbox"
    row = EmailServerProfile.select().where(EmailServerProfile.id == world.mailbox.profile_id).dicts().get()
    assert row["private_key_file"] == str(key_file) and row["secret_ref"] is None
    assert not any("PRIVATE KEY" in str(value) for value in row.values())


def test_an_unreadable_key_file_is_a_configuration_error(db, sandbox, graph, tmp_path):
    world = graph_world(sandbox, graph, "gkey", password=None, certificate_thumbprint="ab" * 20,
                        private_key_file=str(tmp_path / "missing.pem"))
    with pytest.raises(PermanentError) as refused:
        world.run(inbox(world))
    assert refused.value.code == "BadConfiguration" and "missing.pem" in str(refused.value)


def test_test_connection_names_each_missing_permission(db, sandbox, graph):
    graph.add_app("narrow-app", "narrow-secret", tenant=TENANT,
                  permissions=ALL_PERMISSIONS - {"Mail.Send", "Tasks.ReadWrite.All", "Contacts.ReadWrite"})
    world = graph_world(sandbox, graph, "gperm", password="narrow-secret", username="narrow-app")
    world.run(world.connector.test(world.job, codes.Direction.INCOMING))
    for direction, names in ((codes.Direction.OUTGOING, "permission Mail.Send for"),
                             (codes.Direction.ACT, "permissions Contacts.ReadWrite, Tasks.ReadWrite.All for")):
        with pytest.raises(PermanentError) as missing:
            world.run(world.connector.test(world.job, direction))
        assert missing.value.code == "PermissionMissing" and names in str(missing.value)
        assert "API permissions" in missing.value.action and "Grant admin consent" in missing.value.action
    assert graph.requests_by_operation(world.address)["send_mail"] == 0  # the probe reached no handler...


def test_the_mail_send_probe_sends_nothing(world, graph):
    world.run(world.connector.test(world.job, codes.Direction.OUTGOING))
    assert graph.requests_by_operation(world.address)["send_mail"] == 1  # ...here it did, and was refused
    assert world.sandbox.items(world.address, "sentitems") == []


def test_an_unknown_mailbox_is_not_enabled_with_the_licence_to_check(world):
    world.job.mailbox.email = "nobody@sandbox.test"
    with pytest.raises(PermanentError) as refused:
        world.run(inbox(world))
    assert refused.value.code == "MailboxNotEnabled" and "Exchange Online license" in refused.value.action


def test_never_more_than_four_requests_in_flight_per_mailbox(world, graph):
    graph.inject("delay", mailbox=world.address, operation="get_folder", seconds=0.05)

    async def many():
        return await asyncio.gather(*(inbox(world) for _ in range(12)))

    assert len(world.run(many())) == 12
    assert graph.peak_concurrent(world.address) == 4 and graph.throttled(world.address) == 0


def test_retry_after_is_waited_out_as_a_back_off_not_a_failure(world, graph):
    graph.inject("busy", mailbox=world.address, operation="get_folder", times=1, back_off_ms=1000)
    assert world.run(inbox(world))["displayName"] == "Inbox"
    assert world.session.waited_s[world.address] == 1.0
    assert graph.requests_by_operation(world.address)["get_folder"] == 2


def test_a_long_retry_after_ends_the_job_as_the_servers_pause(world, graph):
    graph.inject("busy", mailbox=world.address, operation="get_folder", times=1, back_off_ms=120_000)
    with pytest.raises(ServerBackingOff) as paused:
        world.run(inbox(world))
    assert paused.value.retry_after_s == 120


def test_batch_sends_twenty_at_most_and_runs_four_at_once(world, graph):
    graph.inject("delay", mailbox=world.address, operation="get_folder", seconds=0.02)
    url = world.session.user_url(world.job, "mailFolders/inbox")
    answers = world.run(world.session.batch(world.job, "reading folders", [{"method": "GET", "url": url}] * 30))
    assert [a["status"] for a in answers] == [200] * 30 and answers[29]["body"]["displayName"] == "Inbox"
    assert graph.requests_by_operation(world.address)["get_folder"] == 30
    assert graph.peak_concurrent(world.address) == 4 and graph.throttled(world.address) == 0
    assert world.session.budget_used(world.address) == 30


def test_the_budget_is_never_overdrawn():
    now = [0.0]
    budget = Budget(limit=3, window_s=600, clock=lambda: now[0])
    assert budget.spend(2) == 0 and budget.used() == 2
    now[0] = 100
    assert budget.spend(2) == 500  # the first two leave the window at 600
    assert budget.spend(1) == 0 and budget.used() == 3
    now[0] = 600
    assert budget.used() == 1 and budget.spend(2) == 0


def test_the_protocol_chooses_the_connector(db, graph):
    ews = admin.save_profile({"name": "On premises", "incoming_server": "https://mail.contoso.test/EWS/Exchange.asmx"})
    online = admin.save_profile({"name": "Online", "server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID,
                                 "auth_type": codes.AuthType.OAUTH, "username": "app", "oauth_tenant": TENANT})
    assert (ews.protocol, online.protocol) == (codes.ExchangeProtocol.EWS, codes.ExchangeProtocol.GRAPH)
    assert isinstance(connector_for(ews).connector, exchange.ExchangeConnector)
    assert isinstance(connector_for(online).connector, graph_connector.GraphConnector)


def test_the_budget_used_is_shown_and_a_spent_budget_pauses_the_mailbox(world, graph):
    world.session.budgets[world.address] = Budget(limit=2)

    async def three():
        await inbox(world)
        await inbox(world)
        await inbox(world)

    with pytest.raises(ServerBackingOff) as paused:
        world.run(three())
    assert paused.value.code == "GraphBudgetSpent" and "budget of 10,000 requests in 10 minutes" in str(paused.value)
    assert graph.requests_by_operation(world.address)["get_folder"] == 2  # the third never left
    shown = [e for e in world.job.events if isinstance(e, events.RequestBudget)]
    assert (shown[0].used, shown[0].limit, shown[-1].used) == (1, 2, 2)


def test_a_new_session_counts_the_budget_the_last_job_stored(world, graph):
    """After a restart the session still counts what Graph counts: the stored figure, until it leaves the window."""
    counted = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=9)
    world.job.mailbox.request_budget_used, world.job.mailbox.request_budget_at = 9_999, counted

    async def two():
        await inbox(world)
        await inbox(world)

    with pytest.raises(ServerBackingOff) as paused:
        world.run(two())
    assert paused.value.code == "GraphBudgetSpent" and 55 <= paused.value.retry_after_s <= 60  # its minute left
    assert graph.requests_by_operation(world.address)["get_folder"] == 1
    stale = Budget()
    stale.carry(type("Row", (), {"request_budget_used": 9_999, "request_budget_at": counted - dt.timedelta(minutes=2)}))
    assert stale.used() == 0  # counted more than 10 minutes ago: nothing left in the window


def test_the_sandboxs_own_throttling_is_waited_out(db, sandbox, graph):
    """Two profiles with one app on one mailbox may send 8 at once; Exchange Online answers the 5th with 429
    and Retry-After, which each session waits out, so every request succeeds."""
    first = graph_world(sandbox, graph, "gthr")
    second_profile = admin.save_profile({"name": "Graph twin"} | {
        k: getattr(first.job.profile, k) for k in ("server_type", "protocol", "auth_type", "username",
                                                   "oauth_tenant", "oauth_authority", "graph_url", "trusted_ca_file")})
    twin = graph_connector.GraphConnector(second_profile)
    graph.inject("delay", mailbox=first.address, operation="get_folder", seconds=0.1)

    async def both():
        calls = [inbox(first) for _ in range(6)] + [
            twin.session.call(first.job, "reading the inbox", "GET", twin.session.user_url(first.job,
                                                                                         "mailFolders/inbox"))
            for _ in range(6)]
        try:
            return await asyncio.gather(*calls)
        finally:
            await twin.close()

    assert [r["displayName"] for r in first.run(both())] == ["Inbox"] * 12
    assert graph.throttled(first.address) > 0 and graph.peak_concurrent(first.address) == 4
    assert first.session.waited_s[first.address] + twin.session.waited_s[first.address] >= 1


def test_a_batch_of_many_is_sent_in_full(world, graph):
    url = world.session.user_url(world.job, "mailFolders/inbox")
    answers = world.run(world.session.batch(world.job, "reading folders", [{"method": "GET", "url": url}] * 510))
    assert len(answers) == 510 and {a["status"] for a in answers} == {200}
    assert graph.requests_by_operation(world.address)["get_folder"] == 510


def test_a_server_the_profile_does_not_trust_is_refused(db, sandbox, graph):
    world = graph_world(sandbox, graph, "gtls", trusted_ca_file=None)  # the system's CAs only
    with pytest.raises(PermanentError) as refused:
        world.run(inbox(world))
    assert refused.value.code == "CertificateInvalid"
