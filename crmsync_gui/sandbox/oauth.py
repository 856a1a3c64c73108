"""OAuth 2.0 for the sandbox: a token endpoint for the client credentials grant, as Microsoft's
identity platform offers it to Exchange Online apps, and the bearer tokens it issues.

An app is registered in a tenant with its client ID and secret; POST /{tenant}/oauth2/v2.0/token with
grant_type=client_credentials gives an opaque bearer token valid for `lifetime_s`. Like an app with
full_access_as_app, a token may act for any mailbox, always through the ExchangeImpersonation header.
Errors follow RFC 6749 section 5.2.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"
SCOPE = "https://outlook.office365.com/.default"


@dataclass(frozen=True)
class _Token:
    client_id: str
    expires_at: float  # time.monotonic()


class OAuthApps:
    def __init__(self, lifetime_s: float = 3600.0):
        self.lifetime_s = lifetime_s
        self._secrets: dict[tuple[str, str], str] = {}  # (tenant, client id) -> client secret
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        self.issued = 0  # tokens handed out, for tests

    def register(self, tenant: str, client_id: str, secret: str) -> None:
        with self._lock:
            self._secrets[(tenant.lower(), client_id)] = secret

    def issue(self, tenant: str, form: dict[str, str]) -> tuple[int, dict]:
        """(HTTP status, JSON body) for a token request."""
        if form.get("grant_type") != "client_credentials":
            return 400, _error("unsupported_grant_type", "Only the client credentials grant is offered.")
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if not client_id or not secret:
            return 400, _error("invalid_request", "client_id and client_secret are required.")
        if SCOPE not in form.get("scope", "").split():
            return 400, _error("invalid_scope", f"The scope must be {SCOPE}.")
        with self._lock:
            known = self._secrets.get((tenant.lower(), client_id))
            if known is None or not secrets.compare_digest(known, secret):
                return 401, _error("invalid_client", "The client ID or secret is wrong for this tenant.")
            token = secrets.token_urlsafe(32)
            self._tokens[token] = _Token(client_id, time.monotonic() + self.lifetime_s)
            self.issued += 1
        return 200, {"token_type": "Bearer", "expires_in": int(self.lifetime_s), "ext_expires_in":
                     int(self.lifetime_s), "access_token": token}

    def tokens(self) -> list[str]:
        """Every token issued and not yet expired (for tests that look for one where it must not be)."""
        with self._lock:
            return list(self._tokens)

    def app_of(self, token: str) -> str | None:
        """The client ID a bearer token was issued to, or None when it is unknown or expired."""
        with self._lock:
            found = self._tokens.get(token)
            if found is None or found.expires_at <= time.monotonic():
                self._tokens.pop(token, None)
                return None
            return found.client_id


def _error(code: str, description: str) -> dict:
    return {"error": code, "error_description": description}
