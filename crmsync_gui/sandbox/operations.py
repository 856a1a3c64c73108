"""The EWS operations the sandbox answers, one method each, all under the store's lock (no awaits inside).

Each takes the operation's request element and returns the <m:{Operation}Response> element. Errors about one
folder or item become that response message's ResponseCode, as Exchange does; the rest of the request goes on.
"""
from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from . import items as it
from . import meetings
from .recurrence import master_times, nth, occurrences
from .restriction import UnsupportedRestriction, matches
from .soap import M_NS, T_NS, children, local, m, parse_time, response_message, sub, t, xml_bool
from .store import Folder, Item, Mailbox, Store, is_well_formed, renew_attachment_ids
from .subscriptions import Subscriptions


class OpError(Exception):
    """An error answered in the response message: .code is the EWS ResponseCode."""

    def __init__(self, code: str, text: str):
        super().__init__(text)
        self.code = code


@dataclass
class Call:
    """One request: who signed in, whose mailbox it acts on (impersonation), and the store."""
    store: Store
    user: Mailbox
    acting: Mailbox
    subscriptions: Subscriptions


def _tn(name: str) -> str:
    return f"{{{T_NS}}}{name}"


def _mn(name: str) -> str:
    return f"{{{M_NS}}}{name}"


def _wrap(operation: str, messages: list[etree._Element]) -> etree._Element:
    response = m(f"{operation}Response")
    holder = sub(response, "m", "ResponseMessages")
    holder.extend(messages)
    return response


def _each(operation: str, elements: list, handle: Callable[[etree._Element], list[etree._Element] | None]
          ) -> etree._Element:
    """One response message per element; handle() returns the message's content (or raises OpError)."""
    messages = []
    for el in elements:
        try:
            content = handle(el)
        except (OpError, it.ItemError) as exc:
            messages.append(response_message(operation, exc.code, str(exc)))
            continue
        msg = response_message(operation)
        msg.extend(content or [])
        messages.append(msg)
    return _wrap(operation, messages)


# --- folders ---------------------------------------------------------------------------------------------------


def resolve_folder(call: Call, el: etree._Element) -> tuple[Mailbox, Folder]:
    """A FolderId, DistinguishedFolderId (or a holder of one) -> (mailbox, folder), checking access."""
    if local(el) not in ("FolderId", "DistinguishedFolderId"):
        inner = children(el)
        if not inner:
            raise OpError("ErrorInvalidRequest", f"{local(el)} names no folder.")
        el = inner[0]
    if local(el) == "DistinguishedFolderId":
        address = el.findtext(f"{_tn('Mailbox')}/{_tn('EmailAddress')}")
        mailbox = call.store.get(address) if address else call.acting
        if mailbox is None:
            raise OpError("ErrorNonExistentMailbox", f"No mailbox with address {address}.")
        _check_access(call, mailbox)
        folder = mailbox.folders_by_key.get(el.get("Id"))
        if folder is None:
            raise OpError("ErrorFolderNotFound", f"The sandbox has no distinguished folder '{el.get('Id')}'.")
        return mailbox, folder
    _check_id(el, "AAMkF", "AQAAA")
    found = call.store.find_folder(el.get("Id", ""))
    if found is None:
        raise OpError("ErrorFolderNotFound", "The specified folder could not be found in the store.")
    _check_access(call, found[0])
    return found


def _check_access(call: Call, mailbox: Mailbox) -> None:
    if mailbox is not call.acting:
        raise OpError("ErrorAccessDenied", f"{call.user.address} may not open the mailbox {mailbox.address}.")


def folder_xml(mailbox: Mailbox, folder: Folder, id_only: bool = False) -> etree._Element:
    el = t(folder.element)
    sub(el, "t", "FolderId", Id=folder.id, ChangeKey=folder.change_key)
    if id_only:
        return el
    if folder.parent_id:
        parent = mailbox.folders[folder.parent_id]
        sub(el, "t", "ParentFolderId", Id=parent.id, ChangeKey=parent.change_key)
    if folder.folder_class:
        sub(el, "t", "FolderClass", folder.folder_class)
    sub(el, "t", "DisplayName", folder.name)
    contents = mailbox.items_in(folder)
    sub(el, "t", "TotalCount", str(len(contents)))
    sub(el, "t", "ChildFolderCount", str(len(mailbox.subfolders(folder, deep=False))))
    rights = sub(el, "t", "EffectiveRights")
    for right in ("CreateAssociated", "CreateContents", "CreateHierarchy", "Delete", "Modify", "Read"):
        sub(rights, "t", right, "true")
    if folder.distinguished:
        sub(el, "t", "DistinguishedFolderId", folder.distinguished)
    if folder.element == "Folder":
        unread = sum(1 for i in contents if i.element == "Message" and i.text("IsRead") != "true")
        sub(el, "t", "UnreadCount", str(unread))
    return el


def get_folder(call: Call, op: etree._Element) -> etree._Element:
    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        holder = m("Folders")
        holder.append(folder_xml(mailbox, folder))
        return [holder]
    return _each("GetFolder", children(op.find(_mn("FolderIds"))), handle)


