"""Exchange connector rules that need no server: error mapping, endpoint checks, secrets kept out of text."""
import logging
from types import SimpleNamespace

import pytest
import requests
from exchangelib import errors as ews

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import exchange
from crmsync_gui.core.connectors._ews_errors import map_error
from crmsync_gui.core.connectors._ews_session import _settings, service_endpoint
from crmsync_gui.core.errors import PermanentError, TransientError


def profile(**fields):
    base = dict(name="Contoso", incoming_server="https://127.0.0.1:8443/EWS/Exchange.asmx", incoming_use_ssl=True,
                auth_type=codes.AuthType.BASIC, trusted_ca_file=None, max_concurrent_connections=10,
                username=None, oauth_tenant=None, oauth_authority=None)
    base.update(fields)
    return SimpleNamespace(**base)


@pytest.mark.parametrize("error, kind, code", [
    (ews.ErrorServerBusy("busy", back_off=2.5), TransientError, "ErrorServerBusy"),
    (ews.UnauthorizedError("Invalid credentials"), PermanentError, "AuthenticationFailed"),
    (ews.ErrorNonExistentMailbox("no such"), PermanentError, "MailboxNotFound"),
    (ews.ErrorImpersonateUserDenied("no"), PermanentError, "AccessDenied"),
    (ews.ErrorMailboxStoreUnavailable("down"), TransientError, "StoreUnavailable"),
    (ews.ErrorInternalServerTransientError("x"), TransientError, "ServerError"),
    (ews.ErrorTimeoutExpired("Reraised from ReadTimeout(...)"), TransientError, "Timeout"),
    (requests.exceptions.ConnectionError("refused"), TransientError, "ConnectionFailed"),
    # what exchangelib raises when nothing listens at the server location (its version guess fails)
    (ews.TransportError("No valid version headers found in response (ErrorTimeoutExpired('Reraised from "
                        "ConnectionError(... Failed to establish a new connection: [Errno 111] Connection "
                        "refused\\'))'))"), TransientError, "ConnectionFailed"),
    (ews.ErrorItemNotFound("gone"), TransientError, "EwsItemNotFound"),  # unknown here: retried, then permanent
])
def test_every_exchangelib_error_maps_to_the_taxonomy(error, kind, code):
    mapped = map_error(error, "syncing the inbox")
    assert type(mapped) is kind and mapped.code == code and "syncing the inbox" in str(mapped)


def test_server_busy_passes_the_back_off_through_even_zero():
    assert map_error(ews.ErrorServerBusy("busy", back_off=2.5), "x").retry_after_s == 2.5
    assert map_error(ews.ErrorServerBusy("busy", back_off=0), "x").retry_after_s == 0


def test_tls_failure_is_a_certificate_error():
    try:
        try:
            raise requests.exceptions.SSLError("certificate verify failed: self-signed certificate")
        except requests.exceptions.SSLError as e:
            raise ews.TransportError(str(e))  # noqa: B904 (what exchangelib does)
    except ews.TransportError as wrapped:
        mapped = map_error(wrapped, "connecting")
    assert isinstance(mapped, PermanentError) and mapped.code == "CertificateInvalid"


def test_a_bug_is_not_disguised_as_a_server_error():
    with pytest.raises(KeyError):
        map_error(KeyError("oops"), "x")


def test_password_never_in_the_message():
    mapped = map_error(ews.UnauthorizedError("login s3cr3t-pw failed"), "signing in", "s3cr3t-pw")
    assert "s3cr3t-pw" not in str(mapped) and "[redacted]" in str(mapped)


def test_exchangelib_debug_logs_lose_the_authorization_header(caplog):
    caplog.set_level(logging.DEBUG, logger="exchangelib.util")
    logging.getLogger("exchangelib.util").debug("Request headers: %s",
                                                {"Authorization": "Basic YW5uOnNlY3JldA==", "X": "1"})
    assert "YW5uOnNlY3JldA" not in caplog.text and "[redacted]" in caplog.text


@pytest.mark.parametrize("server, ssl, expected", [
    ("https://mail.contoso.com/EWS/Exchange.asmx", True, "https://mail.contoso.com/EWS/Exchange.asmx"),
    ("mail.contoso.com", True, "https://mail.contoso.com/EWS/Exchange.asmx"),
    ("mail.contoso.com:8080/", False, "http://mail.contoso.com:8080/EWS/Exchange.asmx"),
])
def test_service_endpoint(server, ssl, expected):
    assert service_endpoint(profile(incoming_server=server, incoming_use_ssl=ssl)) == expected


def test_endpoint_contradicting_use_ssl_is_refused():
    with pytest.raises(PermanentError, match="Use SSL is on"):
        service_endpoint(profile(incoming_server="http://mail.contoso.com/EWS/Exchange.asmx"))


def test_missing_ca_file_and_oauth_are_configuration_errors(tmp_path):
    with pytest.raises(PermanentError, match="does not exist"):
        _settings(profile(trusted_ca_file=str(tmp_path / "none.pem")), 30)
    with pytest.raises(PermanentError, match="uses OAuth but lacks its tenant"):
        _settings(profile(auth_type=codes.AuthType.OAUTH, username="app-id"), 30)
    settings = _settings(profile(auth_type=codes.AuthType.OAUTH, username="app-id", oauth_tenant="t.test"), 30)
    assert settings.oauth_tenant == "t.test"


def test_the_oauth_token_request_loses_the_client_secret_in_debug_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="requests_oauthlib.oauth2_session")
    logging.getLogger("requests_oauthlib.oauth2_session").debug(
        "Request body was %s", "grant_type=client_credentials&client_id=app&client_secret=a%2Bb%2Fc&scope=x")
    assert "a%2Bb%2Fc" not in caplog.text and "client_secret=[redacted]&scope" in caplog.text


def test_registered_for_the_exchange_server_types():
    from crmsync_gui.core.sync.connector import connector_for
    for server_type in (codes.ServerType.EXCHANGE, codes.ServerType.EXCHANGE_HYBRID):
        profile = SimpleNamespace(server_type=server_type, protocol=codes.ExchangeProtocol.EWS, id=1,
                                  max_concurrent_connections=2)
        assert isinstance(connector_for(profile).connector,
                          exchange.ExchangeConnector)
