"""Drafts and sending: create a draft (JSON or base64 MIME), send it, and sendMail (JSON or base64 MIME), delivered into the
recipients' sandbox inboxes as the MIME that was sent, so Message-ID, In-Reply-To, References and custom
x-headers arrive as written; a copy goes to the sender's Sent Items."""
from __future__ import annotations

import base64
import binascii
import email.policy
import email.utils
from email.parser import BytesParser

from aiohttp import web

from .. import items as it
from .. import seed as seeding
from ..soap import t
from ..store import Item, Mailbox, new_id
from .call import Call
from .mail import find_message
from .messages import apply, message_json
from .replies import GraphError


def _mime_of_json(mailbox: Mailbox, message: dict) -> bytes:
    """The MIME Exchange would write for a JSON message, with its custom x-headers."""
    custom = message.get("internetMessageHeaders") or []
    for header in custom:
        if not str(header.get("name", "")).lower().startswith("x-"):
            raise GraphError(400, "InvalidInternetMessageHeader", "The internet message header name "
                             f"'{header.get('name')}' should start with 'x-' or 'X-'.")
    item = Item(new_id("AAMkI", mailbox.tag), "Message", "", {})
    apply(item, {k: v for k, v in message.items() if k != "internetMessageHeaders"})
    item.fields.setdefault("InternetMessageId", t("InternetMessageId", email.utils.make_msgid(domain="sandbox.test")))
    if "From" not in item.fields:
        holder = t("From")
        it.mailbox_xml(holder, mailbox.name, mailbox.address)
        item.fields["From"] = holder
    msg = BytesParser(policy=email.policy.SMTP).parsebytes(_sendable_mime(item))
    for header in custom:
        msg[header["name"]] = header["value"]
    return bytes(msg)


def _sendable_mime(item: Item) -> bytes:
    """The item's MIME with its Bcc recipients, which a stored message's MIME leaves out."""
    msg = BytesParser(policy=email.policy.SMTP).parsebytes(it.mime_of(item))
    bcc = it.addresses(item, "BccRecipients")
    if bcc:
        msg["Bcc"] = ", ".join(email.utils.formataddr((n or "", a)) for n, a in bcc)
    return bytes(msg)


def deliver(call: Call, mime: bytes, save_to_sent: bool = True) -> None:
    """Into each sandbox recipient's Inbox (others are dropped, as mail to the internet would leave),
    and into the sender's Sent Items."""
    msg = BytesParser(policy=email.policy.default).parsebytes(mime, headersonly=True)
    people = email.utils.getaddresses([str(v) for h in ("To", "Cc", "Bcc") for v in msg.get_all(h, [])])
    if not people:
        raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid., A message can't "
                         "be sent because it contains no recipients.")
    inbound = _without_bcc(mime)
    for address in {a.lower() for _, a in people}:
        target = call.store.get(address)
        if target is not None:
            seeding.put(target, target.distinguished("inbox"), seeding.message(mime=inbound))
    if save_to_sent:
        seeding.put(call.mailbox, call.mailbox.distinguished("sentitems"), seeding.message(mime=mime, is_read=True))


def _without_bcc(mime: bytes) -> bytes:
    msg = BytesParser(policy=email.policy.SMTP).parsebytes(mime)
    del msg["Bcc"]
    return bytes(msg)


def send_mail(call: Call) -> web.Response:
    if isinstance(call.body, bytes):  # Content-Type: text/plain, the MIME base64-encoded
        try:
            mime = base64.b64decode(call.body, validate=True)
        except (binascii.Error, ValueError):
            raise GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME "
                             "content.") from None
        deliver(call, mime)
        return web.Response(status=202)
    body = call.json_body()
    if not isinstance(body.get("message"), dict):
        raise GraphError(400, "ErrorInvalidRequest", "sendMail needs a message.")
    deliver(call, _mime_of_json(call.mailbox, body["message"]), body.get("saveToSentItems", True) is not False)
    return web.Response(status=202)


def create_draft(call: Call) -> tuple[int, dict]:
    """A draft from JSON, or from MIME (Content-Type: text/plain, base64), which keeps its Message-ID."""
    mailbox = call.mailbox
    if isinstance(call.body, bytes):
        try:
            mime = base64.b64decode(call.body, validate=True)
        except (binascii.Error, ValueError):
            raise GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME "
                             "content.") from None
        item = seeding.put(mailbox, mailbox.distinguished("drafts"), seeding.message(mime=mime))
        item.fields["IsDraft"] = t("IsDraft", "true")
        return 201, {"@odata.context": call.context("messages/$entity"), **message_json(item, mailbox)}
    item = Item(new_id("AAMkI", mailbox.tag), "Message", "", {})
    apply(item, call.json_body())
    item.fields["IsDraft"] = t("IsDraft", "true")
    item.fields.setdefault("InternetMessageId", t("InternetMessageId", email.utils.make_msgid(domain="sandbox.test")))
    holder = t("From")
    it.mailbox_xml(holder, mailbox.name, mailbox.address)
    item.fields.setdefault("From", holder)
    mailbox.put_item(item, mailbox.distinguished("drafts"))
    return 201, {"@odata.context": call.context("messages/$entity"), **message_json(item, mailbox)}


def send_draft(call: Call) -> web.Response:
    item = find_message(call, call.params["message"])
    if item.text("IsDraft") != "true":
        raise GraphError(400, "ErrorInvalidOperation", "Only a draft can be sent.")
    mime = _sendable_mime(item)
    call.mailbox.remove_item(item)
    deliver(call, mime)
    return web.Response(status=202)