def find_folder(call: Call, op: etree._Element) -> etree._Element:
    deep = op.get("Traversal") == "Deep"
    view = op.find(_mn("IndexedPageFolderView"))
    restriction = op.find(_mn("Restriction"))

    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        found = mailbox.subfolders(folder, deep)
        if restriction is not None:
            found = [f for f in found if _folder_matches(mailbox, f, restriction)]
        page, offset, last = _page(found, view)
        root = m("RootFolder", IndexedPagingOffset=str(offset + len(page)), TotalItemsInView=str(len(found)),
                 IncludesLastItemInRange=xml_bool(last))
        holder = sub(root, "t", "Folders")
        holder.extend(folder_xml(mailbox, f) for f in page)
        return [root]
    return _each("FindFolder", children(op.find(_mn("ParentFolderIds"))), handle)


def _folder_matches(mailbox: Mailbox, folder: Folder, restriction: etree._Element) -> bool:
    rendered = folder_xml(mailbox, folder)

    def lookup(uri):
        return rendered.find(_tn(uri.get("FieldURI", "").split(":")[-1]))
    try:
        return matches(restriction, lookup)
    except UnsupportedRestriction as exc:
        raise OpError("ErrorUnsupportedPathForQuery", f"The sandbox cannot evaluate {exc}.") from None


def _page(found: list, view: etree._Element | None) -> tuple[list, int, bool]:
    if view is None:
        return found, 0, True
    offset = int(view.get("Offset", "0"))
    size = int(view.get("MaxEntriesReturned", str(len(found) or 1)))
    if view.get("BasePoint") == "End":
        start = max(0, len(found) - offset - size)
        page = found[start:len(found) - offset]
        return page, offset, start == 0
    page = found[offset:offset + size]
    return page, offset, offset + size >= len(found)


def create_folder(call: Call, op: etree._Element) -> etree._Element:
    mailbox, parent = resolve_folder(call, op.find(_mn("ParentFolderId")))

    def handle(el):
        name = el.findtext(_tn("DisplayName"))
        if not name:
            raise OpError("ErrorInvalidRequest", "A new folder needs a DisplayName.")
        if any(f.name.lower() == name.lower() for f in mailbox.subfolders(parent, deep=False)):
            raise OpError("ErrorFolderExists", f"A folder named '{name}' already exists there.")
        folder = mailbox.add_folder(parent, name, local(el), el.findtext(_tn("FolderClass")) or "IPF.Note")
        mailbox.touch_folder(parent)
        holder = m("Folders")
        holder.append(folder_xml(mailbox, folder, id_only=True))
        return [holder]
    return _each("CreateFolder", children(op.find(_mn("Folders"))), handle)


def delete_folder(call: Call, op: etree._Element) -> etree._Element:
    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        if folder.distinguished:
            raise OpError("ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.")
        mailbox.delete_folder(folder)
        return None
    return _each("DeleteFolder", children(op.find(_mn("FolderIds"))), handle)


_UNEMPTIABLE = ("root", "msgfolderroot", "recoverableitemsroot")


def empty_folder(call: Call, op: etree._Element) -> etree._Element:
    how = op.get("DeleteType", "HardDelete")
    deep = op.get("DeleteSubFolders") == "true"

    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        if folder.distinguished in _UNEMPTIABLE:
            raise OpError("ErrorCannotEmptyFolder", f"The folder '{folder.name}' cannot be emptied.")
        for item in mailbox.items_in(folder):
            _discard(mailbox, item, how)
        for child in mailbox.subfolders(folder, deep=False) if deep else ():
            if how == "MoveToDeletedItems" and folder.distinguished != "deleteditems":
                mailbox.move_folder(child, mailbox.distinguished("deleteditems"))
            else:
                mailbox.delete_folder(child)
        mailbox.touch_folder(folder)
        return None
    return _each("EmptyFolder", children(op.find(_mn("FolderIds"))), handle)


def move_folder(call: Call, op: etree._Element) -> etree._Element:
    target_box, target = resolve_folder(call, op.find(_mn("ToFolderId")))

    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        if mailbox is not target_box:
            raise OpError("ErrorCrossMailboxMoveCopy", "The sandbox moves folders within one mailbox only.")
        if folder.distinguished:
            raise OpError("ErrorMoveDistinguishedFolder", "Distinguished folders cannot be moved.")
        if target is folder or target in mailbox.subfolders(folder, deep=True):
            raise OpError("ErrorMoveCopyFailed", "A folder cannot be moved into itself or a folder below it.")
        if target.id != folder.parent_id:
            if any(f.name.lower() == folder.name.lower() for f in mailbox.subfolders(target, deep=False)):
                raise OpError("ErrorFolderExists", f"A folder named '{folder.name}' already exists there.")
            mailbox.move_folder(folder, target)
        holder = m("Folders")
        holder.append(folder_xml(mailbox, folder, id_only=True))
        return [holder]
    return _each("MoveFolder", children(op.find(_mn("FolderIds"))), handle)


def update_folder(call: Call, op: etree._Element) -> etree._Element:
    def handle(change):
        mailbox, folder = resolve_folder(call, children(change)[0])
        for update in children(change.find(_tn("Updates"))):
            uri = children(update)[0]
            value = next((c for c in update.iter(_tn("DisplayName")) if c is not uri), None)
            if uri.get("FieldURI") == "folder:DisplayName" and value is not None:
                folder.name = value.text or folder.name
        mailbox.touch_folder(folder)
        holder = m("Folders")
        holder.append(folder_xml(mailbox, folder, id_only=True))
        return [holder]
    return _each("UpdateFolder", children(op.find(_mn("FolderChanges"))), handle)


