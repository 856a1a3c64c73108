"""IMAP/SMTP profiles: incoming email over IMAP (IMAPClient in worker threads), outgoing over SMTP.

Per folder the store keeps UIDVALIDITY and the highest UID handled (FolderSyncState); a run fetches
only newer UIDs, and commits the new high mark with each batch, so a restart repeats nothing and
misses nothing. When UIDVALIDITY changes (the server renumbered the folder) the folder is read again
from the start; tracking decides each server item once and knows Message-IDs already tracked, so
that creates no duplicates. Email is fetched with BODY.PEEK, leaving the user's read marks alone.
When the server refuses a batch's FETCH (Dovecot answers an unreadable message file with an internal
error and closes the connection), the batch is fetched again one email at a time, signing in again
after each refusal: the email refused alone is kept as unreadable with the server's reason, and
the others are tracked.

Push: where the server offers IDLE, a watcher per tracked folder (IDLE watches one selected folder)
keeps one connection idling on it and publishes IncomingMailArrived the moment new email lands, so
the engine syncs it within seconds; the engine's schedule keeps polling as the fallback (and where
IDLE is missing). A watcher holds one of the server's connection slots, so watchers are limited to
half the profile's connections: first come, first served, each mailbox's Inbox before its other
folders; with a cap of 4, two folders get IDLE and the rest are polled.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import imapclient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from crmsync_gui.core import codes, events
from crmsync_gui.core.connectors import _internet_mail as net
from crmsync_gui.core.connectors.smtp import SmtpConnector
from crmsync_gui.core.errors import PermanentError, SyncError
from crmsync_gui.core.sync import connector as contract
from crmsync_gui.core.sync import mime
from crmsync_gui.core.sync.mail import FolderCursor, MailSource, Page, RawEmail

log = logging.getLogger(__name__)

BATCH = 25  # emails fetched per request: a page, whose decisions and new UID mark commit together
IDLE_RENEW_S = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute inactivity limit
IDLE_CHECK_S = 1.0  # how often a watcher looks at its stop flag between server pushes


def imap_endpoint(profile) -> net.Endpoint:
    return net.endpoint(profile.incoming_server, use_ssl=profile.incoming_use_ssl, starttls=profile.incoming_starttls,
                    ssl_port=993, plain_port=143, what="IMAP server")


class FetchRefused(Exception):
    """The server answered a FETCH with an error of its own (NO, or BYE with a reason), not a network failure."""


def imap_folder(name: str, delimiter: str) -> str:
    """A tracked folder's name ("Inbox", "Inbox/Projects") as the server spells it."""
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    if not parts or parts[0].lower() == "inbox":
        parts = ["INBOX"] + parts[1:]
    return delimiter.join(parts) if delimiter else "/".join(parts)


