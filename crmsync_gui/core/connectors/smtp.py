"""Outgoing email over SMTP (aiosmtplib, asyncio-native) for POP3/SMTP and IMAP/SMTP profiles, and what
those two connectors share: SMTP for outgoing email, and no appointments, contacts or tasks.

A MailTransport for core/sync/outgoing.py, which owns the status flow and the never-twice rule.
SSL or STARTTLS is verified with the profile's explicit SSL context; AUTH uses the mailbox's (or the
profile's) user name and password. Refusals of one email (a recipient, its size) raise
MessageRejected so only that email fails; a refused sign-in or sender is about the mailbox.
"""
from __future__ import annotations

import ssl
from collections.abc import Callable
from email.message import EmailMessage

import aiosmtplib

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _internet_mail as net
from crmsync_gui.core.errors import MessageRejected, PermanentError, SyncError, TransientError


def smtp_endpoint(profile) -> net.Endpoint:
    return net.endpoint(profile.outgoing_server, use_ssl=profile.outgoing_use_ssl, starttls=profile.outgoing_starttls,
                    ssl_port=465, plain_port=587 if profile.outgoing_starttls else 25, what="SMTP server")


class SmtpTransport:
    def __init__(self, profile):
        self.profile = profile

    async def test(self, job) -> None:
        async with job.connection():
            client = await self._open(job)
            await _quit(client)

    async def send(self, job, message: EmailMessage, handing_over: Callable[[], None]) -> None:
        where = smtp_endpoint(self.profile)
        async with job.connection():
            client = await self._open(job)
            try:
                handing_over()
                await client.send_message(message, sender=job.mailbox.email)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                refused = "; ".join(f"{r.recipient}: {net.server_text(r.message)}" for r in exc.recipients)
                raise MessageRejected("RecipientsRefused", f"The {where} refused every recipient ({refused}).",
                                      action="Correct the addresses and send the email again.") from None
            except aiosmtplib.SMTPSenderRefused as exc:
                raise PermanentError("SenderRefused", f"The {where} does not let {net.username(job)} send as "
                                     f"{exc.sender} ({exc.code} {net.server_text(exc.message)}).",
                                     action="Give the mailbox an address this account may send from.") from None
            except aiosmtplib.SMTPResponseException as exc:
                raise _refusal(exc, where, "sending an email") from None
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise _error(exc, where, "sending an email") from None
            finally:
                await _quit(client)

    async def was_sent(self, job, message_id: str) -> bool | None:
        return None  # SMTP keeps no Sent Items to ask

    async def _open(self, job) -> aiosmtplib.SMTP:
        where = smtp_endpoint(self.profile)
        password = net.require_password(job, where)
        context = net.secure(self.profile, where)
        client = aiosmtplib.SMTP(hostname=where.host, port=where.port, timeout=job.timeout_s,
                                 use_tls=where.security is net.Security.SSL,
                                 start_tls=where.security is net.Security.STARTTLS, tls_context=context)
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise _error(exc, where, "connecting") from None
        try:
            await client.login(net.username(job), password)
        except aiosmtplib.SMTPAuthenticationError as exc:
            await _quit(client)
            raise net.bad_credentials(job, where, f"{exc.code} {exc.message}") from None
        except aiosmtplib.SMTPNotSupported:
            await _quit(client)
            raise PermanentError("SmtpAuthNotOffered", f"The {where} offers no sign-in (AUTH) on this connection.",
                                 action="Turn on SSL or STARTTLS in the profile, or use the server's "
                                        "submission port.") from None
        except aiosmtplib.SMTPResponseException as exc:
            await _quit(client)
            raise _refusal(exc, where, "signing in") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            await _quit(client)
            raise _error(exc, where, "signing in") from None
        return client


class SmtpConnector:
    """The Connector parts that POP3/SMTP and IMAP/SMTP share: SMTP outgoing, no ACT."""

    def __init__(self, profile):
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

    def act_side(self, job):
        raise self._no_act()

    def _no_act(self) -> PermanentError:
        return PermanentError("NotSupported", f"{codes.ServerType(self.profile.server_type).label} profiles sync "
                              "email only: appointments, contacts and tasks need an Exchange profile.",
                              action="Set the mailbox's appointments, contacts and tasks method to None.")

    async def close(self) -> None:
        pass


def _refusal(exc: aiosmtplib.SMTPResponseException, where: net.Endpoint, doing: str) -> SyncError:
    said = f"{exc.code} {net.server_text(exc.message)}"
    if 400 <= exc.code < 500:
        return TransientError("SmtpBusy", f"The {where} asked to try again later while {doing} ({said}).",
                              action="It is retried.")
    if doing == "sending an email":
        return MessageRejected("MessageRefused", f"The {where} refused the email ({said}).",
                               action="Check its size and recipients, then send it again.")
    return PermanentError("SmtpRefused", f"The {where} refused {doing} ({said}).",
                          action="Check the profile's SMTP settings.")


def _error(exc: BaseException, where: net.Endpoint, doing: str) -> SyncError:
    """aiosmtplib wraps socket and TLS failures; map the underlying one."""
    cause = exc.__cause__ or exc.__context__  # its own errors subclass ConnectionError: look under them
    while cause is not None and (isinstance(cause, aiosmtplib.SMTPException)
                                 or not isinstance(cause, ssl.SSLError | OSError | TimeoutError)):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return net.network_error(cause, where, doing)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return net.network_error(TimeoutError(), where, doing)
    if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected):
        return net.network_error(ConnectionError(net.server_text(exc)), where, doing)
    return net.network_error(exc, where, doing)


async def _quit(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError):
        client.close()