def sync_folder_hierarchy(call: Call, op: etree._Element) -> etree._Element:
    target = op.find(_mn("SyncFolderId"))
    try:
        mailbox, top = resolve_folder(call, target) if target is not None else (
            call.acting, call.acting.distinguished("root"))
        since = _read_state(op.findtext(_mn("SyncState")), "H", top)
    except OpError as exc:
        return _wrap("SyncFolderHierarchy", [response_message("SyncFolderHierarchy", exc.code, str(exc))])
    changes = mailbox.folder_changes(top, since)
    msg = response_message("SyncFolderHierarchy")
    sub(msg, "m", "SyncState", _write_state("H", top, mailbox.seq))
    sub(msg, "m", "IncludesLastFolderInRange", "true")
    holder = sub(msg, "m", "Changes")
    for _seq, kind, what in changes:
        change = sub(holder, "t", kind)
        if kind == "Delete":
            sub(change, "t", "FolderId", Id=what)
        else:
            change.append(folder_xml(mailbox, what))
    return _wrap("SyncFolderHierarchy", [msg])


# --- sync states -----------------------------------------------------------------------------------------------


def _write_state(kind: str, folder: Folder, seq: int) -> str:
    return base64.b64encode(f"sandbox:{kind}:{folder.id}:{seq}".encode()).decode()


def _read_state(state: str | None, kind: str, folder: Folder) -> int:
    if not state:
        return 0
    try:
        tag, state_kind, folder_id, seq = base64.b64decode(state).decode().split(":")
        if tag == "sandbox" and state_kind == kind and folder_id == folder.id:
            return int(seq)
    except (ValueError, UnicodeDecodeError):
        pass
    raise OpError("ErrorInvalidSyncStateData", "The SyncState is not one this folder gave out.")


# --- items -----------------------------------------------------------------------------------------------------


def _check_id(el: etree._Element, prefix: str, key_prefix: str) -> None:
    """Exchange tells an id or change key it cannot parse from one it cannot find."""
    object_id = el.get("Id") or el.get("RecurringMasterId") or el.get("OccurrenceId") or ""
    change_key = el.get("ChangeKey")
    if not object_id:
        raise OpError("ErrorInvalidIdEmpty", "The Id is empty.")
    if not is_well_formed(object_id.partition(it.OCCURRENCE)[0], prefix):
        raise OpError("ErrorInvalidIdMalformed", "Id is malformed.")
    if change_key is not None and not (change_key.startswith(key_prefix) and change_key[len(key_prefix):].isdigit()):
        raise OpError("ErrorInvalidChangeKey", "The change key is invalid.")


def resolve_item(call: Call, el: etree._Element) -> tuple[Mailbox, Item]:
    """An ItemId, OccurrenceItemId or RecurringMasterItemId -> (mailbox, item); an occurrence comes as
    it.occurrence() makes it (its id: the master's, OCCURRENCE, its index)."""
    _check_id(el, "AAMkI", "CQAAAB")
    item_id = el.get("Id", "")
    if local(el) == "RecurringMasterItemId":
        item_id = el.get("OccurrenceId", "").partition(it.OCCURRENCE)[0]
    elif local(el) == "OccurrenceItemId":
        item_id = f"{el.get('RecurringMasterId')}{it.OCCURRENCE}{el.get('InstanceIndex')}"
    if it.OCCURRENCE in item_id:
        mailbox, master, index = _series_of(call, item_id)
        return mailbox, it.occurrence(master, index, *nth(master.fields["Recurrence"], *master_times(master.fields),
                                                         index))
    found = call.store.find_item(item_id)
    if found is None:
        raise OpError("ErrorItemNotFound", "The specified object was not found in the store.")
    _check_access(call, found[0])
    return found


def _series_of(call: Call, occurrence_id: str) -> tuple[Mailbox, Item, int]:
    """(mailbox, recurring master, index) of an occurrence's id, checking the occurrence exists."""
    master_id, _, index = occurrence_id.partition(it.OCCURRENCE)
    mailbox, master = resolve_item(call, etree.Element("ItemId", Id=master_id))
    times, recurrence = master_times(master.fields), master.fields.get("Recurrence")
    if times is None or recurrence is None or not index.isdigit():
        raise OpError("ErrorItemNotFound", "The specified object was not found in the store.")
    if nth(recurrence, *times, int(index)) is None:
        raise OpError("ErrorCalendarOccurrenceIndexIsOutOfRecurrenceRange", "The series has no such occurrence.")
    if int(index) in master.exceptions and master.exceptions[int(index)] is None:
        raise OpError("ErrorCalendarOccurrenceIsDeletedFromRecurrence", "That occurrence was deleted from the series.")
    return mailbox, master, int(index)


def _items_holder(rendered: list[etree._Element]) -> list[etree._Element]:
    holder = m("Items")
    holder.extend(rendered)
    return [holder]


def _id_only(item: Item) -> etree._Element:
    el = t(item.element)
    sub(el, "t", "ItemId", Id=item.id, ChangeKey=item.change_key)
    return el