class ImapSession:
    """One signed-in IMAP connection; blocking, so every call runs in a worker thread."""

    def __init__(self, job, where: net.Endpoint, context: ssl.SSLContext | None):
        password = net.require_password(job, where)
        self.where = where
        try:
            self.client = imapclient.IMAPClient(where.host, where.port, ssl=where.security is net.Security.SSL,
                                                ssl_context=context, timeout=job.timeout_s)
        except (OSError, EOFError, IMAPClientAbortError) as exc:
            raise net.network_error(exc, where, "connecting") from None
        self.client.normalise_times = False  # INTERNALDATE with its zone, made UTC below
        # IMAPClient sets imaplib's protocol trace to its highest level, and imaplib then formats the repr of
        # every reply, each fetched email whole, before the logger drops it: a third of fetching time. The
        # trace stays for whoever turns on DEBUG for its logger.
        self.client._imap.debug = 5 if logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG) else 0
        try:
            if where.security is net.Security.STARTTLS:
                if b"STARTTLS" not in self.client.capabilities():
                    raise PermanentError("StarttlsNotOffered", f"The {where} does not offer STARTTLS.",
                                         action="Use SSL (usually port 993) instead, or turn SSL off if the "
                                                "network is trusted.")
                self.client.starttls(context)
            self.client.login(net.username(job), password)
        except LoginError as exc:
            self.close()
            said = net.server_text(exc)
            if "UNAVAILABLE" in said or "Temporary" in said:
                raise net.network_error(ConnectionError(said), where, "signing in") from None
            raise net.bad_credentials(job, where, said) from None
        except SyncError:
            self.close()
            raise
        except (OSError, EOFError, IMAPClientError) as exc:
            self.close()
            raise net.network_error(exc, where, "signing in") from None

    def call(self, doing: str, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except IMAPClientAbortError as exc:
            raise net.network_error(ConnectionError(net.server_text(exc)), self.where, doing) from None
        except IMAPClientError as exc:
            raise net.network_error(RuntimeError(net.server_text(exc)), self.where, doing) from None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, doing) from None

    def delimiter(self) -> str:
        folders = self.call("listing folders", self.client.list_folders, "", "INBOX")
        delimiter = folders[0][1] if folders else b"/"
        return delimiter.decode() if isinstance(delimiter, bytes) else (delimiter or "/")

    def open_folder(self, folder: str) -> tuple[int, list[int]] | None:
        """(UIDVALIDITY, every UID) of a folder, or None when the folder does not exist."""
        try:
            info = self.client.select_folder(folder, readonly=True)
        except IMAPClientAbortError as exc:
            raise net.network_error(ConnectionError(net.server_text(exc)), self.where, f"opening {folder}") from None
        except IMAPClientError:
            return None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, f"opening {folder}") from None
        uids = self.call(f"listing {folder}", self.client.search, "ALL")
        return int(info[b"UIDVALIDITY"]), sorted(uids)

    def fetch(self, uids: list[int]) -> dict[int, tuple[bytes, int, object]]:
        """{uid: (raw bytes, size on the server, INTERNALDATE)}; a huge email comes as its first bytes.

        Raises FetchRefused when the server refuses the emails' FETCH."""
        meta = self.call("fetching email sizes", self.client.fetch, uids, ["RFC822.SIZE", "INTERNALDATE"])
        small = [uid for uid in uids if meta.get(uid, {}).get(b"RFC822.SIZE", 0) <= mime.MAX_EMAIL_BYTES]
        huge = [uid for uid in uids if uid not in small and uid in meta]
        try:
            bodies = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            heads = self.client.fetch(huge, [f"BODY.PEEK[]<0.{mime.KEEP_RAW_BYTES}>"]) if huge else {}
        except IMAPClientError as exc:
            if "socket error" in str(exc):  # imaplib's wording for a broken connection
                raise net.network_error(ConnectionError(net.server_text(exc)), self.where, "fetching email") from None
            raise FetchRefused(f"the {self.where} refused to hand it over ({net.server_text(exc)})") from None
        except (OSError, EOFError) as exc:
            raise net.network_error(exc, self.where, "fetching email") from None
        result = {}
        for uid in uids:
            data = bodies.get(uid) or heads.get(uid)
            if data is None:  # expunged meanwhile
                continue
            raw = next((v for k, v in data.items() if k.startswith(b"BODY[")), b"") or b""
            size = meta.get(uid, {}).get(b"RFC822.SIZE", len(raw))
            result[uid] = (bytes(raw), int(size), meta.get(uid, {}).get(b"INTERNALDATE"))
        return result

    def move_to_undeliverable(self, folder: str, uids: list[int], delimiter: str) -> None:
        """Move emails out of `folder` (selected) into the Undeliverable folder, made when missing."""
        target = imap_folder(codes.UNDELIVERABLE_FOLDER, delimiter)
        if not self.call(f"looking for {target}", self.client.folder_exists, target):
            self.call(f"creating {target}", self.client.create_folder, target)
        self.call(f"opening {folder} to move email", self.client.select_folder, folder)  # read-write now
        if b"MOVE" in self.call("reading capabilities", self.client.capabilities):
            self.call(f"moving email to {target}", self.client.move, uids, target)
        else:  # RFC 3501 servers: copy, then delete only these (UID EXPUNGE where offered)
            self.call(f"copying email to {target}", self.client.copy, uids, target)
            self.call(f"removing email moved to {target}", self.client.delete_messages, uids)
            self.call(f"removing email moved to {target}", self.client.expunge, uids)

    def logout(self) -> None:
        try:
            self.client.logout()
        except (OSError, EOFError, IMAPClientError):
            self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError, AttributeError, IMAPClientError):
            self.client.shutdown()


