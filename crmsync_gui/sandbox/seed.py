"""Seeding items straight into the store (no HTTP), and describing what a mailbox holds, for tests and demos.

The builders return the same EWS elements a client would send in CreateItem, so seeded items go through the
same code path as created ones.
"""
from __future__ import annotations

import base64
import email.utils
from collections.abc import Iterable
from datetime import datetime

from lxml import etree

from . import items as it
from .soap import T_NS, sub, t, xml_bool, xml_time
from .store import Folder, Item, Mailbox

Address = str | tuple[str, str]  # "a@b" or ("Name", "a@b")


def _pair(who: Address) -> tuple[str | None, str]:
    return (None, who) if isinstance(who, str) else who


def _recipients(parent: etree._Element, name: str, people: Iterable[Address]) -> None:
    people = list(people)
    if people:
        holder = sub(parent, "t", name)
        for who in people:
            display, address = _pair(who)
            it.mailbox_xml(holder, display, address)


def _strings(parent: etree._Element, name: str, values: Iterable[str]) -> None:
    values = list(values)
    if values:
        holder = sub(parent, "t", name)
        for v in values:
            sub(holder, "t", "String", v)


def message(subject: str = "", body: str = "", html: bool = False, sender: Address | None = None,
            to: Iterable[Address] = (), cc: Iterable[Address] = (), is_read: bool = False,
            categories: Iterable[str] = (), message_id: str | None = None, in_reply_to: str | None = None,
            references: str | None = None, thread_index: str | None = None, sent: datetime | None = None,
            mime: bytes | None = None, attachments: Iterable[tuple[str, str, bytes]] = ()) -> etree._Element:
    """A t:Message. With mime, the MIME is the message (its headers fill the fields not given)."""
    el = t("Message")
    if mime is not None:
        sub(el, "t", "MimeContent", base64.b64encode(mime).decode(), CharacterSet="UTF-8")
    if subject:
        sub(el, "t", "Subject", subject)
    if body or mime is None:
        sub(el, "t", "Body", body, BodyType="HTML" if html else "Text")
    atts = list(attachments)
    if atts:
        holder = sub(el, "t", "Attachments")
        for name, content_type, content in atts:
            a = sub(holder, "t", "FileAttachment")
            sub(a, "t", "Name", name)
            sub(a, "t", "ContentType", content_type)
            sub(a, "t", "Content", base64.b64encode(content).decode())
    _strings(el, "Categories", categories)
    if in_reply_to:
        sub(el, "t", "InReplyTo", in_reply_to)
    if sent is not None:
        sub(el, "t", "DateTimeSent", xml_time(sent))
    if sender is not None:
        holder = sub(el, "t", "From")
        it.mailbox_xml(holder, *_pair(sender))
    _recipients(el, "ToRecipients", to)
    _recipients(el, "CcRecipients", cc)
    if thread_index:
        sub(el, "t", "ConversationIndex", thread_index)
    if message_id:
        sub(el, "t", "InternetMessageId", message_id)
    sub(el, "t", "IsRead", xml_bool(is_read))
    if references:
        sub(el, "t", "References", references)
    return el


def contact(given_name: str = "", surname: str = "", display_name: str | None = None, email: str | None = None,
            company: str | None = None, job_title: str | None = None, phone: str | None = None,
            categories: Iterable[str] = ()) -> etree._Element:
    el = t("Contact")
    _strings(el, "Categories", categories)
    name = display_name or " ".join(p for p in (given_name, surname) if p)
    sub(el, "t", "FileAs", name)
    sub(el, "t", "DisplayName", name)
    if given_name:
        sub(el, "t", "GivenName", given_name)
    if company:
        sub(el, "t", "CompanyName", company)
    if email:
        sub(sub(el, "t", "EmailAddresses"), "t", "Entry", email, Key="EmailAddress1")
    if phone:
        sub(sub(el, "t", "PhoneNumbers"), "t", "Entry", phone, Key="BusinessPhone")
    if job_title:
        sub(el, "t", "JobTitle", job_title)
    if surname:
        sub(el, "t", "Surname", surname)
    return el


def task(subject: str = "", body: str = "", due: datetime | None = None, status: str = "NotStarted",
         categories: Iterable[str] = ()) -> etree._Element:
    el = t("Task")
    sub(el, "t", "Subject", subject)
    if body:
        sub(el, "t", "Body", body, BodyType="Text")
    _strings(el, "Categories", categories)
    if due is not None:
        sub(el, "t", "DueDate", xml_time(due))
    sub(el, "t", "Status", status)
    return el


def calendar_item(subject: str = "", start: datetime | None = None, end: datetime | None = None,
                  location: str | None = None, body: str = "", organizer: Address | None = None,
                  attendees: Iterable[Address] = (), daily_occurrences: int | None = None,
                  categories: Iterable[str] = ()) -> etree._Element:
    """A t:CalendarItem; daily_occurrences makes it a recurring master (daily, that many times)."""
    if start is None or end is None:
        raise ValueError("a calendar item needs start and end")
    el = t("CalendarItem")
    sub(el, "t", "Subject", subject)
    if body:
        sub(el, "t", "Body", body, BodyType="Text")
    _strings(el, "Categories", categories)
    sub(el, "t", "UID", email.utils.make_msgid(domain="sandbox.test").strip("<>"))
    sub(el, "t", "Start", xml_time(start))
    sub(el, "t", "End", xml_time(end))
    if location:
        sub(el, "t", "Location", location)
    if organizer is not None:
        it.mailbox_xml(sub(el, "t", "Organizer"), *_pair(organizer))
    people = list(attendees)
    if people:
        holder = sub(el, "t", "RequiredAttendees")
        for who in people:
            it.mailbox_xml(sub(holder, "t", "Attendee"), *_pair(who))
    if daily_occurrences:
        rec = sub(el, "t", "Recurrence")
        sub(sub(rec, "t", "DailyRecurrence"), "t", "Interval", "1")
        numbered = sub(rec, "t", "NumberedRecurrence")
        sub(numbered, "t", "StartDate", start.date().isoformat())
        sub(numbered, "t", "NumberOfOccurrences", str(daily_occurrences))
    return el


def put(mailbox: Mailbox, folder: Folder, element: etree._Element) -> Item:
    return mailbox.put_item(it.item_from_xml(element, mailbox), folder)


def describe(mailbox: Mailbox, item: Item) -> dict:
    """A plain summary of an item, for tests to assert on."""
    def text(name):
        value = it.value_of(item, mailbox, name)
        return value.text if value is not None else None

    categories = item.fields.get("Categories")
    return {
        "id": item.id, "change_key": item.change_key, "type": item.element, "subject": text("Subject"),
        "message_id": text("InternetMessageId"), "in_reply_to": text("InReplyTo"),
        "references": text("References"), "thread_index": text("ConversationIndex"),
        "is_read": text("IsRead") == "true" if item.element == "Message" else None,
        "from": [a for _, a in it.addresses(item, "From")],
        "to": [a for _, a in it.addresses(item, "ToRecipients")],
        "categories": [c.text for c in categories.iter(f"{{{T_NS}}}String")] if categories is not None else [],
        "attachments": [a.name for a in item.attachments],
        "extended_properties": len(item.fields.get("ExtendedProperty", [])),
    }
