"""POP3/SMTP profiles: incoming email over POP3 (poplib in worker threads), outgoing over SMTP.

POP3 has no folders and no change tracking, only a unique id per message (UIDL). The UIDLs already
handled are kept in the mailbox's FolderSyncState (JSON), committed together with the tracking
decisions of the same batch, so after a restart nothing is imported twice and nothing is missed.
The list is pruned to what the server still holds, so it never grows without bound.

With "leave email on server" off, each email is deleted once handled (DELE, committed by QUIT);
one the server still shows later (a QUIT that never came) is deleted without importing it again.
An unreadable email is never deleted: it stays on the server, recorded with its first bytes; so is
one the server refuses to hand over (-ERR to its RETR), and the session goes on with the next.
Emails are read with no per-line limit (poplib stops at 2,048 bytes, and a long header line
failed every job), only the size limit.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import poplib
import ssl

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _internet_mail as net
from crmsync_gui.core.connectors.smtp import SmtpConnector
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.sync import connector as contract
from crmsync_gui.core.sync import mime
from crmsync_gui.core.sync.arrival import NoPush
from crmsync_gui.core.sync.mail import FolderCursor, MailSource, Page, RawEmail

BATCH = 50  # emails a page: their decisions and UIDLs commit together
HEADER_LINES_OF_HUGE_EMAIL = 200  # an email over the size limit: only its head is fetched and kept


def pop3_endpoint(profile) -> net.Endpoint:
    return net.endpoint(profile.incoming_server, use_ssl=profile.incoming_use_ssl, starttls=profile.incoming_starttls,
                    ssl_port=995, plain_port=110, what="POP3 server")


class Pop3Session:
    """One signed-in POP3 connection; blocking, so every call runs in a worker thread."""

    def __init__(self, job, where: net.Endpoint, context: ssl.SSLContext | None):
        password = net.require_password(job, where)
        self.where = where
        try:
            if where.security is net.Security.SSL:
                self.pop = poplib.POP3_SSL(where.host, where.port, timeout=job.timeout_s, context=context)
            else:
                self.pop = poplib.POP3(where.host, where.port, timeout=job.timeout_s)
                if where.security is net.Security.STARTTLS:
                    self.pop.stls(context)
        except poplib.error_proto as exc:
            self.close()
            raise PermanentError("StarttlsNotOffered", f"The {where} does not offer STARTTLS "
                                 f"({net.server_text(exc)}).", action="Use SSL (usually port 995) instead, "
                                 "or turn SSL off if the network is trusted.") from None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, where, "connecting") from None
        try:
            self.pop.user(net.username(job))
            self.pop.pass_(password)
        except poplib.error_proto as exc:
            self.close()
            said = net.server_text(exc.args[0] if exc.args else exc)
            if "[SYS/TEMP]" in said or "[IN-USE]" in said:
                raise net.network_error(ConnectionError(said), where, "signing in") from None
            raise net.bad_credentials(job, where, said) from None
        except (OSError, EOFError) as exc:
            self.close()
            raise net.network_error(exc, where, "signing in") from None

    def call(self, doing: str, method, *args):
        try:
            return method(*args)
        except poplib.error_proto as exc:
            raise net.network_error(RuntimeError(net.server_text(exc.args[0] if exc.args else exc)), self.where,
                                doing) from None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, doing) from None

    def listing(self) -> list[tuple[int, str, int]]:
        """(message number, UIDL, size) of every message on the server."""
        _, uidl_lines, _ = self.call("listing email", self.pop.uidl)
        _, size_lines, _ = self.call("listing email", self.pop.list)
        sizes = {}
        for line in size_lines:
            number, _, size = line.decode("ascii", "replace").partition(" ")
            sizes[number] = int(size) if size.strip().isdigit() else 0
        result = []
        for line in uidl_lines:
            number, _, uidl = line.decode("ascii", "replace").partition(" ")
            if number.isdigit() and uidl.strip():
                result.append((int(number), uidl.strip(), sizes.get(number, 0)))
        return result

    def fetch(self, number: int, size: int) -> tuple[bytes, str | None]:
        """The email (its head when it is over the size limit), or b"" and why the server refused it."""
        huge = size > mime.MAX_EMAIL_BYTES
        command = f"TOP {number} {HEADER_LINES_OF_HUGE_EMAIL}" if huge else f"RETR {number}"
        doing = "fetching an email's head" if huge else "fetching an email"
        try:  # poplib's own retr() reads lines of at most 2,048 bytes: the command by hand, the reply below
            self.pop._putcmd(command)
            self.pop._getresp()
        except poplib.error_proto as exc:
            return b"", f"the {self.where} refused to hand it over ({net.server_text(exc.args[0] if exc.args else exc)})"
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, doing) from None
        try:
            return self._read_lines(), None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, doing) from None

    def _read_lines(self) -> bytes:
        """A multi-line reply up to its lone ".", dot-unstuffed; lines of any length, the whole kept within the
        size limit (the rest is read and dropped)."""
        kept, total, line = [], 0, b""
        while True:
            chunk = self.pop.file.readline(65536)
            if not chunk:
                raise EOFError("the server closed the connection in the middle of an email")
            line += chunk
            if not chunk.endswith(b"\n"):
                continue  # a long line goes on
            if line.rstrip(b"\r\n") == b".":
                return b"".join(kept)
            if line.startswith(b".."):
                line = line[1:]
            if total < mime.MAX_EMAIL_BYTES:
                kept.append(line)
                total += len(line)
            line = b""

    def delete(self, number: int) -> None:
        self.call("deleting an imported email", self.pop.dele, number)

    def quit(self) -> None:
        self.call("finishing the session", self.pop.quit)

    def close(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            self.pop.close()


class Pop3MailSource(MailSource):
    """The incoming pipeline's view of one signed-in POP3 session (incoming.MailSource): one folder, the Inbox.

    Its cursor is the set of UIDLs handled, and of those kept on the server because they were unreadable."""

    def __init__(self, session: Pop3Session, delete_after_import: bool):
        self.session, self.delete_after_import = session, delete_after_import
        self._ahead: asyncio.Future | None = None  # the next batch's download, under way while a page is handled

    def folders(self, tracked: list[str]) -> list[str]:
        return ["Inbox"]

    async def pages(self, folder: str, cursor: FolderCursor, ignore=()):
        listing = await asyncio.to_thread(self.session.listing)
        state = _load(cursor.state)
        on_server = {uidl for _, uidl, _ in listing}
        self.handled = set(state["handled"]) & on_server  # forget what the server no longer holds
        self.kept = set(state["kept"]) & on_server
        new = []
        for number, uidl, size in listing:
            if uidl not in self.handled:
                new.append((number, uidl, size))
            elif self.delete_after_import and uidl not in self.kept:  # a QUIT that never came
                await asyncio.to_thread(self.session.delete, number)
        batches = [new[start:start + BATCH] for start in range(0, len(new), BATCH)] or [[]]
        try:
            for n, batch in enumerate(batches):
                ahead, self._ahead = self._ahead, None
                emails = await (ahead if ahead is not None else asyncio.to_thread(self._fetch, batch))
                if n + 1 < len(batches):  # the next batch downloads while the pipeline handles this one
                    self._ahead = asyncio.ensure_future(asyncio.to_thread(self._fetch, batches[n + 1]))
                yield Page(emails, cursor, last=n + 1 == len(batches),
                           handle=[(number, email) for (number, _, _), email in zip(batch, emails, strict=True)])
        finally:  # stopped early: the download under way ends before anything else uses the connection
            ahead, self._ahead = self._ahead, None
            await net.let_finish(ahead)

    async def fetch(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        wanted = set(server_ids)
        listing = await asyncio.to_thread(self.session.listing)
        return await asyncio.to_thread(self._fetch, [entry for entry in listing if entry[1] in wanted])

    def _fetch(self, batch: list[tuple[int, str, int]]) -> list[RawEmail]:
        """In a worker thread: the batch's emails, each with why the server refused it when it did."""
        emails = []
        for number, uidl, size in batch:
            raw, refused = self.session.fetch(number, size)
            emails.append(RawEmail(uidl, raw, size or len(raw), fetch_error=refused))
        return emails

    async def page_handled(self, folder: str, page: Page, unreadable: set[str]) -> FolderCursor:
        self.kept |= unreadable  # an unreadable email is never deleted
        for number, email in page.handle:
            self.handled.add(email.server_id)
            if self.delete_after_import and email.server_id not in self.kept:
                if self._ahead is not None:  # the next batch's download is on this connection: it ends first
                    await asyncio.wait([self._ahead])
                await asyncio.to_thread(self.session.delete, number)
        return FolderCursor(json.dumps({"handled": sorted(self.handled), "kept": sorted(self.kept)}))


class Pop3Connector(SmtpConnector):
    def __init__(self, profile):
        super().__init__(profile)
        self.arrival = NoPush()  # POP3 has no push: new email waits for the schedule's next poll

    async def _open(self, job) -> Pop3Session:
        return await net.open_session(Pop3Session, job, pop3_endpoint(self.profile), self.profile)

    async def test_incoming(self, job) -> None:
        async with job.connection():
            session = await self._open(job)
            try:
                await asyncio.to_thread(session.call, "checking the mailbox", session.pop.stat)
                await asyncio.to_thread(session.quit)
            finally:
                session.close()

    @contextlib.asynccontextmanager
    async def mail_source(self, job):
        async with job.connection():
            session = await self._open(job)
            try:
                yield Pop3MailSource(session, delete_after_import=not self.profile.leave_email_on_server)
                await asyncio.to_thread(session.quit)  # commits the deletions
            finally:
                session.close()


def _load(text: str | None) -> dict[str, list[str]]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    return {"handled": list(data.get("handled", [])), "kept": list(data.get("kept", []))}


def _pop3_factory(profile) -> Pop3Connector:
    return Pop3Connector(profile)


contract.register([codes.ServerType.POP3_SMTP], _pop3_factory)