class ImapMailSource(MailSource):
    """The incoming pipeline's view of one signed-in IMAP session (incoming.MailSource)."""

    moves_unreadable = True
    marks_tracked = False

    def __init__(self, job, session: ImapSession, delimiter: str, reopen):
        self.job, self.session, self.delimiter = job, session, delimiter
        self.reopen = reopen  # a new signed-in session, after the server closed this one on a refusal
        self.folders_read: list[str] = []  # as the server names them, for IDLE after the run
        self._ahead: asyncio.Future | None = None  # the next batch's FETCH, under way while a page is handled

    async def pages(self, folder: str, cursor: FolderCursor, ignore=()):
        server_folder = imap_folder(folder, self.delimiter)
        opened = await asyncio.to_thread(self.session.open_folder, server_folder)
        if opened is None:
            log.warning("Mailbox %s: folder %s is tracked but does not exist on the %s", self.job.mailbox.email,
                        server_folder, self.session.where)
            yield Page([], cursor)
            return
        uid_validity, uids = opened
        self.folders_read.append(server_folder)
        last_uid = cursor.last_uid or 0 if cursor.uid_validity == uid_validity else 0  # else renumbered: reread
        state = json.dumps({"folder": server_folder})
        prefix = _prefix(server_folder, uid_validity)
        new = [uid for uid in uids if uid > last_uid]
        if not new:
            yield Page([], FolderCursor(cursor.state, uid_validity, last_uid))
        batches = [new[start:start + BATCH] for start in range(0, len(new), BATCH)]
        try:
            for n, chunk in enumerate(batches):
                fetched, refused = await self._fetched(server_folder, chunk)
                if n + 1 < len(batches):  # the next batch downloads while the pipeline handles this one
                    self._ahead = asyncio.ensure_future(asyncio.to_thread(self.session.fetch, batches[n + 1]))
                yield Page(_raws(prefix, chunk, fetched, refused), FolderCursor(state, uid_validity, chunk[-1]), last=n + 1 == len(batches))
        finally:  # stopped early: the FETCH under way ends before anything else uses the connection
            ahead, self._ahead = self._ahead, None
            await net.let_finish(ahead)

    async def fetch(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        server_folder = imap_folder(folder, self.delimiter)
        opened = await asyncio.to_thread(self.session.open_folder, server_folder)
        if opened is None:
            return []
        uid_validity, uids = opened
        prefix = _prefix(server_folder, uid_validity)
        wanted = sorted({int(i.removeprefix(prefix)) for i in server_ids if i.startswith(prefix)
                         and i.removeprefix(prefix).isdigit()} & set(uids))  # renumbered since: not these emails
        if not wanted:
            return []
        return _raws(prefix, wanted, *await self._fetched(server_folder, wanted))

    async def _fetched(self, server_folder: str, uids: list[int]) -> tuple[dict, dict[int, str]]:
        """These emails, from the FETCH under way when there is one: ({uid: fetched}, {uid: why refused})."""
        ahead, self._ahead = self._ahead, None
        try:
            return await (ahead if ahead is not None else asyncio.to_thread(self.session.fetch, uids)), {}
        except FetchRefused:
            return await self._one_at_a_time(server_folder, uids)

    async def _one_at_a_time(self, server_folder: str, uids: list[int]) -> tuple[dict, dict[int, str]]:
        """Fetch each email alone: ({uid: fetched}, {uid: why the server refused it})."""
        fetched, refused = {}, {}
        for uid in uids:
            await self._fresh_session(server_folder)
            try:
                fetched.update(await asyncio.to_thread(self.session.fetch, [uid]))
            except FetchRefused as why:
                refused[uid] = str(why)
                log.warning("Mailbox %s: %s refused UID %d (%s)", self.job.mailbox.email, server_folder, uid, why)
        return fetched, refused

    async def _fresh_session(self, server_folder: str) -> None:
        """Sign in again and reopen the folder (the server may have closed the connection on its refusal)."""
        self.session.close()
        self.session = await self.reopen()
        if await asyncio.to_thread(self.session.open_folder, server_folder) is None:
            raise net.network_error(ConnectionError(f"{server_folder} disappeared"), self.session.where,
                                    f"opening {server_folder} again")

    async def move_unreadable(self, folder: str, emails: list[RawEmail]) -> None:
        server_folder = imap_folder(folder, self.delimiter)
        ahead = self._ahead
        if ahead is not None:  # the next batch's FETCH is on this connection: it ends first
            await asyncio.wait([ahead])
            if not ahead.cancelled() and isinstance(ahead.exception(), FetchRefused):  # the server may have hung up
                await self._fresh_session(server_folder)
        await asyncio.to_thread(self.session.move_to_undeliverable, server_folder, [e.marking for e in emails],
                                self.delimiter)


def _prefix(server_folder: str, uid_validity: int) -> str:
    """What comes before the UID in the server id of a folder's emails."""
    return f"{uid_validity}:" if server_folder == "INBOX" else f"{server_folder}/{uid_validity}:"


def _raws(prefix: str, uids: list[int], fetched: dict, refused: dict[int, str]) -> list[RawEmail]:
    emails = [RawEmail(f"{prefix}{uid}", raw, size, _naive_utc(internal_date), marking=uid)
              for uid in uids if uid in fetched for raw, size, internal_date in [fetched[uid]]]
    return emails + [RawEmail(f"{prefix}{uid}", b"", None, marking=uid, fetch_error=why)
                     for uid, why in refused.items()]


def _naive_utc(internal_date):
    if internal_date is not None and hasattr(internal_date, "astimezone"):
        return internal_date.astimezone(UTC).replace(tzinfo=None)
    return None


class ImapConnector(SmtpConnector):
    def __init__(self, profile):
        super().__init__(profile)
        self.arrival = ImapIdle(profile, self._open)

    async def _open(self, job) -> ImapSession:
        return await net.open_session(ImapSession, job, imap_endpoint(self.profile), self.profile)

    async def test_incoming(self, job) -> None:
        async with job.connection():
            session = await self._open(job)
            try:
                if await asyncio.to_thread(session.open_folder, "INBOX") is None:
                    raise PermanentError("InboxMissing", f"The {session.where} shows no Inbox for {net.username(job)}.",
                                         action="Check the mailbox's user name.")
            finally:
                await asyncio.to_thread(session.logout)

    @contextlib.asynccontextmanager
    async def mail_source(self, job):
        async with job.connection():
            session = await self._open(job)
            source = None
            try:
                delimiter = await asyncio.to_thread(session.delimiter)
                idle = b"IDLE" in await asyncio.to_thread(session.call, "reading capabilities",
                                                          session.client.capabilities)
                source = ImapMailSource(job, session, delimiter, reopen=lambda: self._open(job))
                yield source
            finally:
                await asyncio.to_thread((source.session if source else session).logout)
        self.arrival.folders_read[job.mailbox.id] = (source.folders_read, idle)  # after a good run only

    async def close(self) -> None:
        await self.arrival.close()


class ImapIdle:
    """IDLE push for the mailboxes of one IMAP profile: a watcher per folder, within half the connection cap."""

    def __init__(self, profile, open_session):
        self._open = open_session
        self.watch_limit = max(0, int(profile.max_concurrent_connections or 0) // 2)
        self.folders_read: dict[int, tuple[list[str], bool]] = {}  # mailbox id → (folders read, server has IDLE)
        self._watchers: dict[tuple[int, str], tuple[asyncio.Task, threading.Event]] = {}
        self._idle_threads = ThreadPoolExecutor(max_workers=max(1, self.watch_limit),
                                                thread_name_prefix=f"imap-idle-{profile.id}")

    async def follow(self, job) -> codes.Arrival:
        """After an incoming run: IDLE on the folders it read (the Inbox first), as far as the share lasts."""
        folders, idle = self.folders_read.get(job.mailbox.id, ([], False))
        if not idle:
            return codes.Arrival.REFUSED
        for folder in folders:
            self._ensure_watcher(job, folder)
        watched = sum(1 for folder in folders if (job.mailbox.id, folder) in self.watched_folders)
        if watched == len(folders):
            return codes.Arrival.PUSH
        return codes.Arrival.PUSH_SOME if watched else codes.Arrival.CAP_REACHED

    @property
    def watched_folders(self) -> set[tuple[int, str]]:
        """(mailbox id, folder) of every IDLE watcher still running."""
        return {key for key, (task, _) in self._watchers.items() if not task.done()}

    @property
    def watching(self) -> set[int]:
        return {mailbox_id for mailbox_id, _ in self.watched_folders}

    def _ensure_watcher(self, job, folder: str) -> None:
        """One IDLE connection per folder, while the profile's watcher share (half its cap) lasts: first come,
        first served, a mailbox's Inbox before its tracked folders; folders past the share are polled."""
        key = (job.mailbox.id, folder)
        watched = self.watched_folders
        if key in watched or len(watched) >= self.watch_limit:
            return
        stop = threading.Event()
        task = asyncio.get_running_loop().create_task(self._watch(job, folder, stop),
                                                      name=f"imap-idle-{job.mailbox.id}-{folder}")
        self._watchers[key] = (task, stop)

    async def _watch(self, job, folder: str, stop: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        arrived = events.IncomingMailArrived(mailbox_id=job.mailbox.id)

        def notify() -> None:
            loop.call_soon_threadsafe(job.publish, arrived)

        try:
            give_back = job.watcher_place()  # WatchersFull: other workers' watchers have the half
            try:
                async with job.connection():
                    session = await self._open(job)
                    await loop.run_in_executor(self._idle_threads, _idle_loop, session, folder, stop, notify)
            finally:
                give_back()
        except asyncio.CancelledError:
            stop.set()
            raise
        except Exception as exc:  # a watcher only speeds things up: polling goes on without it
            log.info("Mailbox %s: IDLE push stopped (%s); polling continues.", job.mailbox.email, exc)

    async def close(self) -> None:
        watchers = list(self._watchers.values())
        self._watchers.clear()
        for _, stop in watchers:
            stop.set()
        if watchers:
            await asyncio.gather(*(task for task, _ in watchers), return_exceptions=True)
        self._idle_threads.shutdown(wait=False, cancel_futures=True)


def _idle_loop(session: ImapSession, folder: str, stop: threading.Event, notify) -> None:
    """Idle on a folder until told to stop; call notify() whenever the server reports new email."""
    client = session.client
    try:
        client.select_folder(folder, readonly=True)
        while not stop.is_set():
            client.idle()
            renew_at = time.monotonic() + IDLE_RENEW_S
            while not stop.is_set() and time.monotonic() < renew_at:
                responses = client.idle_check(timeout=IDLE_CHECK_S)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    notify()
            client.idle_done()
    finally:
        session.logout()


def _imap_factory(profile) -> ImapConnector:
    return ImapConnector(profile)


contract.register([codes.ServerType.IMAP_SMTP], _imap_factory)
