"""Email over Microsoft Graph: a MailSource for the incoming pipeline (message delta per folder) and a
MailTransport (a draft carrying the journaled Message-ID, then send).

A folder is read with `messages/delta` from its stored link (a round pages with @odata.nextLink and ends
with an @odata.deltaLink, which is the cursor kept; each page's link is committed after it, so a restart
resumes mid-round). `$select` asks only for what tracking needs: addresses, subject, dates, the
Message-ID, the correlation headers (In-Reply-To, References, Thread-Index) and the body; an email is
rebuilt as MIME from them for the common parser, and tracking decides on that. An email with attachments
is given as `content_later`: only those tracking keeps are downloaded whole (`$value`, `complete`), so an
untracked email costs no request of its own. The next page downloads while one is tracked. Tracked email gets the "Tracked to
CRM" category in $batch requests; the pipeline's next read ignores those changes of ours. A forgotten
delta token (410) raises CursorExpired and the pipeline reads the folder again, deciding nothing twice.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from urllib.parse import quote

from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.connectors._graph_errors import GraphReply, map_error
from crmsync_gui.core.errors import MessageRejected, PermanentError, SyncError
from crmsync_gui.core.sync.mail import FolderCursor, MailSource, Page, RawEmail, read_ahead

PAGE_SIZE = 100  # Prefer: odata.maxpagesize for a delta page
SELECT = ("subject,from,toRecipients,ccRecipients,bccRecipients,receivedDateTime,sentDateTime,internetMessageId,"
          "internetMessageHeaders,body,hasAttachments,categories,changeKey")
_CORRELATION_HEADERS = ("in-reply-to", "references", "thread-index")
_REJECTIONS = ("ErrorInvalidRecipients", "ErrorMessageSizeExceeded", "ErrorMimeContentInvalidBase64String",
               "ErrorMimeContentConversionFailed")


class GraphMailSource(MailSource):
    """The incoming pipeline's view of one mailbox over Graph (incoming.MailSource)."""

    marks_tracked = True

    def __init__(self, session, job):
        self.session, self.job = session, job

    async def pages(self, folder: str, cursor: FolderCursor, ignore=()):
        what = f"syncing folder {folder} of {self.job.mailbox.email}"
        if cursor.state:
            url, params = cursor.state, None
        else:
            url = self.session.user_url(self.job, f"mailFolders/{await self.folder_id(folder)}/messages/delta")
            params = {"$select": SELECT}
        ignored = set(ignore)

        async def fetch(request):
            link, query = request
            return await self.session.call(self.job, what, "GET", link, params=query,
                                           headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"}) or {}

        def next_of(page):
            return None if (link := page.get("@odata.nextLink")) is None else (link, None)

        replies = read_ahead(fetch, (url, params), next_of, "SyncStateNotFound")
        async with contextlib.aclosing(replies):  # stopped early: the page under way is cancelled at once
            async for page in replies:
                link = page.get("@odata.nextLink")
                emails = [_raw(m) for m in page.get("value", []) if "@removed" not in m and m.get("id") not in ignored]
                yield Page(emails, FolderCursor(state=link or page.get("@odata.deltaLink")), last=link is None)

    async def folder_id(self, folder: str) -> str:
        """The Graph id of a tracked folder (Inbox, Inbox/Projects), looked up once per profile's session."""
        key = (self.job.mailbox.email.lower(), folder.lower())
        found = self.session.folder_ids.get(key)
        if found is None:
            parts = [p for p in folder.split("/") if p]
            found = "inbox"  # tracked folders are the Inbox and folders under it
            for part in parts[1:] if parts and parts[0].lower() == "inbox" else parts:
                found = await self._child(found, part, folder)
            self.session.folder_ids[key] = found
        return found

    async def _child(self, parent: str, name: str, folder: str) -> str:
        what = f"finding folder {folder} of {self.job.mailbox.email}"
        url = self.session.user_url(self.job, f"mailFolders/{parent}/childFolders")
        async for page in self.session.pages(self.job, what, url, params={"$top": "100"}):
            for child in page.get("value", []):
                if str(child.get("displayName", "")).lower() == name.lower():
                    return child["id"]
        raise PermanentError("FolderNotFound", f"Mailbox {self.job.mailbox.email} has no folder {folder}.",
                             action="Correct or remove the folder's tracking rule.")

    async def complete(self, folder: str, emails: list[RawEmail]) -> list[RawEmail]:
        what = f"downloading tracked email with attachments in {folder} of {self.job.mailbox.email}"
        return list(await asyncio.gather(*(self._whole(raw, what) for raw in emails)))

    async def _whole(self, raw: RawEmail, what: str) -> RawEmail:
        try:
            mime = await self.session.download(self.job, what, self._message_url(raw.server_id) + "/$value")
        except SyncError as error:
            if error.code != "ItemNotFound":
                raise
            return dataclasses.replace(raw, content_later=False)  # deleted meanwhile: tracked as read
        return dataclasses.replace(raw, raw=mime, size=len(mime), content_later=False)

    async def mark_tracked(self, folder: str, emails: list[RawEmail]) -> None:
        requests = [{"method": "PATCH", "url": self._message_url(e.server_id), "body": {"categories": [
            *categories, TRACKED_CATEGORY]}, "headers": {"Content-Type": "application/json"}}
                    for e in emails for _key, categories in [e.marking] if TRACKED_CATEGORY not in categories]
        if requests:
            answers = await self.session.batch(self.job, f"marking tracked email in {folder}", requests)
            _raise_first(answers, f"marking tracked email in {folder}")

    async def still_there(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        what = f"reading tracked email still to mark in {folder}"
        answers = await self.session.batch(self.job, what, [
            {"method": "GET", "url": self._message_url(i) + "?$select=categories,changeKey"} for i in server_ids])
        _raise_first(answers, what)
        return [RawEmail(server_id, b"", marking=(a["body"].get("changeKey"), a["body"].get("categories") or []))
                for server_id, a in zip(server_ids, answers, strict=True) if a.get("status") == 200]

    async def fetch(self, folder: str, server_ids: list[str]) -> list[RawEmail]:
        what = f"reading email again in {folder} of {self.job.mailbox.email}"
        answers = await self.session.batch(self.job, what, [
            {"method": "GET", "url": self._message_url(i) + f"?$select={SELECT}"} for i in server_ids])
        _raise_first(answers, what)
        found = [_raw(a["body"]) for a in answers if a.get("status") == 200]
        later = [raw for raw in found if raw.content_later]
        return [raw for raw in found if not raw.content_later] + (await self.complete(folder, later) if later else [])

    def _message_url(self, server_id: str) -> str:
        return self.session.user_url(self.job, f"messages/{quote(server_id, safe='')}")


def _raise_first(answers: list[dict], what: str) -> None:
    """The first error among a batch's answers, raised; an item deleted meanwhile (404) is no error here."""
    for answer in answers:
        status = answer.get("status", 500)
        if status >= 400 and status != 404:
            raise map_error(GraphReply.from_body(status, answer.get("body"), answer.get("headers"), "", ""), what)


def _raw(message: dict) -> RawEmail:
    """The email as tracking first sees it: rebuilt from its properties; one with attachments is fetched whole
    later, if tracking keeps it."""
    mime = _mime_of(message)
    return RawEmail(message["id"], mime, len(mime), _naive_utc(message.get("receivedDateTime")),
                    _header(message, "thread-index"), (message.get("changeKey"), list(message.get("categories") or [])),
                    content_later=bool(message.get("hasAttachments")))


def _naive_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _header(message: dict, name: str) -> str | None:
    for header in message.get("internetMessageHeaders") or []:
        if str(header.get("name", "")).lower() == name:
            return str(header.get("value", ""))
    return None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())  # no CR or LF can start a header of its own


def _encoded(text: str) -> str:
    text = _one_line(text)
    return text if text.isascii() else Header(text, "utf-8").encode()


def _addresses(people) -> str:
    return ", ".join(formataddr((_one_line((p.get("emailAddress") or {}).get("name") or ""),
                                 _one_line((p.get("emailAddress") or {}).get("address") or ""))) for p in people or [])


def _mime_of(message: dict) -> bytes:
    """The email as MIME, rebuilt from the Graph properties tracking needs and parsed like any other email.
    Written line by line: the email package's own writer cost five times the parse."""
    lines = []
    if message.get("from"):
        lines.append(f"From: {_addresses([message['from']])}")
    for header, key in (("To", "toRecipients"), ("Cc", "ccRecipients"), ("Bcc", "bccRecipients")):
        if message.get(key):
            lines.append(f"{header}: {_addresses(message[key])}")
    lines.append(f"Subject: {_encoded(message.get('subject') or '')}")
    if sent := _naive_utc(message.get("sentDateTime")):
        lines.append(f"Date: {format_datetime(sent.replace(tzinfo=UTC))}")
    if message.get("internetMessageId"):
        lines.append(f"Message-ID: {_one_line(message['internetMessageId'])}")
    for name in _CORRELATION_HEADERS:
        if (value := _header(message, name)) is not None:
            lines.append(f"{name.title()}: {_one_line(value)}")
    body = message.get("body") or {}
    subtype = "html" if str(body.get("contentType", "")).lower() == "html" else "plain"
    lines += ["MIME-Version: 1.0", f'Content-Type: text/{subtype}; charset="utf-8"',
              "Content-Transfer-Encoding: base64"]
    head = "\r\n".join(lines).encode("ascii", "replace")
    return head + b"\r\n\r\n" + base64.encodebytes((body.get("content") or "").encode("utf-8"))


# -- outgoing through Graph --------------------------------------------------------------------------------

class GraphTransport:
    """MailTransport over Graph: the MIME (its Message-ID journaled before) becomes a draft, which is sent;
    was_sent looks for that Message-ID in Sent Items and the Outbox, and finds a draft a stopped run left."""

    def __init__(self, session):
        self.session = session
        self._drafts: dict[tuple[str, str], str] = {}  # (mailbox, Message-ID) → a draft not sent yet

    async def send(self, job, message: EmailMessage, handing_over: Callable[[], None]) -> None:
        message_id = str(message["Message-ID"])
        key = (job.mailbox.email.lower(), message_id)
        draft = self._drafts.pop(key, None)
        handing_over()  # a draft is not sent, but was_sent finds one a stopped run left and sends that
        try:
            if draft is None:
                created = await self.session.call(
                    job, f"saving email {message_id} as a draft", "POST", self.session.user_url(job, "messages"),
                    data=base64.b64encode(message.as_bytes()), headers={"Content-Type": "text/plain"})
                draft = created["id"]
            await self.session.call(job, f"sending email {message_id}", "POST",
                                    self.session.user_url(job, f"messages/{quote(draft, safe='')}/send"))
        except PermanentError as error:
            if any(error.code == f"Graph{code}" for code in _REJECTIONS):
                raise MessageRejected(error.code, f"Exchange Online refused this email: {error}",
                                      action="Correct the recipients or the size, then send it again.") from None
            raise

    async def was_sent(self, job, message_id: str) -> bool | None:
        for folder in ("sentitems", "outbox", "drafts"):
            found = await self._find(job, folder, message_id)
            if found and folder == "drafts":
                self._drafts[job.mailbox.email.lower(), message_id] = found  # send that one, not another
            elif found:
                return True
        return False

    async def _find(self, job, folder: str, message_id: str) -> str | None:
        reply = await self.session.call(
            job, f"looking for email {message_id} in {folder}", "GET",
            self.session.user_url(job, f"mailFolders/{folder}/messages"),
            params={"$filter": f"internetMessageId eq '{message_id.replace(chr(39), chr(39) * 2)}'",
                    "$select": "id", "$top": "1"})
        found = (reply or {}).get("value") or []
        return found[0]["id"] if found else None
