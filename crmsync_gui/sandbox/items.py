"""Items between EWS XML, the store and MIME: reading what clients create, writing what they ask for.

Element order comes from the schema (schema_order.ORDER), so replies validate whatever fields a client stored.
"""
from __future__ import annotations

import base64
import contextlib
import copy
import email.policy
import email.utils
import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

from lxml import etree

from .recurrence import master_times, nth
from .schema_order import ORDER
from .soap import T_NS, local, parse_time, sub, t, xml_bool, xml_time
from .store import ITEM_CLASS, Attachment, Item, Mailbox, new_id, now, renew_attachment_ids

ITEM_ELEMENTS = ("Message", "Contact", "Task", "CalendarItem", "Item")
# The server owns these: a client's values for them are ignored, replies compute them.
COMPUTED = {"MimeContent", "ItemId", "ParentFolderId", "Attachments", "DateTimeReceived", "Size", "DateTimeCreated",
            "HasAttachments", "LastModifiedTime", "DisplayTo", "DisplayCc", "EffectiveRights", "IsRecurring",
            "CalendarItemType", "ModifiedOccurrences", "DeletedOccurrences"}
ADDRESS_ORDER = ("Street", "City", "State", "CountryOrRegion", "PostalCode")
INDEXED_CONTAINERS = {"contacts:EmailAddress": "EmailAddresses", "contacts:PhoneNumber": "PhoneNumbers",
                      "contacts:ImAddress": "ImAddresses", "contacts:PhysicalAddress": "PhysicalAddresses"}
OCCURRENCE = "~"  # an occurrence's id: the master's id, this, the 1-based index
# The item types' xs:boolean properties (types.xsd): stored as Exchange answers them, true/false, whatever
# spelling (1, 0, " true ") the client sent.
BOOLEAN_FIELDS = frozenset({
    "AllowNewTimeProposal", "DoNotForwardMeeting", "HasPicture", "IsAllDayEvent", "IsAssociated", "IsCancelled",
    "IsComplete", "IsDeliveryReceiptRequested", "IsDraft", "IsFromMe", "IsMeeting", "IsOnlineMeeting",
    "IsOrganizer", "IsRead", "IsReadReceiptRequested", "IsResend", "IsResponseRequested", "IsSubmitted",
    "IsTeamTask", "IsUnmodified", "MeetingRequestWasSent", "ReminderIsSet"})
# Exchange keeps this many characters of these properties and drops the rest.
LENGTH_LIMITS = {name: 255 for name in ("Subject", "DisplayName", "GivenName", "MiddleName", "Surname",
                                        "Nickname", "Generation", "FileAs")}
UTC_TIMES = ("Start", "End", "ReminderDueBy")  # written back in UTC, as Exchange answers them


class ItemError(Exception):
    """A request asks for something about an item that EWS refuses: .code is the EWS response code."""

    def __init__(self, code: str, text: str):
        super().__init__(text)
        self.code = code


@dataclass
class Shape:
    """What of an item a reply carries (from an ItemShape)."""
    base: str = "AllProperties"  # IdOnly, Default, AllProperties
    mime: bool = False
    extra: frozenset[str] = frozenset()  # element names asked for on top of the base
    extended: tuple[etree._Element, ...] = ()  # ExtendedFieldURI elements asked for

    @classmethod
    def from_xml(cls, shape: etree._Element | None) -> Shape:
        if shape is None:
            return cls()
        base = shape.findtext(f"{{{T_NS}}}BaseShape") or "Default"
        mime = shape.findtext(f"{{{T_NS}}}IncludeMimeContent") == "true"
        names, extended = set(), []
        props = shape.find(f"{{{T_NS}}}AdditionalProperties")
        for prop in props if props is not None else []:
            if local(prop) == "ExtendedFieldURI":
                extended.append(prop)
            elif prop.get("FieldURI"):
                names.add(field_name(prop))
        return cls(base, mime or "MimeContent" in names, frozenset(names), tuple(extended))

    def wants(self, name: str) -> bool:
        if name == "MimeContent":
            return self.mime
        if name == "ItemId" or name in self.extra:
            return True
        return self.base != "IdOnly"


def field_name(uri_el: etree._Element) -> str:
    """Element name a FieldURI / IndexedFieldURI points to."""
    uri = uri_el.get("FieldURI")
    if local(uri_el) == "IndexedFieldURI":
        return INDEXED_CONTAINERS.get(":".join(uri.split(":")[:2]), uri.split(":")[-1])
    return uri.split(":")[-1]


