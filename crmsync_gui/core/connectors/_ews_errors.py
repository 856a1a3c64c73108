"""exchangelib and HTTP errors as the engine's TransientError / PermanentError, in the admin's words."""
from __future__ import annotations

import re
from pathlib import Path

import exchangelib
import oauthlib.oauth2
import requests
from exchangelib import errors as ews

from crmsync_gui.core.connectors._redaction import redact
from crmsync_gui.core.errors import PermanentError, SyncError, TransientError


class UnreadableReply(Exception):
    """A reply crmsync stopped reading: too big, or too slow to arrive whole."""


def _cause(exc: BaseException) -> BaseException | None:
    return exc.__cause__ or exc.__context__


# how requests and exchangelib word a connection the server closed without answering
_DROPPED = ("RemoteDisconnected", "Connection aborted", "reset by peer", "closed connection", "BrokenPipe")


def _connection_lost(text: str, what: str, detail: str) -> TransientError:
    """A dropped connection, a timeout or a failed connect, told apart by the words exchangelib kept."""
    if any(words in text for words in _DROPPED):
        return TransientError("ConnectionDropped", f"The Exchange server closed the connection without answering "
                                                   f"while {what}.")
    if "ConnectionError" in text or "Failed to establish" in text:
        return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} ({detail}).")
    return TransientError("Timeout", f"The Exchange server did not answer in time while {what}.")


_QUOTED = 20_000  # characters of an error redacted, far more than the 400 kept: a secret cut at the end stays out


