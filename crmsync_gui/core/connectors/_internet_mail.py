"""What POP3, IMAP and SMTP connections share: where the server is, verified TLS, sign-in and error mapping.

Connection security follows the profile: SSL off → plain; SSL on → TLS from the first byte, or,
with the profile's STARTTLS option, a plain connection upgraded before signing in. Either way the
certificate and host name are verified with an explicit SSL context (the profile's trusted CA file
when it has one, else the system's CAs): the standard library verifies nothing without one.
Server replies in messages are redacted as EWS ones are (`_redaction`).
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from dataclasses import dataclass
from enum import Enum

from crmsync_gui.core.connectors import _unencrypted
from crmsync_gui.core.connectors._redaction import redact, remember
from crmsync_gui.core.errors import PermanentError, SyncError, TransientError


class Security(Enum):
    NONE = "no encryption"
    SSL = "SSL"
    STARTTLS = "STARTTLS"


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    security: Security
    what: str  # "POP3 server", "IMAP server", "SMTP server"

    def __str__(self) -> str:
        return f"{self.what} {self.host}:{self.port} ({self.security.value})"


def endpoint(server: str, *, use_ssl: bool, starttls: bool, ssl_port: int, plain_port: int, what: str) -> Endpoint:
    """The profile's "host[:port]" with the port the chosen security implies when none is given."""
    host, _, port = server.strip().rpartition(":") if ":" in server else (server.strip(), "", "")
    security = Security.NONE if not use_ssl else Security.STARTTLS if starttls else Security.SSL
    default = ssl_port if security is Security.SSL else plain_port
    return Endpoint(host.strip("[]"), int(port) if port else default, security, what)


def ssl_context(profile) -> ssl.SSLContext:
    """Verify the certificate chain and host name, against the profile's CA file when it has one."""
    cafile = getattr(profile, "trusted_ca_file", None) or None
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise PermanentError("TrustedCaFileUnreadable", f"The profile's trusted CA file {cafile} cannot be read "
                             f"({exc.strerror or exc}).", action="Fix the path in the profile, or clear it "
                             "to use the system's certificate authorities.") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


async def open_session(session_class, job, where: Endpoint, profile):
    """A signed-in POP3/IMAP session (blocking, so made in a worker thread), TLS verified as the profile says."""
    context = secure(profile, where)
    return await asyncio.to_thread(session_class, job, where, context)


def secure(profile, where: Endpoint) -> ssl.SSLContext | None:
    """The SSL context to connect with, or None for a plain connection (refused to other hosts unless allowed)."""
    if where.security is Security.NONE:
        _unencrypted.check(profile, where.host, str(where))
        return None
    return ssl_context(profile)


async def let_finish(download: asyncio.Future | None) -> None:
    """Wait for a download under way on a session to end, its result or failure dropped: the run stopped early,
    and the session must not be used or closed while a worker thread still reads from it."""
    if download is not None:
        with contextlib.suppress(Exception):
            await download


def username(job) -> str:
    return job.profile.username or job.mailbox.username or job.mailbox.email


def require_password(job, endpoint: Endpoint) -> str:
    if not job.password:
        raise PermanentError("PasswordMissing", f"No password is stored for signing in as {username(job)} "
                             f"to the {endpoint}.", action="Enter the password in the profile or the mailbox.")
    remember(job.password)  # a server may echo it ("-ERR unknown command PASS ..."): never in a message or log
    return job.password


def bad_credentials(job, endpoint: Endpoint, server_said: str) -> PermanentError:
    return PermanentError("SignInRejected", f"The {endpoint} rejected the user name or password of "
                          f"{username(job)} ({_short(server_said)}).",
                          action="Check the user name and password in the profile or the mailbox, then "
                                 "use Test & Enable.")


def network_error(exc: BaseException, endpoint: Endpoint, doing: str) -> SyncError:
    """A socket, TLS or timeout failure as the core's error: what happened, why, what to do."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        return PermanentError("CertificateNotTrusted", f"The certificate of the {endpoint} is not trusted "
                              f"({exc.verify_message or exc.reason}).",
                              action="Check the server name in the profile; for a private certificate "
                                     "authority, set the profile's trusted CA file.")
    if isinstance(exc, ssl.SSLError):
        return PermanentError("TlsFailed", f"The secure connection to the {endpoint} failed while {doing} "
                              f"({exc.reason or exc}).", action="Check the port and the SSL/STARTTLS setting "
                              "of the profile: SSL ports are usually 993/995/465, STARTTLS ones 143/110/587.")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return TransientError("ServerTimeout", f"The {endpoint} did not answer in time while {doing}.",
                              action="It is retried; if it keeps happening, check the server or raise the "
                                     "profile's timeout.")
    if isinstance(exc, socket.gaierror):
        return TransientError("ServerNameUnknown", f"The name of the {endpoint} cannot be resolved "
                              f"({exc.strerror}).", action="Check the server name in the profile and the DNS.")
    if isinstance(exc, ConnectionRefusedError):
        return TransientError("ServerUnreachable", f"The {endpoint} refused the connection while {doing}.",
                              action="It is retried; check that the server runs and the port is right.")
    if isinstance(exc, OSError | EOFError):
        return TransientError("ServerUnreachable", f"The connection to the {endpoint} failed while {doing} "
                              f"({getattr(exc, 'strerror', None) or exc or type(exc).__name__}).",
                              action="It is retried; check the server and the network if it persists.")
    return TransientError("ServerError", f"The {endpoint} failed while {doing} ({_short(str(exc))}).",
                          action="It is retried.")


def _short(text: str) -> str:
    text = redact(" ".join(str(text).split()))
    return text if len(text) <= 200 else text[:199] + "…"


def server_text(value) -> str:
    """A server reply (bytes or text) as one readable line."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    return _short(str(value))