def get_item(call: Call, op: etree._Element) -> etree._Element:
    shape = it.Shape.from_xml(op.find(_mn("ItemShape")))

    def handle(el):
        mailbox, item = resolve_item(call, el)
        return _items_holder([it.render(item, mailbox, shape)])
    return _each("GetItem", children(op.find(_mn("ItemIds"))), handle)


def _sort_key(sort: etree._Element | None, mailbox: Mailbox):
    orders = children(sort)
    if not orders:
        return None

    for order in orders:
        uri = children(order)[0] if children(order) else None
        if uri is None or local(uri) != "FieldURI":
            raise OpError("ErrorUnsupportedPathForSortGroup", "The sandbox sorts on FieldURI properties only.")

    def key(item: Item):
        values = []
        for order in orders:
            uri = children(order)[0]
            value = it.value_of(item, mailbox, it.field_name(uri))
            values.append((value.text or "").casefold() if value is not None else "")  # Exchange ignores case
        return values
    descending = orders[0].get("Order") == "Descending"
    return key, descending


def find_item(call: Call, op: etree._Element) -> etree._Element:
    shape = it.Shape.from_xml(op.find(_mn("ItemShape")))
    view = op.find(_mn("IndexedPageItemView"))
    calendar_view = op.find(_mn("CalendarView"))
    restriction = op.find(_mn("Restriction"))

    def handle(el):
        mailbox, folder = resolve_folder(call, el)
        if op.find(_mn("QueryString")) is not None:
            raise OpError("ErrorUnsupportedQueryFilter", "The sandbox cannot evaluate an AQS QueryString.")
        if op.find(_mn("GroupBy")) is not None or op.find(_mn("DistinguishedGroupBy")) is not None:
            raise OpError("ErrorUnsupportedPathForSortGroup", "The sandbox does not group FindItem results.")
        found = mailbox.items_in(folder)
        if restriction is not None:
            found = [i for i in found if _item_matches(mailbox, i, restriction)]
        if calendar_view is not None:
            found = _in_calendar_view(mailbox, found, calendar_view)
        sort = _sort_key(op.find(_mn("SortOrder")), mailbox)
        if sort is not None:
            found.sort(key=sort[0], reverse=sort[1])
        elif calendar_view is None:
            found.sort(key=lambda i: i.created_seq)  # a calendar view comes in start order
        page, offset, last = _page(found, view)
        root = m("RootFolder", IndexedPagingOffset=str(offset + len(page)), TotalItemsInView=str(len(found)),
                 IncludesLastItemInRange=xml_bool(last))
        if calendar_view is not None:
            root.attrib.pop("IndexedPagingOffset")
        holder = sub(root, "t", "Items")
        holder.extend(it.render(i, mailbox, shape) for i in page)
        return [root]
    return _each("FindItem", children(op.find(_mn("ParentFolderIds"))), handle)


def _item_matches(mailbox: Mailbox, item: Item, restriction: etree._Element) -> bool:
    def lookup(uri):
        if local(uri) == "ExtendedFieldURI":
            return next((p for p in item.fields.get("ExtendedProperty", []) if it.extended_matches(p, uri)), None)
        value = it.value_of(item, mailbox, it.field_name(uri))
        if value is not None and local(uri) == "IndexedFieldURI":
            entry = next((e for e in value if e.get("Key") == uri.get("FieldIndex")), None)
            if entry is not None and len(entry):
                return entry.find(_tn(uri.get("FieldURI").split(":")[-1]))
            return entry
        return value
    try:
        return matches(restriction, lookup)
    except UnsupportedRestriction as exc:
        raise OpError("ErrorUnsupportedPathForQuery", f"The sandbox cannot evaluate {exc}.") from None


def _in_calendar_view(mailbox: Mailbox, found: list[Item], view: etree._Element) -> list[Item]:
    """Single items overlapping the window, and each series' occurrences in it (not the masters)."""
    start, end = parse_time(view.get("StartDate")), parse_time(view.get("EndDate"))
    inside = []
    for item in found:
        times = master_times(item.fields)
        if times is None:
            continue
        recurrence = item.fields.get("Recurrence")
        if recurrence is None:
            if times[0] < end and times[1] >= start:  # ending at the view's start is in it, as in Exchange
                inside.append(item)
            continue
        for index, begin, finish in occurrences(recurrence, times[0], times[1], start, end):
            if index not in item.exceptions:  # deleted ones are not shown, changed ones where they are now
                inside.append(it.occurrence(item, index, begin, finish))
        for index, own in item.exceptions.items():
            original = nth(recurrence, *times, index) if own is not None else None
            changed = it.occurrence(item, index, *original) if original is not None else None
            if changed is not None and parse_time(changed.text("Start")) < end \
                    and parse_time(changed.text("End")) >= start:
                inside.append(changed)
    inside.sort(key=lambda i: i.text("Start") or "")
    limit = view.get("MaxEntriesReturned")
    return inside[:int(limit)] if limit else inside


def _deliver(call: Call, item: Item, sender: Mailbox) -> None:
    """Sending: a copy lands in each sandbox recipient's inbox (same MIME and Message-ID)."""
    if "From" not in item.fields:
        holder = t("From")
        it.mailbox_xml(holder, sender.name, sender.address)
        item.fields["From"] = holder
    seen = set()
    for _name, address in it.addresses(item, "ToRecipients", "CcRecipients", "BccRecipients"):
        recipient = call.store.get(address)
        if recipient is None or address.lower() in seen:
            continue  # outside the sandbox: delivered nowhere, as if to the Internet
        seen.add(address.lower())
        copy_ = it.sent_copy(item, recipient, read=False)
        copy_.fields.pop("BccRecipients", None)
        recipient.put_item(copy_, recipient.distinguished("inbox"))


