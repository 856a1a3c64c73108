"""Email over EWS: a MailSource for the incoming pipeline (SyncFolderItems pages of MIME) and a MailTransport.

A folder is read with SyncFolderItems from its stored sync state, 100 changes a request; the MIME
carries everything tracking needs (parsed by the pipeline, as for IMAP and POP3), attachments
included, so a page of 100 emails is one request, and the next page downloads while this one is
tracked. Tracked email gets the tracked category, so users see it in Outlook.
"""
from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import exchangelib
from exchangelib import errors as ews
from exchangelib.items import ID_ONLY, Message
from exchangelib.services import SyncFolderItems

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.errors import MessageRejected
from crmsync_gui.core.sync.mail import FolderCursor, MailSource, Page, RawEmail, read_ahead

PAGE_SIZE = 100  # SyncFolderItems MaxChangesReturned per request
_UNDELIVERABLE = codes.UNDELIVERABLE_FOLDER.split("/")[-1]  # a folder under the Inbox
_EMAIL_FIELDS = ("mime_content", "conversation_index", "datetime_received", "size", "categories")


class EwsMailSource(MailSource):
    """The incoming pipeline's view of one mailbox over EWS (incoming.MailSource)."""

    moves_unreadable = True
    marks_tracked = True

    def __init__(self, session, job):
        self.session, self.job = session, job
        self.account = session.account(job)
        self.folders_read: list = []  # exchangelib folders, for the push subscription after the run

    def _call(self, what: str, fn, *args):
        return self.session.call(self.job, what, fn, *args)

    async def pages(self, folder: str, cursor: FolderCursor, ignore=()):
        what = f"syncing folder {folder} of {self.job.mailbox.email}"
        ews_folder = await self._call(what, self.session.folder, self.account, folder)
        if ews_folder not in self.folders_read:
            self.folders_read.append(ews_folder)

        def fetch(request):
            state, ignored = request
            return self._call(what, _fetch_page, self.account, ews_folder, state, list(ignored))

        replies = read_ahead(fetch, (cursor.state, ignore), lambda r: None if r[2] else (r[1], ()),
                             "EwsInvalidSyncStateData")
        async with contextlib.aclosing(replies):  # stopped early: the page under way is cancelled at once
            async for items, state, last in replies:
                yield Page([_raw(item) for item in items], FolderCursor(state=state), last=last)

    async def move_unreadable(self, folder: str, emails: list[RawEmail]) -> None:
        await self._call(f"moving unreadable email to {codes.UNDELIVERABLE_FOLDER}", _move_to_undeliverable,
                         self.account, [e.server_id for e in emails])

    async def mark_tracked(self, folder: str, emails: list[RawEmail]) -> None:
        await self._call(f"marking tracked email in {folder}", _add_category, self.account, emails)

    async def still_there(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        return await self._call(f"reading tracked email still to mark in {folder}", _categories_of, self.account,
                                server_ids)

    async def fetch(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        return await self._call(f"reading email again in {folder} of {self.job.mailbox.email}", _emails_by_id,
                                self.account, server_ids)


# -- blocking helpers (run in the profile's threads) ------------------------------------------------

def _naive_utc(value):
    if value is None:
        return None
    return datetime.fromtimestamp(value.timestamp(), UTC).replace(tzinfo=None)  # a plain datetime, not EWSDateTime


def _raw(item: Message) -> RawEmail:
    return RawEmail(item.id, item.mime_content or b"", item.size or None, _naive_utc(item.datetime_received),
                    base64.b64encode(item.conversation_index).decode() if item.conversation_index else None,
                    (item.changekey, item.categories or []))


def _fetch_page(account, folder, sync_state, ignore: list[str]):
    """One SyncFolderItems request: (created or changed emails, new state, last page?)."""
    service = SyncFolderItems(account=account)
    fields = {f for f in folder.normalize_fields(fields=list(_EMAIL_FIELDS)) if not f.field.is_attribute}
    changes = []
    for change in service.call(folder=folder, shape=ID_ONLY, additional_fields=fields, sync_state=sync_state,
                               ignore=[(i, None) for i in ignore] or None, max_changes_returned=PAGE_SIZE,
                               sync_scope=None):
        if isinstance(change, Exception):
            raise change
        change_type, item = change
        if change_type in (service.CREATE, service.UPDATE) and isinstance(item, Message):
            changes.append(_identified(item))
    return changes, service.sync_state, bool(service.includes_last_item_in_range)


def _categories_of(account, item_ids: list[str]) -> list[RawEmail]:
    """The current change key and categories of these items (the ones still there)."""
    found = []
    for item in account.fetch(ids=[(i, None) for i in item_ids], only_fields=["categories"]):
        if isinstance(item, ews.ErrorItemNotFound):
            continue
        if isinstance(item, Exception):
            raise item
        found.append(RawEmail(_identified(item).id, b"", marking=(item.changekey, item.categories or [])))
    return found


def _emails_by_id(account, item_ids: list[str]) -> list[RawEmail]:
    """These emails whole, as a page has them (those the server no longer holds left out)."""
    found = []
    for item in account.fetch(ids=[(i, None) for i in item_ids], only_fields=list(_EMAIL_FIELDS)):
        if isinstance(item, ews.ErrorItemNotFound):
            continue
        if isinstance(item, Exception):
            raise item
        if isinstance(item, Message):
            found.append(_raw(_identified(item)))
    return found


def _identified(item: Message) -> Message:
    """The item, which must carry its ItemId: without one, the reply was broken (exchangelib reads XML leniently)."""
    if not item.id:
        raise ews.MalformedResponseError("an email in the server's reply has no ItemId")
    return item


def _add_category(account, emails: list[RawEmail]) -> None:
    """Show users what was tracked: add the category, keeping theirs (AutoResolve: a category is safe to add)."""
    updates = [(Message(account=account, id=e.server_id, changekey=change_key,
                        categories=[*categories, TRACKED_CATEGORY]), ["categories"])
               for e in emails for change_key, categories in [e.marking] if TRACKED_CATEGORY not in categories]
    if updates:
        for result in account.bulk_update(items=updates):
            if isinstance(result, Exception) and not isinstance(result, ews.ErrorItemNotFound):  # deleted meanwhile
                raise result


def _move_to_undeliverable(account, item_ids: list[str]) -> None:
    """Move emails into Inbox/Undeliverable, making the folder when it is missing."""
    try:
        target = account.inbox / _UNDELIVERABLE
    except ews.ErrorFolderNotFound:
        target = exchangelib.Folder(parent=account.inbox, name=_UNDELIVERABLE)
        target.save()
    for result in account.bulk_move(ids=[(item_id, None) for item_id in item_ids], to_folder=target):
        if isinstance(result, Exception) and not isinstance(result, ews.ErrorItemNotFound):  # deleted meanwhile
            raise result


# -- outgoing through EWS ------------------------------------------------------------------------

class EwsTransport:
    """MailTransport over EWS: CreateItem with SendAndSaveCopy; was_sent looks in Sent Items."""

    def __init__(self, session):
        self.session = session

    async def send(self, job, message: EmailMessage, handing_over: Callable[[], None]) -> None:
        account = self.session.account(job)
        handing_over()
        await self.session.call(job, f"sending email {message['Message-ID']}", _send_mime, account,
                                message.as_bytes())

    async def was_sent(self, job, message_id: str) -> bool | None:
        account = self.session.account(job)
        return await self.session.call(job, f"looking for email {message_id} in Sent Items", _in_sent_items,
                                       account, message_id)


_REJECTIONS = (ews.ErrorInvalidRecipients, ews.ErrorMessageSizeExceeded)


def _send_mime(account, mime: bytes) -> None:
    try:
        Message(account=account, folder=account.sent, mime_content=mime).send_and_save()
    except _REJECTIONS as exc:
        raise MessageRejected(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused this email: {exc}.",
                              action="Correct the recipients or the size, then send it again.") from None


def _in_sent_items(account, message_id: str) -> bool:
    return account.sent.filter(message_id=message_id).only("id").count() > 0
