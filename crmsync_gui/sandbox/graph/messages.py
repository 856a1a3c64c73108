"""Messages between the store's EWS fields and Graph's JSON: what a Graph message shows, and what a PATCH,
a draft or sendMail writes back, so EWS and Graph clients see the same item."""
from __future__ import annotations

import email.policy
from email.parser import BytesParser

from lxml import etree

from .. import items as it
from ..soap import T_NS, parse_time, sub, t
from ..store import Item, Mailbox
from . import extended as extended_properties
from .replies import GraphError, etag, graph_time

DEFAULT = ("id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
           "sentDateTime", "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance",
           "parentFolderId", "isRead", "isDraft", "body", "sender", "from", "toRecipients", "ccRecipients",
           "bccRecipients", "replyTo", "flag")
WRITABLE = {"categories", "isRead", "subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "from",
            "importance", "singleValueExtendedProperties", "internetMessageId"}


def _address(name: str | None, address: str) -> dict:
    return {"emailAddress": {"name": name or address, "address": address}}


def _time(item: Item, mailbox: Mailbox, name: str) -> str | None:
    value = it.value_of(item, mailbox, name)
    return graph_time(parse_time(value.text)) if value is not None and value.text else None


def categories(item: Item) -> list[str]:
    holder = item.fields.get("Categories")
    return [c.text for c in holder.iter(f"{{{T_NS}}}String")] if isinstance(holder, etree._Element) else []


def headers(item: Item) -> list[dict]:
    msg = BytesParser(policy=email.policy.compat32).parsebytes(it.mime_of(item), headersonly=True)
    return [{"name": k, "value": " ".join(str(v).split())} for k, v in msg.items()]


def message_json(item: Item, mailbox: Mailbox, select: list[str] | None = None,
                 extended: list[str] | None = None) -> dict:
    """The message as Graph shows it: its default properties, or id + the $select ones."""
    wanted = set(select) | {"id"} if select else set(DEFAULT)
    body = item.fields.get("Body")
    text = body.text or "" if isinstance(body, etree._Element) else ""
    html = isinstance(body, etree._Element) and body.get("BodyType") == "HTML"
    sender = it.addresses(item, "From")
    folder = mailbox.folders.get(item.folder_id)
    values = {
        "id": lambda: item.id, "changeKey": lambda: item.change_key,
        "createdDateTime": lambda: graph_time(item.created),
        "lastModifiedDateTime": lambda: graph_time(item.modified),
        "receivedDateTime": lambda: graph_time(item.received),
        "sentDateTime": lambda: _time(item, mailbox, "DateTimeSent"),
        "categories": lambda: categories(item),
        "hasAttachments": lambda: any(not a.is_inline for a in item.attachments),
        "internetMessageId": lambda: item.text("InternetMessageId"),
        "subject": lambda: item.text("Subject") or "",
        "bodyPreview": lambda: " ".join(text.split())[:255] if not html else "",
        "importance": lambda: (item.text("Importance") or "Normal").lower(),
        "parentFolderId": lambda: folder.id if folder else None,
        "isRead": lambda: item.text("IsRead") == "true",
        "isDraft": lambda: item.text("IsDraft") == "true",
        "body": lambda: {"contentType": "html" if html else "text", "content": text},
        "sender": lambda: _address(*sender[0]) if sender else None,
        "from": lambda: _address(*sender[0]) if sender else None,
        "toRecipients": lambda: [_address(n, a) for n, a in it.addresses(item, "ToRecipients")],
        "ccRecipients": lambda: [_address(n, a) for n, a in it.addresses(item, "CcRecipients")],
        "bccRecipients": lambda: [_address(n, a) for n, a in it.addresses(item, "BccRecipients")],
        "replyTo": lambda: [],
        "flag": lambda: {"flagStatus": "notFlagged"},
        "internetMessageHeaders": lambda: headers(item),
    }
    unknown = wanted - set(values)
    if unknown:
        name = sorted(unknown)[0]
        raise GraphError(400, "RequestBroker--ParseUri", f"Could not find a property named '{name}' on type "
                         "'microsoft.graph.message'.")
    reply = {"@odata.etag": etag(item.change_key)}
    reply.update({name: values[name]() for name in values if name in wanted})
    if extended is not None:
        reply[extended_properties.NAME] = extended_properties.shown(item, extended)
    return reply


def _recipients(name: str, people: list[dict]) -> etree._Element:
    el = t(name)
    for who in people:
        box = who.get("emailAddress") or {}
        it.mailbox_xml(el, box.get("name"), box.get("address", ""))
    return el


def apply(item: Item, body: dict) -> None:
    """Write a message body (PATCH, draft, sendMail) into the item's EWS fields."""
    unknown = set(body) - WRITABLE - {"@odata.type", "id", "changeKey"}
    if unknown:
        raise GraphError(501, "NotImplemented", f"The Graph sandbox does not implement writing "
                         f"'{sorted(unknown)[0]}' of a message.")
    f = item.fields
    if "categories" in body:
        holder = t("Categories")
        for c in body["categories"] or []:
            sub(holder, "t", "String", c)
        f["Categories"] = holder
    if "isRead" in body:
        f["IsRead"] = t("IsRead", "true" if body["isRead"] else "false")
    if "subject" in body:
        f["Subject"] = t("Subject", body["subject"] or "")
    if "importance" in body:
        f["Importance"] = t("Importance", (body["importance"] or "normal").capitalize())
    if "internetMessageId" in body:
        f["InternetMessageId"] = t("InternetMessageId", body["internetMessageId"])
    if "body" in body:
        content = body["body"] or {}
        f["Body"] = t("Body", content.get("content") or "",
                      BodyType="HTML" if (content.get("contentType") or "").lower() == "html" else "Text")
    for graph_name, ews_name in (("toRecipients", "ToRecipients"), ("ccRecipients", "CcRecipients"),
                                 ("bccRecipients", "BccRecipients")):
        if graph_name in body:
            f[ews_name] = _recipients(ews_name, body[graph_name] or [])
    if body.get("from"):
        holder = t("From")
        box = body["from"]["emailAddress"]
        it.mailbox_xml(holder, box.get("name"), box.get("address", ""))
        f["From"] = holder
    extended_properties.write(item, body.get(extended_properties.NAME))