def create_item(call: Call, op: etree._Element) -> etree._Element:
    disposition = op.get("MessageDisposition", "SaveOnly")
    saved = op.find(_mn("SavedItemFolderId"))
    invitations = op.get("SendMeetingInvitations", "SendToNone")

    def handle(el):
        if local(el) in meetings.RESPONSES or local(el) == "CancelCalendarItem":
            return _meeting_answer(call, el, disposition, saved)
        item = _mail_response(call, el) if local(el) in _MAIL_RESPONSES else it.item_from_xml(el, call.acting)
        default_key = {"Contact": "contacts", "Task": "tasks", "CalendarItem": "calendar"}.get(item.element, "drafts")
        mailbox, folder = resolve_folder(call, saved) if saved is not None else (
            call.acting, call.acting.distinguished(default_key))
        if item.element != "Message" or disposition == "SaveOnly":
            if item.element == "Message":
                item.fields.setdefault("IsDraft", t("IsDraft", xml_bool(folder.distinguished == "drafts")))
                item.fields.setdefault("IsRead", t("IsRead", "true"))
            to = meetings.attendees(item) if item.element == "CalendarItem" and invitations in meetings.SENDING else []
            if to:
                meetings.organize(item, mailbox)
            mailbox.put_item(item, folder)
            if to:
                meetings.invite(call.store, mailbox, item, to, "NewMeetingRequest", invitations.endswith("AndSaveCopy"))
            return _items_holder([_created(item)])
        _deliver(call, item, mailbox)
        if disposition == "SendAndSaveCopy":
            keep = folder if saved is not None else mailbox.distinguished("sentitems")
            mailbox.put_item(it.sent_copy(item, mailbox, read=True), keep)
        return _items_holder([])
    return _each("CreateItem", children(op.find(_mn("Items"))), handle)


def _meeting_answer(call: Call, el: etree._Element, disposition: str, saved: etree._Element | None
                    ) -> list[etree._Element]:
    """AcceptItem, TentativelyAcceptItem, DeclineItem (an attendee's) and CancelCalendarItem (the organizer's)."""
    mailbox, reference = resolve_item(call, el.find(_tn("ReferenceItemId")))
    if disposition == "SaveOnly":
        raise OpError("ErrorInvalidOperation", "The sandbox sends meeting responses and cancellations at once "
                      "(MessageDisposition SendOnly or SendAndSaveCopy), it keeps no drafts of them.")
    keep = None
    if disposition == "SendAndSaveCopy":
        keep = resolve_folder(call, saved)[1] if saved is not None else mailbox.distinguished("sentitems")
    if local(el) in meetings.RESPONSES:
        meetings.respond(call.store, mailbox, reference, local(el), keep)
        return _items_holder([])
    if not meetings.organized_by(reference, mailbox):
        raise OpError("ErrorCalendarIsNotOrganizer", "Only the organizer's meeting can be cancelled.")
    meetings.cancel(call.store, mailbox, reference, meetings.attendees(reference), keep is not None)
    _discard(mailbox, reference, "MoveToDeletedItems")
    return _items_holder([])


def _created(item: Item) -> etree._Element:
    """A new item's id, and its attachments' ids as Exchange returns them."""
    el = _id_only(item)
    if item.attachments:
        holder = sub(el, "t", "Attachments")
        for a in item.attachments:
            kind = "ItemAttachment" if a.item is not None else "FileAttachment"
            sub(sub(holder, "t", kind), "t", "AttachmentId", Id=a.id, RootItemId=item.id,
                RootItemChangeKey=item.change_key)
    return el


_MAIL_RESPONSES = {"ReplyToItem": "RE: ", "ReplyAllToItem": "RE: ", "ForwardItem": "FW: "}
_NOT_MESSAGE_FIELDS = ("ReferenceItemId", "NewBodyContent", "ReceivedBy", "ReceivedRepresenting")


def _mail_response(call: Call, el: etree._Element) -> Item:
    """ReplyToItem, ReplyAllToItem, ForwardItem: a new message built from the one referred to, as Exchange does:
    the subject prefixed, the recipients of a reply, the thread headers, the new text above the quoted body,
    a forward's attachments."""
    kind = local(el)
    _mailbox, original = resolve_item(call, el.find(_tn("ReferenceItemId")))
    message = t("Message")
    message.extend(copy.deepcopy(c) for c in children(el) if local(c) not in _NOT_MESSAGE_FIELDS)
    reply = it.item_from_xml(message, call.acting)
    f, me = reply.fields, call.acting.address.lower()
    f.setdefault("Subject", t("Subject", _MAIL_RESPONSES[kind] + (original.text("Subject") or "")))
    if kind != "ForwardItem" and "ToRecipients" not in f:
        senders = it.addresses(original, "From") or it.addresses(original, "Sender")
        others = it.addresses(original, "ToRecipients") if kind == "ReplyAllToItem" else []
        if to := senders + [p for p in others if p[1].lower() != me]:
            f["ToRecipients"] = _recipients("ToRecipients", to)
        copies = [p for p in it.addresses(original, "CcRecipients") if p[1].lower() != me]
        if kind == "ReplyAllToItem" and copies and "CcRecipients" not in f:
            f["CcRecipients"] = _recipients("CcRecipients", copies)
    if parent_id := original.text("InternetMessageId"):
        f["InReplyTo"] = t("InReplyTo", parent_id)
        f["References"] = t("References", " ".join(filter(None, [original.text("References"), parent_id])))
    new_text = el.find(_tn("NewBodyContent"))
    old_body = original.fields.get("Body")
    f["Body"] = t("Body", "\n\n".join(filter(None, [
        new_text.text if new_text is not None else "",
        old_body.text if isinstance(old_body, etree._Element) else ""])),
        BodyType=new_text.get("BodyType", "Text") if new_text is not None else "Text")
    if kind == "ForwardItem":
        reply.attachments += copy.deepcopy(original.attachments)
        renew_attachment_ids(reply, call.acting.tag)
    it.normalize(reply)  # the prefixed subject too keeps 255 characters
    return reply