def mailbox_xml(parent: etree._Element, name: str | None, address: str) -> None:
    box = sub(parent, "t", "Mailbox")
    if name:
        sub(box, "t", "Name", name)
    sub(box, "t", "EmailAddress", address)
    sub(box, "t", "RoutingType", "SMTP")
    sub(box, "t", "MailboxType", "Mailbox")


def addresses(item: Item, *names: str) -> list[tuple[str | None, str]]:
    """(name, address) of the recipients or senders held in these fields."""
    found = []
    for field_name_ in names:
        el = item.fields.get(field_name_)
        if isinstance(el, etree._Element):
            for box in el.iter(f"{{{T_NS}}}Mailbox"):
                address = box.findtext(f"{{{T_NS}}}EmailAddress")
                if address:
                    found.append((box.findtext(f"{{{T_NS}}}Name"), address))
    return found


def item_from_xml(el: etree._Element, mailbox: Mailbox) -> Item:
    """A new item from a CreateItem element (its fields as given; MIME parsed into fields it lacks)."""
    element = local(el)
    if element not in ITEM_ELEMENTS:
        raise ItemError("ErrorInvalidRequest", f"The sandbox cannot create items of type {element}.")
    item = Item(new_id("AAMkI", mailbox.tag), element, "", {})
    for child in el:
        if not isinstance(child.tag, str):
            continue
        name = local(child)
        if name == "ExtendedProperty":
            item.fields.setdefault("ExtendedProperty", []).append(copy.deepcopy(child))
        elif name == "MimeContent":
            item.mime = base64.b64decode(child.text or "")
        elif name == "Attachments":
            item.attachments += [attachment_from_xml(a, mailbox) for a in child if isinstance(a.tag, str)]
        elif name not in COMPUTED:
            item.fields[name] = copy.deepcopy(child)
    if item.mime is not None:
        # Exchange keeps a message whose MIME it cannot fully read (an unknown charset, broken parts) with the
        # fields it could read and hands the MIME out as it came; so does the sandbox
        with contextlib.suppress(LookupError, ValueError, TypeError, AttributeError, ArithmeticError):
            _fields_from_mime(item, mailbox)
    normalize(item)
    if element == "CalendarItem":
        item.fields.setdefault("UID", t("UID", new_uid()))
    if element == "Message":
        item.fields.setdefault("InternetMessageId", t("InternetMessageId", email.utils.make_msgid(domain="sandbox.test")))
    return item


def new_uid() -> str:
    """An iCalendar UID of the form Exchange makes (a Global Object ID in hex)."""
    return "040000008200E00074C5B7101A82E00800000000" + os.urandom(24).hex().upper()


def normalize(item: Item) -> None:
    """Hold values as Exchange stores them: booleans true/false, length limits, UTC times, and a
    recurrence's StartDate/EndDate with the offset Exchange writes (Z: the sandbox keeps UTC)."""
    for name, el in item.fields.items():
        if not isinstance(el, etree._Element):
            continue
        if name in BOOLEAN_FIELDS:
            el.text = xml_bool((el.text or "").strip() in ("true", "1"))
        elif name in LENGTH_LIMITS and el.text and len(el.text) > LENGTH_LIMITS[name]:
            el.text = el.text[:LENGTH_LIMITS[name]]
        elif name in UTC_TIMES and el.text:
            with contextlib.suppress(ValueError):
                el.text = xml_time(parse_time(el.text.strip()))
    recurrence = item.fields.get("Recurrence")
    if isinstance(recurrence, etree._Element):
        for day in recurrence.iter(f"{{{T_NS}}}StartDate", f"{{{T_NS}}}EndDate"):
            if day.text and len(day.text.strip()) == 10:
                day.text = day.text.strip() + "Z"


