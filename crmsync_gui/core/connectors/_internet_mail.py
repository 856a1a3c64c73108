"""What POP3/SMTP and IMAP/SMTP profiles share: where the server is, verified TLS, sign-in, error
mapping, SMTP for outgoing email, and handing each fetched email to tracking.

Connection security follows the profile: SSL off → plain; SSL on → TLS from the first byte, or,
with the profile's STARTTLS option, a plain connection upgraded before signing in. Either way the
certificate and host name are verified with an explicit SSL context (the profile's trusted CA file
when it has one, else the system's CAs): the standard library verifies nothing without one.
"""
from __future__ import annotations

import logging
import socket
import ssl
from dataclasses import dataclass
from enum import Enum

from crmsync_gui.core import codes
from crmsync_gui.core.errors import PermanentError, SyncError, TransientError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import UnreadableEmail
from crmsync_gui.core.sync import outgoing, trace, tracking
from crmsync_gui.core.sync.mail import IncomingEmail
from crmsync_gui.core.sync.mime import UnreadableEmailError

log = logging.getLogger(__name__)


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


def username(job) -> str:
    return job.profile.username or job.mailbox.username or job.mailbox.email


def require_password(job, endpoint: Endpoint) -> str:
    if not job.password:
        raise PermanentError("PasswordMissing", f"No password is stored for signing in as {username(job)} "
                             f"to the {endpoint}.", action="Enter the password in the profile or the mailbox.")
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
    text = " ".join(str(text).split())
    return text if len(text) <= 200 else text[:199] + "…"


def server_text(value) -> str:
    """A server reply (bytes or text) as one readable line."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    return _short(str(value))


class InternetMailConnector:
    """The Connector parts that POP3/SMTP and IMAP/SMTP share: SMTP outgoing, delivery, no ACT."""

    def __init__(self, profile):
        from crmsync_gui.core.connectors.smtp import SmtpTransport

        self.profile = profile
        self.transport = SmtpTransport(profile)

    async def test(self, job, direction: codes.Direction) -> None:
        if direction == codes.Direction.INCOMING:
            await self.test_incoming(job)
        elif direction == codes.Direction.OUTGOING:
            await self.transport.test(job)
        else:
            raise self._no_act()

    async def test_incoming(self, job) -> None:
        raise NotImplementedError

    async def send_outgoing(self, job) -> int:
        return await outgoing.send_pending(job, self.transport)

    async def sync_act(self, job) -> int:
        raise self._no_act()

    def _no_act(self) -> PermanentError:
        return PermanentError("NotSupported", f"{codes.ServerType(self.profile.server_type).label} profiles sync "
                              "email only: appointments, contacts and tasks need an Exchange profile.",
                              action="Set the mailbox's appointments, contacts and tasks method to None.")

    async def close(self) -> None:
        pass


def deliver(job, emails: list[IncomingEmail], settings, address_book: dict) -> int:
    """Hand a batch of emails to tracking, in order; return how many were decided now (not by an earlier run).

    The batch's addresses, known keys and earlier decisions are looked up with a few queries for all of
    it (tracking.known_keys), and `address_book` keeps the addresses resolved for the rest of the run.
    """
    if not emails:
        return 0
    known = tracking.known_keys(job.mailbox, emails, settings, address_book)
    decided = 0
    for email in emails:
        result = tracking.track_email(job.mailbox, email, settings=settings, address_book=address_book, known=known)
        decided += not result.already_decided
    return decided


def keep_unreadable(job, error: UnreadableEmailError, folder: str, *, moved: bool = False) -> bool:
    """Record an email that could not be read, with its first bytes, in the error browser too; True when new.

    `moved`: the connector has just moved it to the Undeliverable folder, as the profile asks."""
    with database_proxy.atomic():
        _, created = UnreadableEmail.get_or_create(
            mailbox=job.mailbox, folder=folder, server_id=error.server_id,
            defaults={"reason": str(error), "raw": error.raw, "raw_size": error.raw_size})
        if created:
            where = (f" It was moved from {folder} to {codes.UNDELIVERABLE_FOLDER}, as the profile asks."
                     if moved else "")
            trace.record("EmailUnreadable", f"Mailbox '{job.mailbox.name}': {error}{where}", at=utcnow(),
                         mailbox_id=job.mailbox.id, item=trace.unreadable_item(folder, error.server_id))
    if created:
        log.warning("Mailbox %s: %s", job.mailbox.email, error)
    return created