def _recipients(name: str, pairs: list[tuple[str | None, str]]) -> etree._Element:
    holder = t(name)
    for display, address in pairs:
        it.mailbox_xml(holder, display, address)
    return holder


def send_item(call: Call, op: etree._Element) -> etree._Element:
    save = op.get("SaveItemToFolder", "true") == "true"
    saved = op.find(_mn("SavedItemFolderId"))

    def handle(el):
        mailbox, item = resolve_item(call, el)
        if el.get("ChangeKey") and el.get("ChangeKey") != item.change_key:
            raise OpError("ErrorStaleObject", "The item was changed since its ChangeKey was read.")
        _deliver(call, item, mailbox)
        mailbox.remove_item(item)
        if save:
            keep = resolve_folder(call, saved)[1] if saved is not None else mailbox.distinguished("sentitems")
            mailbox.put_item(it.sent_copy(item, mailbox, read=True), keep)
        return None
    return _each("SendItem", children(op.find(_mn("ItemIds"))), handle)


def update_item(call: Call, op: etree._Element) -> etree._Element:
    conflict = op.get("ConflictResolution", "AutoResolve")
    disposition = op.get("MessageDisposition", "SaveOnly")
    saved = op.find(_mn("SavedItemFolderId"))
    invitations = op.get("SendMeetingInvitationsOrCancellations", "SendToNone")

    def handle(change):
        mailbox, item = resolve_item(call, children(change)[0])
        key = children(change)[0].get("ChangeKey")
        if conflict == "NeverOverwrite" and key and key != item.change_key:
            raise OpError("ErrorIrresolvableConflict",
                          "The item changed since this ChangeKey was read and NeverOverwrite was asked for.")
        updates = children(change.find(_tn("Updates")))
        conflicts = m("ConflictResults")
        sub(conflicts, "t", "Count", "0")
        if it.OCCURRENCE in item.id:
            changed = _make_exception(call, item, updates)
            _mailbox, master, index = _series_of(call, item.id)
            if invitations in meetings.SENDING and meetings.organized_by(master, mailbox):
                meetings.occurrence_changed(call.store, mailbox, master, index, invitations.endswith("AndSaveCopy"))
            return _items_holder([_id_only(changed)]) + [conflicts]
        before = copy.deepcopy(item) if item.element == "CalendarItem" else None
        for update in updates:
            it.apply_update(item, update)
        it.normalize(item)
        if before is not None:
            _meeting_updated(call, mailbox, before, item, invitations)
        mailbox.touch_item(item, read_flag_only=bool(updates) and all(
            local(u) == "SetItemField" and children(u)[0].get("FieldURI") == "message:IsRead" for u in updates))
        if item.element == "Message" and disposition != "SaveOnly":
            _deliver(call, item, mailbox)
            mailbox.remove_item(item)
            if disposition == "SendAndSaveCopy":
                keep = resolve_folder(call, saved)[1] if saved is not None else mailbox.distinguished("sentitems")
                mailbox.put_item(it.sent_copy(item, mailbox, read=True), keep)
            content = _items_holder([])
        else:
            content = _items_holder([_id_only(item)])
        return content + [conflicts]
    return _each("UpdateItem", children(op.find(_mn("ItemChanges"))), handle)


def _meeting_updated(call: Call, mailbox: Mailbox, before: Item, item: Item, invitations: str) -> None:
    """An updated calendar item: a meeting keeps its attendees' answers and, sent, reaches them; an appointment
    given attendees and sent becomes a meeting."""
    if meetings.organized_by(before, mailbox):
        if invitations in meetings.SENDING:
            meetings.updated(call.store, mailbox, before, item, invitations)
        else:
            meetings.organize(item, mailbox, before)
    elif before.text("IsMeeting") != "true" and invitations in meetings.SENDING and (to := meetings.attendees(item)):
        meetings.organize(item, mailbox)
        meetings.invite(call.store, mailbox, item, to, "NewMeetingRequest", invitations.endswith("AndSaveCopy"))


