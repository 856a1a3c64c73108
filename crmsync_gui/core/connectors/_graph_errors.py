"""Microsoft Graph and identity-platform errors as the engine's TransientError / PermanentError, each with
the Entra (or Exchange Online) setting an administrator changes to fix it."""
from __future__ import annotations

import json
import re
import ssl
from urllib.parse import urlsplit

import aiohttp
import requests

from crmsync_gui.core.connectors._redaction import redact
from crmsync_gui.core.errors import PermanentError, SyncError, TransientError

_API_PERMISSIONS = ("In the Microsoft Entra admin center, open App registrations → the app → API permissions, "
                    "add the Microsoft Graph application permission {permission} and choose Grant admin consent "
                    "for the tenant; if an application access policy limits the app to some mailboxes, add this "
                    "mailbox to its group. Then run Test & Enable.")
_SIGN_IN = ("In the Microsoft Entra admin center, open App registrations → the app: check the profile's tenant "
            "and application (client) ID against its Overview, and under Certificates & secrets that the client "
            "secret or the certificate (thumbprint) is current. Then run Test & Enable.")
_LICENSE = ("In the Microsoft 365 admin center, give the user an Exchange Online license (or check the mailbox's "
            "address); a mailbox still on-premises needs an EWS profile. Then run Test & Enable.")

# Graph path → the application permission it needs (the first that matches), for a 403's remedy
_PERMISSIONS = [(re.compile(r"/(sendMail|messages/[^/]+/send)$"), "Mail.Send"),
                (re.compile(r"/(mailFolders|messages)(/|$)"), "Mail.ReadWrite"),
                (re.compile(r"/(events|calendarView|calendars?)(/|$)"), "Calendars.ReadWrite"),
                (re.compile(r"/(contacts|contactFolders)(/|$)"), "Contacts.ReadWrite"),
                (re.compile(r"/todo(/|$)"), "Tasks.ReadWrite.All")]


class GraphReply(Exception):
    """An HTTP error reply from Microsoft Graph: status, Graph's error code and message, Retry-After."""

    def __init__(self, status: int, code: str, message: str, *, method: str = "", url: str = "",
                 retry_after_s: float | None = None):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.method, self.url, self.retry_after_s = method, url, retry_after_s

    @classmethod
    def from_body(cls, status: int, body: bytes | str | dict | None, headers, method: str, url: str) -> GraphReply:
        error = {}
        if isinstance(body, bytes | str):
            try:
                body = json.loads(body or b"null")
            except ValueError:
                body = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
        return cls(status, str(error.get("code") or f"HTTP{status}"), str(error.get("message") or "")[:300],
                   method=method, url=url, retry_after_s=retry_after(headers))


def retry_after(headers) -> float | None:
    """Retry-After in seconds (Graph sends whole seconds), or None."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def permission_for(url: str) -> str:
    """The application permission a Graph request needs, by its path."""
    path = urlsplit(url).path
    for pattern, permission in _PERMISSIONS:
        if pattern.search(path):
            return permission
    return "Mail.ReadWrite"


def map_error(exc: BaseException, what: str, secret: str | None = None) -> SyncError:
    """An HTTP, network or Graph error as the engine's transient/permanent taxonomy, in the admin's words."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, GraphReply):
        return _from_reply(exc, what)
    detail = redact(f"{type(exc).__name__}: {exc}", secret)[:300]
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | ssl.SSLCertVerificationError | requests.exceptions.SSLError):
        return PermanentError("CertificateInvalid", f"Microsoft Graph's certificate was not trusted while {what} "
                              f"({detail}).")
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError | requests.exceptions.Timeout):
        return TransientError("Timeout", f"Microsoft Graph did not answer in time while {what}.")
    if isinstance(exc, aiohttp.ClientError | requests.exceptions.ConnectionError | OSError):
        return TransientError("ConnectionFailed", f"Could not reach Microsoft Graph while {what} ({detail}).")
    if isinstance(exc, ValueError):  # a reply cut short or not JSON
        return TransientError("ServerError", f"Microsoft Graph sent a reply that cannot be read while {what}.")
    raise exc  # not a server error: a bug, which must crash loudly


def _from_reply(reply: GraphReply, what: str) -> SyncError:
    said = f"{reply.code}: {reply.message}".strip(": ")
    if reply.status == 401:
        return PermanentError("AppSignInFailed", f"Microsoft Graph refused the app's token while {what} ({said}).",
                              action=_SIGN_IN)
    if reply.status == 403:
        permission = permission_for(reply.url)
        return PermanentError("PermissionMissing", f"The app lacks the Microsoft Graph permission {permission} "
                              f"for this mailbox while {what} ({said}).",
                              action=_API_PERMISSIONS.format(permission=permission))
    if reply.status == 404 and reply.code in ("MailboxNotEnabledForRESTAPI", "ErrorInvalidUser", "ResourceNotFound",
                                              "Request_ResourceNotFound"):
        return PermanentError("MailboxNotEnabled", f"Microsoft Graph has no Exchange Online mailbox for this user "
                              f"while {what} ({said}).", action=_LICENSE)
    if reply.status == 404:
        return PermanentError("ItemNotFound", f"Microsoft Graph no longer has the item while {what} ({said}).")
    if reply.status == 410:
        return TransientError("SyncStateNotFound", f"Microsoft Graph forgot the folder's delta token while {what}; "
                              "the folder is read again.")
    if reply.status == 412:
        return TransientError("ChangeKeyMismatch", f"The item changed on the server while {what}; it is read "
                              "again before it is written.")
    if reply.status in (429, 503, 504):
        return TransientError("ErrorServerBusy", f"Microsoft Graph is throttling or busy while {what} ({said}).",
                              retry_after_s=reply.retry_after_s)
    if reply.status >= 500:
        return TransientError("ServerError", f"Microsoft Graph failed while {what} ({said}).")
    return PermanentError(f"Graph{reply.code[:1].upper()}{reply.code[1:]}", f"Microsoft Graph refused a request "
                          f"while {what} ({said}).")


def missing_permissions(permissions: list[str], address: str) -> PermanentError:
    """Test connection's finding: the application permissions the app lacks for this mailbox, by name."""
    names = ", ".join(permissions)
    return PermanentError("PermissionMissing", f"The app lacks the Microsoft Graph application permission"
                          f"{'s' if len(permissions) > 1 else ''} {names} for {address}.",
                          action=_API_PERMISSIONS.format(permission=names))


# -- the identity platform's refusals (msal's result dictionaries) -------------------------------------

_SERVER_FAILURES = {"temporarily_unavailable", "server_error"}


def map_token_error(result: dict, what: str, secret: str | None = None) -> SyncError:
    """msal's answer without a token, as an error naming the Entra setting to check."""
    said = redact(f"{result.get('error')}: {result.get('error_description') or ''}", secret).splitlines()[0][:300]
    if result.get("error") in _SERVER_FAILURES:
        return TransientError("ServerError", f"The Microsoft identity platform failed while {what} ({said}).")
    return PermanentError("AppSignInFailed", f"The Microsoft identity platform refused the app's sign-in while "
                          f"{what} ({said}).", action=_SIGN_IN)
