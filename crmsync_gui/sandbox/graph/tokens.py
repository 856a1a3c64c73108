"""The Microsoft identity platform's token endpoint for app-only Graph access (client credentials grant).

An app signs in with a client secret or with a certificate: a JWT client assertion (RFC 7523) signed with
the certificate's key, naming it by thumbprint (x5t: SHA-1 with RS256; x5t#S256: SHA-256 with PS256, as
msal sends them). Tokens are opaque here, expire after `lifetime_s`, and carry the app's application
permissions (roles). Errors are Entra's: {"error", "error_description", "error_codes", ...}, AADSTS codes.
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SCOPE = "https://graph.microsoft.com/.default"
TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"
DISCOVERY_PATH = "/{tenant}/v2.0/.well-known/openid-configuration"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALL_PERMISSIONS = frozenset({"User.Read.All", "Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite",
                             "Contacts.ReadWrite", "Tasks.ReadWrite.All"})


class TokenRefused(Exception):
    def __init__(self, status: int, error: str, aadsts: int, description: str):
        super().__init__(description)
        self.status, self.error, self.aadsts, self.description = status, error, aadsts, description

    def body(self) -> dict:
        now = datetime.now(UTC)
        trace, correlation = uuid.uuid4(), uuid.uuid4()
        return {"error": self.error, "error_description": f"AADSTS{self.aadsts}: {self.description} Trace ID: "
                f"{trace} Correlation ID: {correlation} Timestamp: {now:%Y-%m-%d %H:%M:%S}Z",
                "error_codes": [self.aadsts], "timestamp": f"{now:%Y-%m-%d %H:%M:%S}Z", "trace_id": str(trace),
                "correlation_id": str(correlation),
                "error_uri": f"https://login.microsoftonline.com/error?code={self.aadsts}"}


@dataclass
class App:
    tenant: str
    client_id: str
    secret: str | None
    permissions: frozenset[str]
    certificates: dict[str, x509.Certificate] = field(default_factory=dict)  # thumbprint (base64url) -> cert


@dataclass(frozen=True)
class Grant:
    client_id: str
    permissions: frozenset[str]
    expires_at: float  # time.monotonic()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def discovery(base_url: str, tenant: str) -> dict:
    """The OpenID configuration msal reads before it asks for a token."""
    return {"issuer": f"{base_url}/{tenant}/v2.0", "token_endpoint": base_url + TOKEN_PATH.format(tenant=tenant),
            "authorization_endpoint": f"{base_url}/{tenant}/oauth2/v2.0/authorize",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "response_types_supported": ["token"], "scopes_supported": [SCOPE]}


class TokenIssuer:
    def __init__(self, lifetime_s: float = 3599.0):
        self.lifetime_s = lifetime_s
        self._apps: dict[tuple[str, str], App] = {}
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self.issued = 0  # tokens handed out, for tests

    def register(self, tenant: str, client_id: str, secret: str | None = None,
                 certificate_pem: bytes | None = None, permissions=ALL_PERMISSIONS) -> None:
        app = App(tenant.lower(), client_id, secret, frozenset(permissions))
        if certificate_pem is not None:
            cert = x509.load_pem_x509_certificate(certificate_pem)
            for algorithm in (hashes.SHA1(), hashes.SHA256()):  # noqa: S303 - x5t is SHA-1 by RFC 7515
                app.certificates[_b64url(cert.fingerprint(algorithm))] = cert
        with self._lock:
            self._apps[(app.tenant, client_id)] = app

    def issue(self, tenant: str, form: dict[str, str], audience: str) -> tuple[int, dict]:
        """(status, JSON body) for POST /{tenant}/oauth2/v2.0/token; `audience` is that endpoint's URL."""
        try:
            grant = self._check(tenant, form, audience)
        except TokenRefused as refused:
            return refused.status, refused.body()
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._grants[token] = grant
            self.issued += 1
        life = int(self.lifetime_s)
        return 200, {"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": token}

    def _check(self, tenant: str, form: dict[str, str], audience: str) -> Grant:
        with self._lock:
            known_tenant = any(t == tenant.lower() for t, _ in self._apps)
            app = self._apps.get((tenant.lower(), form.get("client_id", "")))
        if not known_tenant:
            raise TokenRefused(400, "invalid_request", 90002, f"Tenant '{tenant}' not found. Check to make sure "
                               "you have the correct tenant ID and are signing into the correct cloud.")
        if form.get("grant_type") != "client_credentials":
            raise TokenRefused(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant "
                               f"type '{form.get('grant_type', '')}'. The sandbox offers client_credentials only.")
        client_id = form.get("client_id", "")
        if not client_id:
            raise TokenRefused(400, "invalid_request", 900144, "The request body must contain the following "
                               "parameter: 'client_id'.")
        if not form.get("client_secret") and not form.get("client_assertion"):
            raise TokenRefused(401, "invalid_client", 7000218, "The request body must contain the following "
                               "parameter: 'client_assertion' or 'client_secret'.")
        if form.get("scope", "").split() != [SCOPE]:
            raise TokenRefused(400, "invalid_scope", 1002012, f"The provided value for scope "
                               f"{form.get('scope', '')} is not valid. Client credential flows must have a scope "
                               f"value with /.default suffixed to the resource identifier (application ID URI), "
                               f"here {SCOPE}.")
        if app is None:
            raise TokenRefused(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' "
                               f"was not found in the directory '{tenant}'. This can happen if the application "
                               "has not been installed by the administrator of the tenant or consented to by any "
                               "user in the tenant.")
        if form.get("client_assertion"):
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise TokenRefused(400, "invalid_request", 7000012, f"client_assertion_type must be "
                                   f"{ASSERTION_TYPE}.")
            self._check_assertion(app, form["client_assertion"], audience)
        elif app.secret is None or not secrets.compare_digest(app.secret, form["client_secret"]):
            raise TokenRefused(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret "
                               "being sent in the request is the client secret value, not the client secret ID, "
                               f"for a secret added to app '{client_id}'.")
        return Grant(client_id, app.permissions, time.monotonic() + self.lifetime_s)

    def _check_assertion(self, app: App, assertion: str, audience: str) -> None:
        try:
            head_b64, claims_b64, sig_b64 = assertion.split(".")
            header, claims = json.loads(_unb64url(head_b64)), json.loads(_unb64url(claims_b64))
            signature = _unb64url(sig_b64)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise TokenRefused(400, "invalid_request", 50027, "JWT token is invalid or malformed.") from None
        cert = app.certificates.get(str(header.get("x5t#S256") or header.get("x5t") or "").rstrip("="))
        if cert is None:
            raise TokenRefused(401, "invalid_client", 700027, "The certificate used to sign the client assertion "
                               f"is not registered on application {app.client_id}.")
        pads = {"RS256": padding.PKCS1v15(),
                "PS256": padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)}
        key = cert.public_key()
        if header.get("alg") not in pads or not isinstance(key, rsa.RSAPublicKey):
            raise TokenRefused(401, "invalid_client", 5002738, f"Invalid JWT token. '{header.get('alg')}' is not a "
                               "supported signature algorithm.")
        try:
            key.verify(signature, f"{head_b64}.{claims_b64}".encode(), pads[header["alg"]], hashes.SHA256())
        except InvalidSignature:
            raise TokenRefused(401, "invalid_client", 700027, "Client assertion contains an invalid signature.") \
                from None
        if not (claims.get("nbf", 0) - 300 <= time.time() < claims.get("exp", 0)):
            raise TokenRefused(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        if claims.get("aud") != audience:
            raise TokenRefused(401, "invalid_client", 700021, f"Client assertion audience claim does not match "
                               f"the token endpoint {audience}.")
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            raise TokenRefused(401, "invalid_client", 700023, "Client assertion issuer or subject claim is not the "
                               "application's client id.")

    def check(self, token: str) -> tuple[str, Grant | None]:
        """('valid' | 'expired' | 'unknown', the grant) for a bearer token."""
        with self._lock:
            grant = self._grants.get(token)
        if grant is None:
            return "unknown", None
        return ("valid" if grant.expires_at > time.monotonic() else "expired"), grant

    def expire_all(self) -> None:
        """Every token issued so far is expired from now on (tests of a client's renewal)."""
        with self._lock:
            self._grants = {k: Grant(g.client_id, g.permissions, 0.0) for k, g in self._grants.items()}