def delete_item(call: Call, op: etree._Element) -> etree._Element:
    how = op.get("DeleteType", "MoveToDeletedItems")
    cancellations = op.get("SendMeetingCancellations", "SendToNone")

    def handle(el):
        mailbox, item = resolve_item(call, el)
        if it.OCCURRENCE in item.id:  # one occurrence: the master remembers it is gone
            _mailbox, master, index = _series_of(call, item.id)
            if cancellations in meetings.SENDING and meetings.organized_by(master, mailbox):
                meetings.occurrence_cancelled(call.store, mailbox, master, index,
                                              cancellations.endswith("AndSaveCopy"))
            master.exceptions[index] = None
            mailbox.touch_item(master)
        else:
            if cancellations in meetings.SENDING and meetings.organized_by(item, mailbox):
                meetings.cancel(call.store, mailbox, item, meetings.attendees(item),
                                cancellations.endswith("AndSaveCopy"))
            _discard(mailbox, item, how)
        return None
    return _each("DeleteItem", children(op.find(_mn("ItemIds"))), handle)


def _make_exception(call: Call, occurrence: Item, updates: list[etree._Element]) -> Item:
    """Change one occurrence: what now differs from the series is kept on the master as the exception's own."""
    mailbox, master, index = _series_of(call, occurrence.id)
    original = nth(master.fields["Recurrence"], *master_times(master.fields), index)
    plain = it.occurrence(master, index, *original, own=False)
    for update in updates:
        it.apply_update(occurrence, update)
    it.normalize(occurrence)

    def text(value):
        return [etree.tostring(v) for v in value] if isinstance(value, list) else etree.tostring(value)
    own = {name: value for name, value in occurrence.fields.items() if name != "Recurrence"
           and (name not in plain.fields or text(value) != text(plain.fields[name]))}
    own |= {name: None for name in plain.fields if name not in occurrence.fields}  # deleted on this one alone
    master.exceptions[index] = own
    mailbox.touch_item(master)
    return it.occurrence(master, index, *original)


def _discard(mailbox: Mailbox, item: Item, how: str) -> None:
    """Delete an item the DeleteType's way: gone, into the dumpster, or into Deleted Items (from there on,
    the dumpster)."""
    if how == "HardDelete":
        mailbox.remove_item(item)
        return
    key = "deleteditems" if how == "MoveToDeletedItems" else "recoverableitemsdeletions"
    if item.folder_id == mailbox.distinguished("deleteditems").id and how == "MoveToDeletedItems":
        key = "recoverableitemsdeletions"
    mailbox.move_item(item, mailbox.distinguished(key))


def _move_or_copy(operation: str, call: Call, op: etree._Element) -> etree._Element:
    target_box, target = resolve_folder(call, op.find(_mn("ToFolderId")))
    new_ids = op.findtext(_mn("ReturnNewItemIds")) != "false"

    def handle(el):
        mailbox, item = resolve_item(call, el)
        if mailbox is not target_box:
            raise OpError("ErrorCrossMailboxMoveCopy", "The sandbox moves items within one mailbox only.")
        moved = (mailbox.move_item if operation == "MoveItem" else mailbox.copy_item)(item, target)
        return _items_holder([_id_only(moved)] if new_ids else [])
    return _each(operation, children(op.find(_mn("ItemIds"))), handle)


def move_item(call: Call, op: etree._Element) -> etree._Element:
    return _move_or_copy("MoveItem", call, op)


def copy_item(call: Call, op: etree._Element) -> etree._Element:
    return _move_or_copy("CopyItem", call, op)


def sync_folder_items(call: Call, op: etree._Element) -> etree._Element:
    shape = it.Shape.from_xml(op.find(_mn("ItemShape")))
    try:
        mailbox, folder = resolve_folder(call, op.find(_mn("SyncFolderId")))
        since = _read_state(op.findtext(_mn("SyncState")), "I", folder)
    except OpError as exc:
        return _wrap("SyncFolderItems", [response_message("SyncFolderItems", exc.code, str(exc))])
    limit = max(1, min(512, int(op.findtext(_mn("MaxChangesReturned")) or "512")))
    ignore = {i.get("Id") for i in children(op.find(_mn("Ignore")))}
    changes = [c for c in mailbox.item_changes(folder, since)
               if (c[2] if isinstance(c[2], str) else c[2].id) not in ignore]
    page = changes[:limit]
    last = len(page) == len(changes)
    msg = response_message("SyncFolderItems")
    sub(msg, "m", "SyncState", _write_state("I", folder, mailbox.seq if last else page[-1][0]))
    sub(msg, "m", "IncludesLastItemInRange", xml_bool(last))
    holder = sub(msg, "m", "Changes")
    for _seq, kind, what in page:
        change = sub(holder, "t", kind)
        if kind == "Delete":
            sub(change, "t", "ItemId", Id=what)
        elif kind == "ReadFlagChange":
            change.append(_id_only(what)[0])
            sub(change, "t", "IsRead", what.text("IsRead") or "false")
        else:
            change.append(it.render(what, mailbox, shape))
    return _wrap("SyncFolderItems", [msg])


# --- attachments -----------------------------------------------------------------------------------------------


def _find_attachment(call: Call, attachment_id: str):
    found = call.store.find_item_by_attachment(attachment_id)
    if found is None:
        raise OpError("ErrorInvalidAttachmentId", "The attachment could not be found.")
    _check_access(call, found[0])
    return found