def map_error(exc: BaseException, what: str, password: str | None = None) -> SyncError:
    """An exchangelib/HTTP error as the engine's transient/permanent taxonomy, in the admin's words."""
    # not all of it: exchangelib quotes a bad reply whole, and redacting 30 MB of it took 2.5 s; on one line, as
    # the reason is shown (exchangelib quotes a reply's headers and body as they came)
    detail = " ".join(redact(f"{type(exc).__name__}: {exc}"[:_QUOTED], password).split())[:400]
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, UnreadableReply):
        return TransientError("ServerError", f"The Exchange server failed while {what}: {exc}.")
    if isinstance(exc, ews.ErrorServerBusy) and (str(exc).startswith("Reraised from ErrorTimeoutExpired")
                                                  or str(exc) == "Caused by closed connection"):
        # exchangelib's own relabelling of a timeout or a dropped connection, not the server asking for a pause
        return _connection_lost(str(exc), what, detail)
    if isinstance(exc, ews.ErrorServerBusy) and str(exc).startswith("Reraised from "):  # too many objects, transient
        return TransientError("ServerError", f"The Exchange server failed while {what} ({detail}).")
    if isinstance(exc, ews.ErrorServerBusy):
        wait = exc.back_off
        return TransientError("ErrorServerBusy", f"The Exchange server is busy and asked to wait while {what}"
                              f"{f' ({wait:g} s)' if wait is not None else ''}.", retry_after_s=wait)
    if isinstance(exc, oauthlib.oauth2.OAuth2Error):
        said = redact(f"{exc.error}: {exc.description or ''}", password)[:400]
        if exc.error in ("temporarily_unavailable", "server_error"):
            return TransientError("ServerError", f"The identity provider failed while {what} ({said}).")
        return PermanentError("AuthenticationFailed", f"The identity provider refused the app's sign-in while {what} "
                              f"({said}).", action="Check the profile's OAuth tenant, the application (client) ID "
                              "and its client secret (it may have expired), then run Test & Enable.")
    if isinstance(exc, ews.UnauthorizedError | ews.ErrorInvalidClientSecurityContext):
        return PermanentError("AuthenticationFailed", f"Exchange refused the sign-in while {what} ({detail}).")
    if isinstance(exc, ews.ErrorNonExistentMailbox | ews.ErrorMailboxConfiguration):
        return PermanentError("MailboxNotFound", f"Exchange has no such mailbox while {what} ({detail}).")
    if isinstance(exc, ews.ErrorAccessDenied | ews.ErrorImpersonateUserDenied | ews.ErrorImpersonationDenied
                  | ews.ErrorImpersonationFailed | ews.ErrorNotDelegate):
        return PermanentError("AccessDenied", f"The account may not open this mailbox while {what} ({detail}).")
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(_cause(exc), requests.exceptions.SSLError):
        return PermanentError("CertificateInvalid", f"The Exchange server's certificate was not trusted while "
                              f"{what} ({detail}).")
    if isinstance(exc, ews.ErrorTimeoutExpired | requests.exceptions.Timeout | TimeoutError):
        if isinstance(exc, ews.ErrorTimeoutExpired) and not isinstance(_cause(exc), requests.exceptions.Timeout):
            return _connection_lost(str(exc), what, detail)
        return TransientError("Timeout", f"The Exchange server did not answer in time while {what}.")
    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError):
        return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} ({detail}).")
    if isinstance(exc, ews.ErrorMailboxStoreUnavailable | ews.ErrorMailboxMoveInProgress):
        return TransientError("StoreUnavailable", f"The mailbox's store is offline while {what} ({detail}).")
    if isinstance(exc, ews.ErrorInternalServerTransientError | ews.ErrorTooManyObjectsOpened
                  | ews.ErrorExceededConnectionCount | ews.ErrorInternalServerError | ews.ErrorConnectionFailed
                  | ews.ErrorConnectionFailedTransientError | ews.MalformedResponseError | ews.SOAPError
                  | ews.RateLimitError):
        return TransientError("ServerError", f"The Exchange server failed while {what} ({detail}).")
    if isinstance(exc, ews.ErrorInvalidSchemaVersionForMailboxVersion | ews.RedirectError | ews.ErrorInvalidServerVersion):
        return PermanentError("BadConfiguration", f"The server location or version does not fit while {what} "
                              f"({detail}).")
    if isinstance(exc, ews.ResponseMessageError):
        # Any other EWS error: retried (10 failures in a row then count as permanent), since it may pass.
        return TransientError(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused a request while {what} ({detail}).")
    if isinstance(exc, ews.TransportError):
        if refused := re.search(r"\[Errno -?\d+\] [^'\")\]]+", str(exc)):  # exchangelib's wrapped ConnectionError
            return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} "
                                                      f"({refused.group(0).strip()}).")
        if "certificate" in str(exc).lower() or "ssl" in str(exc).lower():
            return PermanentError("CertificateInvalid", f"The Exchange server's certificate was not trusted "
                                  f"while {what} ({detail}).")
        return TransientError("ServerError", f"The Exchange server failed while {what} ({detail}).")
    if isinstance(exc, ews.EWSError):
        return PermanentError(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused a request while {what} ({detail}).")
    if _in_exchangelib(exc):
        # exchangelib read a reply that lacks what the schema requires (no SyncState, a cut-short message) and
        # tripped over it: the server's fault, as a well-formed reply would have been read
        return TransientError("ServerError", f"The Exchange server failed while {what}: its reply could not be "
                                             f"read ({detail}).")
    raise exc  # not a server error: a bug, which must crash loudly


_EXCHANGELIB = Path(exchangelib.__file__).parent


_OURS = Path(__file__).parents[2]


def _in_exchangelib(exc: BaseException) -> bool:
    """Whether `exc` is one of Python's own errors raised inside exchangelib (or what it calls, such as lxml)."""
    if not isinstance(exc, AttributeError | KeyError | IndexError | TypeError | ValueError):
        return False
    inside = False
    frame = exc.__traceback__
    while frame is not None:
        path = Path(frame.tb_frame.f_code.co_filename)
        if path.is_relative_to(_EXCHANGELIB):
            inside = True
        elif path.is_relative_to(_OURS):  # our code called again below exchangelib: its error is ours
            inside = False
        frame = frame.tb_next
    return inside

