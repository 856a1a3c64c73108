"""Messages: a folder's list, one message, its MIME, PATCH with If-Match, and move."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from aiohttp import web

from .. import items as it
from ..soap import parse_time
from ..store import Item, tag_of
from .call import Call
from .messages import apply, message_json
from .query import date_filter, expanded_properties, number, order
from .replies import GraphError

DATES = {"receivedDateTime", "sentDateTime", "createdDateTime", "lastModifiedDateTime"}
NOT_FOUND = "The specified object was not found in the store."
_MESSAGE_ID = re.compile(r"^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$")


def _dates(item: Item, mailbox) -> dict:
    """The properties a $filter compares: the dates, and the Message-ID."""
    sent = it.value_of(item, mailbox, "DateTimeSent")
    message_id = it.value_of(item, mailbox, "InternetMessageId")
    return {"receivedDateTime": item.received, "createdDateTime": item.created,
            "lastModifiedDateTime": item.modified, "sentDateTime": parse_time(sent.text) if sent is not None
            else item.created, "internetMessageId": message_id.text if message_id is not None else None}


def find_message(call: Call, item_id: str) -> Item:
    if tag_of(item_id) is None:
        raise GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")
    item = call.mailbox.items.get(item_id)
    if item is None or item.element != "Message":
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return item


def list_messages(call: Call) -> tuple[int, dict]:
    folder = call.folder(call.params["folder"])
    keep = _message_id_filter(call.query.get("$filter")) or date_filter(call.query.get("$filter"), DATES)
    name, descending = order(call.query.get("$orderby"), DATES | {"subject"}, "receivedDateTime desc")
    top = number(call.query.get("$top"), 10, "$top", 1000)
    skip = number(call.query.get("$skip"), 0, "$skip", 10**9)
    mailbox = call.mailbox
    found = [i for i in mailbox.items_in(folder) if i.element == "Message" and keep(_dates(i, mailbox))]

    def key(i):
        return (i.text("Subject") or "") if name == "subject" else _dates(i, mailbox)[name]
    found.sort(key=lambda i: (key(i), i.created_seq), reverse=descending)
    page = found[skip:skip + top]
    select, expand = call.select(), expanded_properties(call.query.get("$expand"))
    reply = {"@odata.context": call.context("Collection(message)"),
             "value": [message_json(i, mailbox, select, expand) for i in page]}
    if skip + top < len(found):
        query = {**call.query, "$top": str(top), "$skip": str(skip + top)}
        reply["@odata.nextLink"] = f"{call.base}{call.path}?{urlencode(query, safe='$')}"
    return 200, reply


def _message_id_filter(raw: str | None):
    """internetMessageId eq '<...>' (a quote doubled inside), as a mail client finds the email it sent."""
    match = _MESSAGE_ID.match(raw or "")
    if match is None:
        return None
    wanted = match.group(1).replace("''", "'")
    return lambda values: values["internetMessageId"] == wanted


def get_message(call: Call) -> tuple[int, dict]:
    item = find_message(call, call.params["message"])
    return 200, {"@odata.context": call.context("messages/$entity"),
                 **message_json(item, call.mailbox, call.select(), expanded_properties(call.query.get("$expand")))}


def get_mime(call: Call) -> web.Response:
    item = find_message(call, call.params["message"])
    return web.Response(status=200, body=it.mime_of(item), content_type="text/plain")


def check_change_key(call: Call, item: Item) -> None:
    wanted = call.headers.get("If-Match")
    if wanted and wanted.strip() != "*" and wanted.strip().removeprefix("W/").strip('"') != item.change_key:
        raise GraphError(412, "ErrorIrresolvableConflict", "The send or update operation could not be performed "
                         "because the change key passed in the request does not match the current change key "
                         "for the item.")


def patch_message(call: Call) -> tuple[int, dict]:
    item = find_message(call, call.params["message"])
    check_change_key(call, item)
    apply(item, call.json_body())
    call.mailbox.touch_item(item)
    return 200, {"@odata.context": call.context("messages/$entity"), **message_json(item, call.mailbox)}


def move_message(call: Call) -> tuple[int, dict]:
    item = find_message(call, call.params["message"])
    destination = call.json_body().get("destinationId")
    if not isinstance(destination, str):
        raise GraphError(400, "ErrorInvalidRequest", "move needs a destinationId.")
    moved = call.mailbox.move_item(item, call.folder(destination))
    return 201, {"@odata.context": call.context("messages/$entity"), **message_json(moved, call.mailbox)}