def create_attachment(call: Call, op: etree._Element) -> etree._Element:
    parent = op.find(_mn("ParentItemId"))
    try:
        mailbox, item = resolve_item(call, parent)
    except OpError as exc:
        return _wrap("CreateAttachment", [response_message("CreateAttachment", exc.code, str(exc))])

    def handle(el):
        attachment = it.attachment_from_xml(el, mailbox)
        item.attachments.append(attachment)
        mailbox.touch_item(item)
        holder = m("Attachments")
        out = sub(holder, "t", local(el))
        sub(out, "t", "AttachmentId", Id=attachment.id, RootItemId=item.id, RootItemChangeKey=item.change_key)
        return [holder]
    return _each("CreateAttachment", children(op.find(_mn("Attachments"))), handle)


def get_attachment(call: Call, op: etree._Element) -> etree._Element:
    shape = it.Shape.from_xml(op.find(_mn("AttachmentShape")))  # an attached item's properties and MIME

    def handle(el):
        mailbox, _item, attachment = _find_attachment(call, el.get("Id", ""))
        holder = m("Attachments")
        holder.append(it.attachment_xml(attachment, with_content=True, mailbox=mailbox, shape=shape))
        return [holder]
    return _each("GetAttachment", children(op.find(_mn("AttachmentIds"))), handle)


def delete_attachment(call: Call, op: etree._Element) -> etree._Element:
    def handle(el):
        mailbox, item, attachment = _find_attachment(call, el.get("Id", ""))
        item.attachments.remove(attachment)
        mailbox.touch_item(item)
        return [m("RootItemId", RootItemId=item.id, RootItemChangeKey=item.change_key)]
    return _each("DeleteAttachment", children(op.find(_mn("AttachmentIds"))), handle)


# --- the version probe and notifications ------------------------------------------------------------------------


def convert_id(call: Call, op: etree._Element) -> etree._Element:
    """exchangelib's version probe: it only needs a well-formed reply with ServerVersionInfo."""
    def handle(el):
        raise OpError("ErrorInvalidIdMalformed", "The sandbox converts no ids.")
    return _each("ConvertId", children(op.find(_mn("SourceIds"))), handle)


def subscribe(call: Call, op: etree._Element) -> etree._Element:
    request = next((c for c in children(op)), None)
    if request is None:
        return _wrap("Subscribe", [response_message("Subscribe", "ErrorInvalidRequest", "No subscription request.")])
    if local(request) not in ("PullSubscriptionRequest", "StreamingSubscriptionRequest"):
        return _wrap("Subscribe", [response_message(
            "Subscribe", "ErrorInvalidSubscriptionRequest",
            f"The EWS sandbox does not implement {local(request)} (pull and streaming only).")])
    try:
        folder_ids = children(request.find(_tn("FolderIds")))
        folders = [resolve_folder(call, f) for f in folder_ids]
        mailbox = folders[0][0] if folders else call.acting
        if request.get("SubscribeToAllFolders") == "true":
            folders = [(mailbox, f) for f in mailbox.folders.values()]
    except OpError as exc:
        return _wrap("Subscribe", [response_message("Subscribe", exc.code, str(exc))])
    events = {e.text for e in children(request.find(_tn("EventTypes")))}
    sub_ = call.subscriptions.add(mailbox, {f.id for _, f in folders}, events,
                                  streaming=local(request) == "StreamingSubscriptionRequest", creator=call.user.address)
    msg = response_message("Subscribe")
    sub(msg, "m", "SubscriptionId", sub_.id)
    if not sub_.streaming:
        sub(msg, "m", "Watermark", sub_.watermark)
    return _wrap("Subscribe", [msg])


def unsubscribe(call: Call, op: etree._Element) -> etree._Element:
    sub_id = op.findtext(_mn("SubscriptionId"))
    if not call.subscriptions.remove(sub_id, call.acting):
        return _wrap("Unsubscribe", [response_message("Unsubscribe", "ErrorSubscriptionNotFound",
                                                       "No such subscription.")])
    return _wrap("Unsubscribe", [response_message("Unsubscribe")])


def get_events(call: Call, op: etree._Element) -> etree._Element:
    sub_id = op.findtext(_mn("SubscriptionId"))
    subscription = call.subscriptions.get(sub_id, call.acting)
    if subscription is None or subscription.streaming:
        return _wrap("GetEvents", [response_message("GetEvents", "ErrorSubscriptionNotFound",
                                                     "No such pull subscription.")])
    msg = response_message("GetEvents")
    note, subscription.seq = call.subscriptions.notification(subscription)
    msg.append(note)
    return _wrap("GetEvents", [msg])


OPERATIONS: dict[str, Callable[[Call, etree._Element], etree._Element]] = {
    "ConvertId": convert_id, "GetFolder": get_folder, "FindFolder": find_folder, "CreateFolder": create_folder,
    "DeleteFolder": delete_folder, "UpdateFolder": update_folder, "EmptyFolder": empty_folder,
    "MoveFolder": move_folder, "SyncFolderHierarchy": sync_folder_hierarchy,
    "GetItem": get_item, "FindItem": find_item, "CreateItem": create_item, "SendItem": send_item,
    "UpdateItem": update_item, "DeleteItem": delete_item, "MoveItem": move_item, "CopyItem": copy_item,
    "SyncFolderItems": sync_folder_items, "CreateAttachment": create_attachment, "GetAttachment": get_attachment,
    "DeleteAttachment": delete_attachment, "Subscribe": subscribe, "Unsubscribe": unsubscribe,
    "GetEvents": get_events,
}