def attachment_from_xml(el: etree._Element, mailbox: Mailbox) -> Attachment:
    if local(el) == "ItemAttachment":
        inner = next((c for c in el if isinstance(c.tag, str) and local(c) in ITEM_ELEMENTS), None)
        if inner is None:
            raise ItemError("ErrorInvalidRequest", "An item attachment needs the item it attaches "
                            "(Message, CalendarItem, Contact, Task or Item).")
        attached = item_from_xml(inner, mailbox)
        return Attachment(id=new_id("AAMkA", mailbox.tag), name=el.findtext(f"{{{T_NS}}}Name")
                          or attached.text("Subject") or "item", content_type="message/rfc822", content=b"",
                          is_inline=el.findtext(f"{{{T_NS}}}IsInline") == "true", item=attached)
    if local(el) != "FileAttachment":
        raise ItemError("ErrorInvalidRequest", f"The sandbox keeps file and item attachments, not {local(el)}.")
    return Attachment(id=new_id("AAMkA", mailbox.tag), name=el.findtext(f"{{{T_NS}}}Name") or "attachment",
                      content_type=el.findtext(f"{{{T_NS}}}ContentType") or "application/octet-stream",
                      content=base64.b64decode(el.findtext(f"{{{T_NS}}}Content") or ""),
                      content_id=el.findtext(f"{{{T_NS}}}ContentId"),
                      is_inline=el.findtext(f"{{{T_NS}}}IsInline") == "true")


def _recipients_el(name: str, pairs: list[tuple[str, str]]) -> etree._Element:
    el = t(name)
    for display, address in pairs:
        mailbox_xml(el, display, address)
    return el


def _fields_from_mime(item: Item, mailbox: Mailbox) -> None:
    msg = BytesParser(policy=email.policy.default).parsebytes(item.mime)
    f = item.fields
    if msg["Subject"] is not None:
        f.setdefault("Subject", t("Subject", str(msg["Subject"])))
    for header, name in (("From", "From"), ("Sender", "Sender")):
        pairs = email.utils.getaddresses([str(v) for v in msg.get_all(header, [])])
        if pairs:
            holder = t(name)
            mailbox_xml(holder, pairs[0][0] or None, pairs[0][1])
            f.setdefault(name, holder)
    for header, name in (("To", "ToRecipients"), ("Cc", "CcRecipients"), ("Bcc", "BccRecipients")):
        pairs = email.utils.getaddresses([str(v) for v in msg.get_all(header, [])])
        if pairs:
            f.setdefault(name, _recipients_el(name, pairs))
    for header, name in (("Message-ID", "InternetMessageId"), ("In-Reply-To", "InReplyTo"),
                         ("References", "References"), ("Thread-Index", "ConversationIndex")):
        if msg[header] is not None:
            f.setdefault(name, t(name, " ".join(str(msg[header]).split())))
    # an unreadable Date header: Exchange too keeps the message and drops the date
    with contextlib.suppress(TypeError, ValueError):
        sent = email.utils.parsedate_to_datetime(str(msg["Date"])) if msg["Date"] is not None else None
        if sent is not None:
            f.setdefault("DateTimeSent", t("DateTimeSent", xml_time(sent)))
    body = msg.get_body(preferencelist=("html", "plain"))
    if body is not None:
        kind = "HTML" if body.get_content_type() == "text/html" else "Text"
        f.setdefault("Body", t("Body", body.get_content(), BodyType=kind))
    for part in msg.iter_attachments():
        if part.get_content_type() == "message/rfc822":  # an attached email: Exchange makes it an item attachment
            inner = t("Message")
            sub(inner, "t", "MimeContent", base64.b64encode(part.get_content().as_bytes()).decode())
            attached = item_from_xml(inner, mailbox)
            item.attachments.append(Attachment(
                id=new_id("AAMkA", mailbox.tag), name=part.get_filename() or attached.text("Subject") or "item",
                content_type="message/rfc822", content=b"", item=attached))
            continue
        item.attachments.append(Attachment(
            id=new_id("AAMkA", mailbox.tag), name=part.get_filename() or "attachment",
            content_type=part.get_content_type(), content=part.get_payload(decode=True) or b"",
            content_id=(part["Content-ID"] or "").strip("<>") or None,
            is_inline=part.get_content_disposition() == "inline"))


_MIME_FIELDS = ("Subject", "From", "Sender", "ToRecipients", "CcRecipients", "DateTimeSent", "InternetMessageId",
                "InReplyTo", "References", "ConversationIndex", "Body")


def _mime_key(item: Item) -> tuple:
    """What mime_of writes from (a category or the read flag changed leaves it the same)."""
    fields = item.fields
    return (item.created, tuple(etree.tostring(el) if isinstance(el := fields.get(name), etree._Element) else None
                                for name in _MIME_FIELDS),
            tuple((a.id, a.name, a.content_type, a.is_inline, a.content_id, len(a.content)) for a in item.attachments))


