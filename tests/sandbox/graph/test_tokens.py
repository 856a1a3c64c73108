"""The Graph sandbox's token endpoint answers as Entra does (secret and certificate, msal included), and Graph
refuses missing, unknown and expired tokens and apps without the application permission."""
from __future__ import annotations

import datetime as dt

import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from crmsync_gui.sandbox.graph import SCOPE, GraphServer

from .conftest import CLIENT_ID, SECRET, TENANT, GraphClient, request_token


@pytest.fixture(autouse=True)
def _trust_only_the_sandbox_ca(monkeypatch):
    """msal's requests session would take REQUESTS_CA_BUNDLE from the environment over its verify= file."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def _certificate() -> tuple[str, bytes, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crmsync graph app")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return pem, cert.public_bytes(serialization.Encoding.PEM), cert


def _msal(graph, credential, client_id=CLIENT_ID):
    return msal.ConfidentialClientApplication(client_id, client_credential=credential,
                                              authority=f"{graph.url}/{TENANT}", instance_discovery=False,
                                              verify=graph.ca_file)


def test_client_credentials_with_a_secret_give_an_expiring_bearer_token(graph):
    reply = request_token(graph)
    body = reply.json()
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert body["token_type"] == "Bearer" and 3000 < body["expires_in"] < 3600 and body["access_token"]


@pytest.mark.parametrize(("tenant", "form", "status", "error", "aadsts"), [
    (TENANT, {"client_secret": "wrong"}, 401, "invalid_client", 7000215),
    (TENANT, {"client_id": "99999999-0000-0000-0000-000000000000"}, 400, "unauthorized_client", 700016),
    (TENANT, {"client_secret": ""}, 401, "invalid_client", 7000218),
    (TENANT, {"scope": "https://graph.microsoft.com/Mail.Read"}, 400, "invalid_scope", 1002012),
    (TENANT, {"grant_type": "password"}, 400, "unsupported_grant_type", 70003),
    ("fabrikam.test", {}, 400, "invalid_request", 90002),
])
def test_token_refusals_are_entras(graph, tenant, form, status, error, aadsts):
    reply = request_token(graph, tenant, **form)
    body = reply.json()
    assert (reply.status_code, body["error"], body["error_codes"]) == (status, error, [aadsts])
    assert body["error_description"].startswith(f"AADSTS{aadsts}:")
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= set(body)


def test_msal_signs_in_with_a_secret_and_is_refused_a_wrong_one(graph, graph_schema, user):
    result = _msal(graph, SECRET).acquire_token_for_client(scopes=[SCOPE])
    assert "access_token" in result, result
    app = GraphClient(graph, graph_schema, result["access_token"])
    assert app.get(f"/users/{user}", "graph.user").json()["mail"] == user
    refused = _msal(graph, "wrong").acquire_token_for_client(scopes=[SCOPE])
    assert refused["error"] == "invalid_client" and 7000215 in refused["error_codes"]


@pytest.mark.parametrize("names_it_by", ["thumbprint", "public_certificate"])
def test_msal_signs_in_with_a_certificate(graph, graph_schema, user, names_it_by):
    """msal signs an RFC 7523 assertion: RS256 naming the SHA-1 thumbprint (x5t), or, given the certificate,
    PS256 naming its SHA-256 thumbprint (x5t#S256)."""
    key, cert_pem, cert = _certificate()
    graph.add_app("cert-app", tenant=TENANT, certificate_pem=cert_pem)
    credential = {"private_key": key, "thumbprint": cert.fingerprint(hashes.SHA1()).hex()} \
        if names_it_by == "thumbprint" else {"private_key": key, "public_certificate": cert_pem.decode()}  # noqa: S303
    result = _msal(graph, credential, "cert-app").acquire_token_for_client(scopes=[SCOPE])
    assert "access_token" in result, result
    assert GraphClient(graph, graph_schema, result["access_token"]).get(f"/users/{user}", "graph.user").ok


def test_an_assertion_signed_by_another_key_is_refused(graph):
    _key, cert_pem, cert = _certificate()
    other_key, _pem, _cert = _certificate()
    graph.add_app("cert-app", tenant=TENANT, certificate_pem=cert_pem)
    credential = {"private_key": other_key, "thumbprint": cert.fingerprint(hashes.SHA1()).hex()}  # noqa: S303
    refused = _msal(graph, credential, "cert-app").acquire_token_for_client(scopes=[SCOPE])
    assert refused["error"] == "invalid_client" and refused["error_codes"] == [700027]


def test_graph_refuses_requests_without_a_valid_token(graph, graph_schema, user):
    for token, message in ((None, "Access token is empty."), ("made-up", "Access token validation failure.")):
        reply = GraphClient(graph, graph_schema, token).get(f"/users/{user}/mailFolders/inbox/messages")
        assert reply.status_code == 401 and reply.headers["WWW-Authenticate"].startswith("Bearer")
        assert reply.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert reply.json()["error"]["message"] == message


def test_an_expired_token_is_refused_as_expired_and_a_new_one_works(graph, client, user):
    assert client.get(f"/users/{user}", "graph.user").status_code == 200
    graph.expire_tokens()
    reply = client.get(f"/users/{user}")
    assert reply.status_code == 401
    assert (reply.json()["error"]["code"], reply.json()["error"]["message"]) == (
        "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
    client.token = request_token(graph).json()["access_token"]
    assert client.get(f"/users/{user}", "graph.user").status_code == 200


def test_tokens_expire_after_their_lifetime(sandbox, graph_schema, user):
    with GraphServer(sandbox.store, token_lifetime_s=0) as graph:  # every token it issues has expired
        graph.add_app(CLIENT_ID, SECRET, tenant=TENANT)
        token = request_token(graph).json()["access_token"]
        reply = GraphClient(graph, graph_schema, token).get(f"/users/{user}")
    assert reply.status_code == 401 and "expired" in reply.json()["error"]["message"]


def test_an_app_without_the_permission_is_denied(graph, graph_schema, user):
    graph.add_app("reader", "pw", tenant=TENANT, permissions={"User.Read.All"})
    token = request_token(graph, client_id="reader", client_secret="pw").json()["access_token"]
    app = GraphClient(graph, graph_schema, token)
    assert app.get(f"/users/{user}", "graph.user").status_code == 200
    reply = app.get(f"/users/{user}/mailFolders/inbox/messages")
    assert reply.status_code == 403 and reply.json()["error"]["code"] == "ErrorAccessDenied"


def test_beside_an_ews_sandbox_one_identity_platform_serves_both_audiences(sandbox, graph_schema, user):
    """As Entra issues an app tokens for Exchange (EWS) and for Graph: the scope says which, and each service
    accepts only its own."""
    from crmsync_gui.sandbox.oauth import SCOPE as EWS_SCOPE

    with GraphServer.beside(sandbox) as server:
        server.add_app("both-app", "both-secret", tenant="both.test")
        tokens = {scope: request_token(server, "both.test", client_id="both-app", client_secret="both-secret",
                                       scope=scope).json()["access_token"] for scope in (SCOPE, EWS_SCOPE)}
        assert GraphClient(server, graph_schema, tokens[SCOPE]).get(f"/users/{user}", "graph.user").status_code == 200
        assert GraphClient(server, graph_schema, tokens[EWS_SCOPE]).get(f"/users/{user}").status_code == 401
        assert sandbox.oauth.app_of(tokens[EWS_SCOPE]) == "both-app"
        assert sandbox.oauth.app_of(tokens[SCOPE]) is None
