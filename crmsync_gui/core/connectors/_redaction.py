"""Secrets out of logs and messages: every password a connector signs in with is blanked wherever it shows.

A server may echo what it was sent (an Authorization header in exchangelib's debug dumps, a client
secret in an OAuth token request's body, a password in a POP3 server's "-ERR unknown command PASS
..."), so redaction looks for the forms a secret is sent in too. OAuth tokens are secrets as well:
requests_oauthlib logs the token response at DEBUG, so access, refresh and id tokens and bearer
credentials are blanked wherever they show.
"""
from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus

_AUTH_HEADER = re.compile(r"""(['"]?(?:proxy-)?authorization['"]?\s*[:=]\s*)(['"]?)[^'",}\n]+""", re.IGNORECASE)
_CLIENT_SECRET = re.compile(r"""(client_secret['"]?\s*[:=]\s*['"]?)[^&'",}\s]+""", re.IGNORECASE)
_TOKEN = re.compile(r"""((?:access|refresh|id)_token['"]?\s*[:=]\s*['"]?)[^&'",}\s]+""", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9\-._~+/]+=*")
_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def remember(secret: str | None) -> None:
    """A secret in use: blanked from every message and log line from now on."""
    if secret:
        with _secrets_lock:
            _known_secrets.add(secret)


def redact(text: str, *secrets: str | None) -> str:
    text = _CLIENT_SECRET.sub(r"\1[redacted]", _AUTH_HEADER.sub(r"\1\2[redacted]", text))
    text = _BEARER.sub(r"\1[redacted]", _TOKEN.sub(r"\1[redacted]", text))
    with _secrets_lock:
        known = set(_known_secrets)
    for secret in {*known, *(s for s in secrets if s)}:
        if len(secret) >= 3:
            for form in {secret, quote_plus(secret), quote(secret, safe="")}:  # as sent in a form body too
                text = text.replace(form, "[redacted]")
    return text


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_filter(*packages: str) -> None:
    """Redact every log record of these libraries' loggers."""
    log_filter = _RedactingFilter()
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in packages]
    for name in names:
        logging.getLogger(name).addFilter(log_filter)