def mime_of(item: Item) -> bytes:
    """The item's MIME: as it came, or written from its fields (headers Exchange would write).

    What is written is kept while the fields it is written from stay the same, as Exchange stores an email's
    MIME: the email package writes about a thousand a second, and every Graph delta page (internetMessageHeaders)
    and every download paid for it again, most of what a Graph client waited on."""
    if item.mime is not None:
        return item.mime
    made = _mime_key(item)
    if item.made_mime is not None and item.made_mime[0] == made:
        return item.made_mime[1]
    msg = EmailMessage(policy=email.policy.SMTP)
    if (subject := item.text("Subject")) is not None:
        msg["Subject"] = subject
    for header, name in (("From", "From"), ("Sender", "Sender"), ("To", "ToRecipients"), ("Cc", "CcRecipients")):
        pairs = addresses(item, name)
        if pairs:
            msg[header] = ", ".join(email.utils.formataddr((n or "", a)) for n, a in pairs)
    sent = item.text("DateTimeSent")
    msg["Date"] = email.utils.format_datetime(parse_time(sent) if sent else item.created)
    for header, name in (("Message-ID", "InternetMessageId"), ("In-Reply-To", "InReplyTo"),
                         ("References", "References"), ("Thread-Index", "ConversationIndex")):
        if value := item.text(name):
            msg[header] = value
    body = item.fields.get("Body")
    text = body.text or "" if isinstance(body, etree._Element) else ""
    msg.set_content(text, subtype="html" if isinstance(body, etree._Element) and body.get("BodyType") == "HTML"
                    else "plain")
    for a in item.attachments:
        if a.item is not None:  # an attached email travels as a message/rfc822 part
            msg.add_attachment(BytesParser(policy=email.policy.default).parsebytes(mime_of(a.item)),
                               filename=a.name, disposition="inline" if a.is_inline else "attachment")
            continue
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(a.content, maintype=maintype or "application", subtype=subtype or "octet-stream",
                           filename=a.name, disposition="inline" if a.is_inline else "attachment",
                           cid=f"<{a.content_id}>" if a.content_id else None)
    item.made_mime = (made, msg.as_bytes())
    return item.made_mime[1]


def _computed(item: Item, mailbox: Mailbox, name: str) -> etree._Element | None:
    folder = mailbox.folders.get(item.folder_id)
    if name == "MimeContent":
        return t("MimeContent", base64.b64encode(mime_of(item)).decode(), CharacterSet="UTF-8")
    if name == "ItemId":
        return t("ItemId", Id=item.id, ChangeKey=item.change_key)
    if name == "ParentFolderId" and folder is not None:
        return t("ParentFolderId", Id=folder.id, ChangeKey=folder.change_key)
    if name == "Attachments" and item.attachments:
        holder = t("Attachments")
        for a in item.attachments:
            holder.append(attachment_xml(a, with_content=False, mailbox=mailbox))
        return holder
    if name == "DateTimeReceived":
        return t(name, xml_time(item.received))
    if name == "DateTimeCreated":
        return t(name, xml_time(item.created))
    if name == "LastModifiedTime":
        return t(name, xml_time(item.modified))
    if name == "Size":
        size = len(item.mime) if item.mime is not None else sum(
            len(etree.tostring(v)) for v in item.fields.values() if isinstance(v, etree._Element))
        return t(name, str(size + sum(len(a.content) if a.item is None else len(mime_of(a.item))
                                      for a in item.attachments)))
    if name == "HasAttachments":
        return t(name, xml_bool(any(not a.is_inline for a in item.attachments)))
    if name in ("DisplayTo", "DisplayCc"):
        pairs = addresses(item, "ToRecipients" if name == "DisplayTo" else "CcRecipients")
        return t(name, "; ".join(n or a for n, a in pairs)) if pairs else None
    if name == "ItemClass":
        return t(name, ITEM_CLASS[item.element])
    if name == "IsRead" and item.element == "Message":
        return t(name, "false")
    if name == "IsDraft":
        return t(name, "false")
    if name == "DateTimeSent" and item.element == "Message":
        return t(name, xml_time(item.created))
    if item.element == "CalendarItem" and name in ("ModifiedOccurrences", "DeletedOccurrences"):
        return _changed_occurrences(item, name)
    if item.element == "MeetingRequest" and name == "CalendarItemType":  # one occurrence's request: Exception
        stored = item.fields.get(name)
        return stored if stored is not None else t(name, "RecurringMaster" if "Recurrence" in item.fields else "Single")
    if item.element == "CalendarItem" and name in ("IsRecurring", "CalendarItemType"):
        kind = "Occurrence" if OCCURRENCE in item.id else "RecurringMaster" if "Recurrence" in item.fields else "Single"
        if name == "CalendarItemType":
            master = mailbox.items.get(item.id.partition(OCCURRENCE)[0]) if kind == "Occurrence" else None
            is_exception = master is not None and master.exceptions.get(int(item.id.partition(OCCURRENCE)[2]))
            return t(name, "Exception" if is_exception else kind)
        # Exchange's own table: false on the organizer's master (a documented quirk), true on an attendee's
        organizer = addresses(item, "Organizer")
        attendee_copy = bool(organizer) and organizer[0][1].lower() != mailbox.address.lower()
        return t(name, xml_bool(kind == "Occurrence" or (kind == "RecurringMaster" and attendee_copy)))
    if item.element == "Task" and name == "IsRecurring":
        return t(name, xml_bool("Recurrence" in item.fields))
    return None


