"""IMAP/SMTP profiles: incoming email over IMAP (IMAPClient in worker threads), outgoing over SMTP.

Per folder the store keeps UIDVALIDITY and the highest UID handled (FolderSyncState); a run fetches
only newer UIDs, and commits the new high mark with each batch, so a restart repeats nothing and
misses nothing. When UIDVALIDITY changes (the server renumbered the folder) the folder is read again
from the start; tracking decides each server item once and knows Message-IDs already tracked, so
that creates no duplicates. Email is fetched with BODY.PEEK, leaving the user's read marks alone.

Push: where the server offers IDLE, a watcher per mailbox keeps one connection idling on the Inbox
and publishes IncomingMailArrived the moment new email lands, so the engine syncs it within seconds;
the engine's schedule keeps polling as the fallback (and where IDLE is missing). A watcher holds one
of the server's connection slots, so watchers are limited to half the profile's connections.
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
from crmsync_gui.core.connectors._internet_mail import (
    Endpoint,
    InternetMailConnector,
    Security,
    bad_credentials,
    deliver,
    endpoint,
    keep_unreadable,
    network_error,
    require_password,
    server_text,
    ssl_context,
    username,
)
from crmsync_gui.core.errors import PermanentError, SyncError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import FolderSyncState
from crmsync_gui.core.sync import connector as contract
from crmsync_gui.core.sync import mime, tracking

log = logging.getLogger(__name__)

BATCH = 25  # emails fetched per request; their decisions and the new UID mark commit together
IDLE_RENEW_S = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute inactivity limit
IDLE_CHECK_S = 1.0  # how often a watcher looks at its stop flag between server pushes


def imap_endpoint(profile) -> Endpoint:
    return endpoint(profile.incoming_server, use_ssl=profile.incoming_use_ssl, starttls=profile.incoming_starttls,
                    ssl_port=993, plain_port=143, what="IMAP server")


def imap_folder(name: str, delimiter: str) -> str:
    """A tracked folder's name ("Inbox", "Inbox/Projects") as the server spells it."""
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    if not parts or parts[0].lower() == "inbox":
        parts = ["INBOX"] + parts[1:]
    return delimiter.join(parts) if delimiter else "/".join(parts)


