"""Protocol-independent email shapes shared by every connector and by tracking and sending.

A connector's MailSource gives the incoming pipeline (core/sync/incoming.py) pages of RawEmail
from a folder's cursor; the pipeline parses them into IncomingEmails (core/sync/mime.py, for
every protocol alike) and core/sync/tracking.py decides whether and how each is tracked.
Outgoing email goes through a connector's MailTransport (EWS send, SMTP).
"""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from crmsync_gui.core.errors import TransientError


@dataclass(frozen=True)
class Address:
    address: str  # lower-cased
    name: str = ""


@dataclass(frozen=True)
class IncomingAttachment:
    file_name: str
    mime_type: str
    content: bytes
    size: int | None = None  # the size on the server, when content was left there (over the org's limit)


@dataclass
class IncomingEmail:
    server_id: str  # the item's id on the server: EWS ItemId, IMAP "UIDVALIDITY:UID", POP3 UIDL
    message_id: str | None
    subject: str
    sender: Address | None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    received_at: datetime | None = None  # naive UTC
    sent_at: datetime | None = None  # naive UTC, the Date header: the activity's "Sent on"
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    thread_index: str | None = None  # Exchange ConversationIndex / Thread-Index header, base64
    body_text: str = ""
    body_html: str | None = None
    attachments: list[IncomingAttachment] = field(default_factory=list)
    folder: str = "Inbox"
    raw_size: int = 0
    content_later: bool = False  # parsed from its headers and body only; tracking asks for the rest (ContentNeeded)


class MailTransport(Protocol):
    """How outgoing email leaves: EWS send or SMTP. Used by core/sync/outgoing.py."""

    async def send(self, job, message: EmailMessage, handing_over: Callable[[], None]) -> None:
        """Send a message whose Message-ID is already set (and recorded before this call). Call `handing_over`
        (it commits Sending) right before the first byte of the message can reach the server: after
        connecting and signing in, so a run that dies before then leaves the email Pending Send."""

    async def was_sent(self, job, message_id: str) -> bool | None:
        """After a crash between send and commit: True/False when the server can tell (Sent Items),
        None when it cannot (plain SMTP)."""


@dataclass(frozen=True)
class FolderCursor:
    """Where a folder's reading stopped: an opaque state (EWS sync state, POP3's handled UIDLs) or IMAP's
    UIDVALIDITY and highest UID. Stored in FolderSyncState, committed after the page it follows."""

    state: str | None = None
    uid_validity: int | None = None
    last_uid: int | None = None


@dataclass
class RawEmail:
    """One email as the server holds it, before parsing."""

    server_id: str  # EWS ItemId, IMAP "UIDVALIDITY:UID", POP3 UIDL
    raw: bytes  # the MIME (only its first bytes when it is over the size limit)
    size: int | None = None  # its size on the server
    received_at: datetime | None = None  # naive UTC, when the server knows when it arrived
    thread_index: str | None = None  # the server's conversation index, when the MIME has none
    marking: object = None  # what the source needs to mark it later (EWS: change key and categories)
    fetch_error: str | None = None  # why the server would not hand this one email over; then kept as unreadable
    content_later: bool = False  # `raw` is its headers and body only: MailSource.complete fetches the whole
    # (attachments), and only for the emails tracking keeps


@dataclass
class Page:
    emails: list[RawEmail]
    cursor: FolderCursor  # the folder's cursor once this page is handled
    last: bool = True
    handle: object = None  # the source's own reference for page_handled (POP3: message numbers)


class CursorExpired(Exception):
    """The server no longer knows the cursor (EWS ErrorInvalidSyncStateData): read the folder from the start."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error  # what the server said, raised when even a fresh start fails


async def read_ahead(fetch: Callable[[object], Awaitable], first: object, next_of: Callable[[object], object],
                     expired_code: str) -> AsyncIterator:
    """Each reply of a folder's page requests, the next one downloading while the caller handles this one.

    `fetch(request)` asks for a page; `next_of(reply)` is the request for the page after it, or None after
    the last. The server's error `expired_code` (its cursor forgotten) becomes CursorExpired. The request
    under way when the caller stops early is cancelled.
    """
    ahead = asyncio.ensure_future(fetch(first))
    try:
        while ahead is not None:
            try:
                reply = await ahead
            except TransientError as error:
                if error.code == expired_code:
                    raise CursorExpired(error) from None
                raise
            following = next_of(reply)
            ahead = None if following is None else asyncio.ensure_future(fetch(following))
            yield reply
    finally:
        if ahead is not None and not ahead.done():
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead


class MailSource:
    """One signed-in view of a mailbox's email for one incoming run: what a protocol adapter implements.

    Only `pages` is required; the rest have the defaults of a source that cannot move or mark email."""

    moves_unreadable = False  # can move an email to the Undeliverable folder (POP3 has no folders)
    marks_tracked = False  # sets the tracked category on the server, so users see what was tracked

    def folders(self, tracked: list[str]) -> list[str]:
        """Which of the mailbox's tracked folders this source can read (POP3: the Inbox only)."""
        return tracked

    def pages(self, folder: str, cursor: FolderCursor, ignore: Sequence[str] = ()) -> AsyncIterator[Page]:
        """Pages of the email newer than the cursor, at least one (an empty last page when nothing is new).
        `ignore`: server ids whose own changes (our marks) are not news. A dead cursor raises CursorExpired."""
        raise NotImplementedError

    async def page_handled(self, folder: str, page: Page, unreadable: set[str]) -> FolderCursor:
        """The page's emails are decided; return the cursor to commit (POP3 deletes imported email here)."""
        return page.cursor

    async def move_unreadable(self, folder: str, emails: list[RawEmail]) -> None:
        raise NotImplementedError  # only called when moves_unreadable

    async def mark_tracked(self, folder: str, emails: list[RawEmail]) -> None:
        raise NotImplementedError  # only called when marks_tracked

    async def still_there(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        """Those of these emails still in the folder, with what marking them needs (no content)."""
        raise NotImplementedError  # only called when marks_tracked

    async def fetch(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        """Those of these emails still in the folder, whole, read again from the server (Reprocess). One the server
        refuses comes with its `fetch_error`, as in `pages`."""
        raise NotImplementedError

    async def complete(self, folder: str, emails: list[RawEmail]) -> list[RawEmail]:
        """These emails whole (each one's MIME with its attachments, `content_later` False), in the same order:
        the ones tracking keeps among those `pages` gave with `content_later`. One the server no longer holds
        comes back as it was, `content_later` False: it is tracked as read, without the attachments."""
        raise NotImplementedError  # only called for emails a source gave with content_later