def value_of(item: Item, mailbox: Mailbox, name: str) -> etree._Element | None:
    """The element a reply would carry for this property (stored, or computed by the server)."""
    stored = item.fields.get(name)
    if isinstance(stored, etree._Element) and name not in COMPUTED:
        return stored
    return _computed(item, mailbox, name)


def extended_matches(prop: etree._Element, uri: etree._Element) -> bool:
    stored = prop.find(f"{{{T_NS}}}ExtendedFieldURI")
    return stored is not None and {k.lower(): v.lower() for k, v in stored.attrib.items()} == \
        {k.lower(): v.lower() for k, v in uri.attrib.items()}


def render(item: Item, mailbox: Mailbox, shape: Shape) -> etree._Element:
    el = t(item.element)
    for name in ORDER[item.element]:
        if name == "ExtendedProperty":
            for prop in item.fields.get("ExtendedProperty", []):
                if any(extended_matches(prop, uri) for uri in shape.extended):
                    el.append(copy.deepcopy(prop))
            continue
        if not shape.wants(name):
            continue
        value = value_of(item, mailbox, name)
        if value is not None:
            el.append(copy.deepcopy(value))
    return el


def _changed_occurrences(master: Item, name: str) -> etree._Element | None:
    """A master's ModifiedOccurrences (each one's id, times and original start) or DeletedOccurrences."""
    times, recurrence = master_times(master.fields), master.fields.get("Recurrence")
    if times is None or recurrence is None:
        return None
    holder = t(name)
    for index in sorted(master.exceptions):
        own = master.exceptions[index]
        original = nth(recurrence, *times, index)
        if original is None or (own is None) != (name == "DeletedOccurrences"):
            continue
        if own is None:
            sub(sub(holder, "t", "DeletedOccurrence"), "t", "Start", xml_time(original[0]))
            continue
        changed = occurrence(master, index, *original)
        entry = sub(holder, "t", "Occurrence")
        sub(entry, "t", "ItemId", Id=changed.id, ChangeKey=changed.change_key)
        sub(entry, "t", "Start", changed.text("Start"))
        sub(entry, "t", "End", changed.text("End"))
        sub(entry, "t", "OriginalStart", xml_time(original[0]))
    return holder if len(holder) else None


def attachment_xml(a: Attachment, with_content: bool, mailbox: Mailbox | None = None,
                   shape: Shape | None = None) -> etree._Element:
    """A FileAttachment or ItemAttachment; with_content: a file's Content, or the attached item (in `shape`,
    without an ItemId of its own: Exchange reaches it through the attachment's id only)."""
    el = t("ItemAttachment" if a.item is not None else "FileAttachment")
    sub(el, "t", "AttachmentId", Id=a.id)
    sub(el, "t", "Name", a.name)
    sub(el, "t", "ContentType", a.content_type)
    if a.content_id:
        sub(el, "t", "ContentId", a.content_id)
    attached = render(a.item, mailbox, shape or Shape()) if a.item is not None else None
    if attached is not None:
        for own in attached.findall(f"{{{T_NS}}}ItemId"):
            attached.remove(own)
    sub(el, "t", "Size", str(len(etree.tostring(attached)) if attached is not None else len(a.content)))
    sub(el, "t", "LastModifiedTime", xml_time(a.modified))
    sub(el, "t", "IsInline", xml_bool(a.is_inline))
    if with_content:
        if attached is not None:
            el.append(attached)
        else:
            sub(el, "t", "Content", base64.b64encode(a.content).decode())
    return el