class ImapSession:
    """One signed-in IMAP connection; blocking, so every call runs in a worker thread."""

    def __init__(self, job, where: Endpoint, context: ssl.SSLContext | None):
        password = require_password(job, where)
        self.where = where
        try:
            self.client = imapclient.IMAPClient(where.host, where.port, ssl=where.security is Security.SSL,
                                                ssl_context=context, timeout=job.timeout_s)
        except (OSError, EOFError, IMAPClientAbortError) as exc:
            raise network_error(exc, where, "connecting") from None
        self.client.normalise_times = False  # INTERNALDATE with its zone, made UTC below
        try:
            if where.security is Security.STARTTLS:
                if b"STARTTLS" not in self.client.capabilities():
                    raise PermanentError("StarttlsNotOffered", f"The {where} does not offer STARTTLS.",
                                         action="Use SSL (usually port 993) instead, or turn SSL off if the "
                                                "network is trusted.")
                self.client.starttls(context)
            self.client.login(username(job), password)
        except LoginError as exc:
            self.close()
            said = server_text(exc)
            if "UNAVAILABLE" in said or "Temporary" in said:
                raise network_error(ConnectionError(said), where, "signing in") from None
            raise bad_credentials(job, where, said) from None
        except SyncError:
            self.close()
            raise
        except (OSError, EOFError, IMAPClientError) as exc:
            self.close()
            raise network_error(exc, where, "signing in") from None

    def call(self, doing: str, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except IMAPClientAbortError as exc:
            raise network_error(ConnectionError(server_text(exc)), self.where, doing) from None
        except IMAPClientError as exc:
            raise network_error(RuntimeError(server_text(exc)), self.where, doing) from None
        except (OSError, EOFError) as exc:
            raise network_error(exc, self.where, doing) from None

    def delimiter(self) -> str:
        folders = self.call("listing folders", self.client.list_folders, "", "INBOX")
        delimiter = folders[0][1] if folders else b"/"
        return delimiter.decode() if isinstance(delimiter, bytes) else (delimiter or "/")

    def open_folder(self, folder: str) -> tuple[int, list[int]] | None:
        """(UIDVALIDITY, every UID) of a folder, or None when the folder does not exist."""
        try:
            info = self.client.select_folder(folder, readonly=True)
        except IMAPClientAbortError as exc:
            raise network_error(ConnectionError(server_text(exc)), self.where, f"opening {folder}") from None
        except IMAPClientError:
            return None
        except (OSError, EOFError) as exc:
            raise network_error(exc, self.where, f"opening {folder}") from None
        uids = self.call(f"listing {folder}", self.client.search, "ALL")
        return int(info[b"UIDVALIDITY"]), sorted(uids)

    def fetch(self, uids: list[int]) -> dict[int, tuple[bytes, int, object]]:
        """{uid: (raw bytes, size on the server, INTERNALDATE)}; a huge email comes as its first bytes."""
        meta = self.call("fetching email sizes", self.client.fetch, uids, ["RFC822.SIZE", "INTERNALDATE"])
        small = [uid for uid in uids if meta.get(uid, {}).get(b"RFC822.SIZE", 0) <= mime.MAX_EMAIL_BYTES]
        huge = [uid for uid in uids if uid not in small and uid in meta]
        bodies = self.call("fetching email", self.client.fetch, small, ["BODY.PEEK[]"]) if small else {}
        heads = (self.call("fetching an email's head", self.client.fetch, huge,
                           [f"BODY.PEEK[]<0.{mime.KEEP_RAW_BYTES}>"]) if huge else {})
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


class ImapConnector(InternetMailConnector):
    def __init__(self, profile):
        super().__init__(profile)
        self.watch_limit = max(0, int(profile.max_concurrent_connections or 0) // 2)
        self._watchers: dict[int, tuple[asyncio.Task, threading.Event]] = {}
        self._idle_threads = ThreadPoolExecutor(max_workers=max(1, self.watch_limit),
                                                thread_name_prefix=f"imap-idle-{profile.id}")

    async def _open(self, job) -> ImapSession:
        where = imap_endpoint(self.profile)
        context = ssl_context(self.profile) if where.security is not Security.NONE else None
        return await asyncio.to_thread(ImapSession, job, where, context)

    async def test_incoming(self, job) -> None:
        async with job.connection():
            session = await self._open(job)
            try:
                if await asyncio.to_thread(session.open_folder, "INBOX") is None:
                    raise PermanentError("InboxMissing", f"The {session.where} shows no Inbox for {username(job)}.",
                                         action="Check the mailbox's user name.")
            finally:
                await asyncio.to_thread(session.logout)

    async def sync_incoming(self, job) -> int:
        processed = 0
        async with job.connection():
            session = await self._open(job)
            try:
                delimiter = await asyncio.to_thread(session.delimiter)
                idle = b"IDLE" in await asyncio.to_thread(session.call, "reading capabilities",
                                                          session.client.capabilities)
                for name in tracking.tracked_folders(job.mailbox):
                    processed += await self._sync_folder(job, session, name, imap_folder(name, delimiter), delimiter)
            finally:
                await asyncio.to_thread(session.logout)
        if idle:
            self._ensure_watcher(job)
        return processed

    async def _sync_folder(self, job, session: ImapSession, name: str, folder: str, delimiter: str) -> int:
        opened = await asyncio.to_thread(session.open_folder, folder)
        if opened is None:
            log.warning("Mailbox %s: folder %s is tracked but does not exist on the %s", job.mailbox.email,
                        folder, session.where)
            return 0
        uid_validity, uids = opened
        row, _ = FolderSyncState.get_or_create(mailbox=job.mailbox, folder=name, direction=codes.Direction.INCOMING)
        if row.uid_validity != uid_validity:  # first run, or the server renumbered the folder
            row.uid_validity, row.last_uid = uid_validity, 0
        new = [uid for uid in uids if uid > (row.last_uid or 0)]
        settings = tracking.organization_settings()
        prefix = f"{uid_validity}:" if folder == "INBOX" else f"{folder}/{uid_validity}:"
        processed = 0
        address_book: dict = {}  # sender/recipient → CRM record, looked up once per run
        move_failed = bool(self.profile.move_failed_to_undeliverable)
        for start in range(0, len(new), BATCH):
            chunk = new[start:start + BATCH]
            fetched = await asyncio.to_thread(session.fetch, chunk)
            emails = []
            unreadable: dict[int, mime.UnreadableEmailError] = {}
            for uid in chunk:
                if uid not in fetched:
                    continue
                raw, size, internal_date = fetched[uid]
                server_id = f"{prefix}{uid}"
                try:
                    email = mime.parse_email(raw, server_id=server_id, folder=name, raw_size=size)
                except mime.UnreadableEmailError as error:
                    unreadable[uid] = error
                    continue
                if internal_date is not None and hasattr(internal_date, "astimezone"):
                    email.received_at = internal_date.astimezone(UTC).replace(tzinfo=None)
                emails.append(email)
            processed += deliver(job, emails, settings, address_book)
            if unreadable and move_failed:  # moved before recorded: a failed move leaves the batch to redo
                await asyncio.to_thread(session.move_to_undeliverable, folder, list(unreadable), delimiter)
            for error in unreadable.values():
                processed += keep_unreadable(job, error, name, moved=move_failed)
            with database_proxy.atomic():
                row.last_uid, row.updated_at = chunk[-1], utcnow()
                row.state = json.dumps({"folder": folder})
                row.save()
        with database_proxy.atomic():
            row.save()  # a first run, or a new UIDVALIDITY, with nothing new to fetch
        return processed

    # -- IDLE push ----------------------------------------------------------------------------------

    @property
    def watching(self) -> set[int]:
        return {mailbox_id for mailbox_id, (task, _) in self._watchers.items() if not task.done()}

    def _ensure_watcher(self, job) -> None:
        mailbox_id = job.mailbox.id
        if mailbox_id in self.watching or len(self.watching) >= self.watch_limit:
            return
        stop = threading.Event()
        task = asyncio.get_running_loop().create_task(self._watch(job, stop), name=f"imap-idle-{mailbox_id}")
        self._watchers[mailbox_id] = (task, stop)

    async def _watch(self, job, stop: threading.Event) -> None:
        loop = asyncio.get_running_loop()
        arrived = events.IncomingMailArrived(mailbox_id=job.mailbox.id)

        def notify() -> None:
            loop.call_soon_threadsafe(job.publish, arrived)

        try:
            async with job.connection():
                session = await self._open(job)
                await loop.run_in_executor(self._idle_threads, _idle_loop, session, stop, notify)
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


def _idle_loop(session: ImapSession, stop: threading.Event, notify) -> None:
    """Idle on the Inbox until told to stop; call notify() whenever the server reports new email."""
    client = session.client
    try:
        client.select_folder("INBOX", readonly=True)
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