def _merge_indexed(item: Item, container: etree._Element) -> None:
    name = local(container)
    current = item.fields.get(name)
    if not isinstance(current, etree._Element):
        item.fields[name] = current = t(name)
    for entry in container:
        if not isinstance(entry.tag, str):
            continue
        existing = next((e for e in current if e.get("Key") == entry.get("Key")), None)
        if existing is None:
            current.append(copy.deepcopy(entry))
        elif name == "PhysicalAddresses":
            parts = {local(p): p for p in existing} | {local(p): copy.deepcopy(p) for p in entry}
            for p in list(existing):
                existing.remove(p)
            for key in ADDRESS_ORDER:
                if key in parts:
                    existing.append(parts[key])
        else:
            current.replace(existing, copy.deepcopy(entry))


def apply_update(item: Item, update: etree._Element) -> None:
    """One SetItemField / AppendToItemField / DeleteItemField."""
    kind = local(update)
    uri = next(c for c in update if isinstance(c.tag, str))
    if local(uri) == "ExtendedFieldURI":
        props = [p for p in item.fields.get("ExtendedProperty", []) if not extended_matches(p, uri)]
        if kind != "DeleteItemField":
            wrapper = next(c for c in update if isinstance(c.tag, str) and c is not uri)
            props += [copy.deepcopy(p) for p in wrapper if isinstance(p.tag, str) and local(p) == "ExtendedProperty"]
        item.fields["ExtendedProperty"] = props
        return
    name = field_name(uri)
    if name in COMPUTED - {"MimeContent"} and name != "Attachments":
        raise ItemError("ErrorInvalidPropertySet", f"{uri.get('FieldURI')} is read-only.")
    if kind == "DeleteItemField":
        if name == "UID":
            return  # a calendar item keeps its UID for life
        if local(uri) == "IndexedFieldURI":
            container = item.fields.get(name)
            if isinstance(container, etree._Element):
                for entry in [e for e in container if e.get("Key") == uri.get("FieldIndex")]:
                    if name == "PhysicalAddresses":
                        for p in [p for p in entry if local(p) == uri.get("FieldURI").split(":")[-1]]:
                            entry.remove(p)
                    else:
                        container.remove(entry)
        else:
            item.fields.pop(name, None)
        return
    wrapper = next(c for c in update if isinstance(c.tag, str) and c is not uri)
    value = next((c for c in wrapper if isinstance(c.tag, str)), None)
    if value is None:
        raise ItemError("ErrorInvalidRequest", f"{kind} for {uri.get('FieldURI')} carries no value.")
    if name == "MimeContent":
        item.mime = base64.b64decode(value.text or "")
    elif local(uri) == "IndexedFieldURI":
        _merge_indexed(item, value)
    elif kind == "AppendToItemField" and isinstance(item.fields.get(name), etree._Element):
        target = item.fields[name]
        if len(value):
            target.extend(copy.deepcopy(c) for c in value)
        else:
            target.text = (target.text or "") + (value.text or "")
    else:
        item.fields[name] = copy.deepcopy(value)


def sent_copy(item: Item, mailbox: Mailbox, read: bool) -> Item:
    """The copy a recipient's inbox (or the sender's Sent Items) gets: same MIME, same Message-ID."""
    clone = copy.deepcopy(item)
    clone.id = new_id("AAMkI", mailbox.tag)
    clone.version = 1
    clone.created = clone.modified = clone.received = now()
    renew_attachment_ids(clone, mailbox.tag)
    clone.fields["IsRead"] = t("IsRead", xml_bool(read))
    clone.fields["IsDraft"] = t("IsDraft", "false")
    clone.fields.setdefault("DateTimeSent", t("DateTimeSent", xml_time(item.created)))
    return clone


def occurrence(master: Item, index: int, start, end, own: bool = True) -> Item:
    """One occurrence of a series, as FindItem's CalendarView and GetItem show it: the master's properties at
    the occurrence's original times, then (own) those it was given as an exception (None: a property the
    exception deleted)."""
    fields = {k: v for k, v in master.fields.items() if k != "Recurrence"}
    fields["Start"], fields["End"] = t("Start", xml_time(start)), t("End", xml_time(end))
    if own and master.exceptions.get(index):
        for name, value in master.exceptions[index].items():
            if value is None:
                fields.pop(name, None)
            else:
                fields[name] = value
    occ = Item(f"{master.id}{OCCURRENCE}{index}", "CalendarItem", master.folder_id, fields, when=master.created)
    occ.version, occ.modified, occ.attachments = master.version, master.modified, master.attachments
    return occ
