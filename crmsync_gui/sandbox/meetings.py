"""Meetings as Exchange runs them, between the sandbox's own mailboxes.

A calendar item with attendees, saved with SendMeetingInvitations (or updated with
SendMeetingInvitationsOrCancellations), becomes a MeetingRequest in each attendee's inbox, and the
meeting lands in the attendee's calendar as Exchange's calendar attendant puts it there (same UID,
MyResponseType NoResponseReceived). AcceptItem, TentativelyAcceptItem and DeclineItem answer the
organizer with a MeetingResponse and set that attendee's ResponseType on the organizer's item; a
decline takes the meeting out of the attendee's calendar. CancelCalendarItem, or deleting the
organizer's item with SendMeetingCancellations, sends a MeetingCancellation and marks each
attendee's copy cancelled. One occurrence of the organizer's series changed (UpdateItem on it, sent) or
deleted (DeleteItem on it with SendMeetingCancellations) reaches the attendees as Outlook sends it: a
MeetingRequest or MeetingCancellation for that occurrence alone (its RecurrenceId), and their copy of the
series takes the exception. Attendees outside the sandbox get nothing, as if on the Internet.

Everything here runs under the store's lock, called from operations.py.
"""
from __future__ import annotations

import copy
import email.utils

from lxml import etree

from . import items as it
from .recurrence import master_times, nth
from .soap import T_NS, parse_time, t, xml_time
from .store import Folder, Item, Mailbox, Store, new_id, now

# The SendMeetingInvitations... values that send anything ("Changed": only to attendees a change affects).
SENDING = frozenset({"SendOnlyToAll", "SendToAllAndSaveCopy", "SendOnlyToChanged", "SendToChangedAndSaveCopy"})
ROLES = ("RequiredAttendees", "OptionalAttendees", "Resources")
# response element -> (ResponseType, subject prefix, the response message's item class)
RESPONSES = {
    "AcceptItem": ("Accept", "Accepted: ", "IPM.Schedule.Meeting.Resp.Pos"),
    "TentativelyAcceptItem": ("Tentative", "Tentative: ", "IPM.Schedule.Meeting.Resp.Tent"),
    "DeclineItem": ("Decline", "Declined: ", "IPM.Schedule.Meeting.Resp.Neg"),
}
# What of the organizer's item stays the organizer's own: their categories, extended properties, reminder
# and the state of their sending.
_OWN = {"Categories", "ExtendedProperty", "MyResponseType", "MeetingRequestWasSent", "ReminderDueBy",
        "ReminderIsSet", "ReminderMinutesBeforeStart", "IsResponseRequested"}
# The calendar properties a meeting message carries besides subject and body.
_CALENDAR = ("UID", "Start", "End", "IsAllDayEvent", "LegacyFreeBusyStatus", "Location", "IsMeeting", "IsCancelled",
             "Organizer", "RequiredAttendees", "OptionalAttendees", "Resources", "AppointmentSequenceNumber",
             "Recurrence", "MeetingTimeZone", "StartTimeZone", "EndTimeZone")
_ANSWER_CALENDAR = ("UID", "Start", "End", "Location", "Recurrence")  # what responses and cancellations carry


def attendees(item: Item) -> list[str]:
    """The meeting's attendees (required, optional, resources): lower-case addresses, each once."""
    found: list[str] = []
    for _name, address in it.addresses(item, *ROLES):
        if address.lower() not in found:
            found.append(address.lower())
    return found


def organized_by(item: Item, mailbox: Mailbox) -> bool:
    """Whether this is a meeting the mailbox organizes (its own item, sent to attendees)."""
    organizer = it.addresses(item, "Organizer")
    return (item.element == "CalendarItem" and item.text("IsMeeting") == "true" and bool(organizer)
            and organizer[0][1].lower() == mailbox.address.lower())


def _attendee_elements(item: Item):
    for role in ROLES:
        holder = item.fields.get(role)
        if isinstance(holder, etree._Element):
            yield from holder.iter(f"{{{T_NS}}}Attendee")


def _address_of(attendee: etree._Element) -> str:
    return (attendee.findtext(f"{{{T_NS}}}Mailbox/{{{T_NS}}}EmailAddress") or "").lower()


def _set_response(attendee: etree._Element, response: str, when: str | None = None) -> None:
    """An Attendee's ResponseType (and LastResponseTime), in the schema's order after its Mailbox."""
    for name in ("ResponseType", "LastResponseTime"):
        for old in attendee.findall(f"{{{T_NS}}}{name}"):
            attendee.remove(old)
    mailbox_el = attendee.find(f"{{{T_NS}}}Mailbox")
    at = list(attendee).index(mailbox_el) + 1 if mailbox_el is not None else 0
    attendee.insert(at, t("ResponseType", response))
    if when:
        attendee.insert(at + 1, t("LastResponseTime", when))


def organize(item: Item, mailbox: Mailbox, before: Item | None = None) -> None:
    """The organizer's item as Exchange keeps a meeting: organizer, IsMeeting, and each attendee's response,
    Unknown until they answer. An update keeps the answers of the attendees who stay (`before`: the item
    before it); the ResponseType a client sends is not taken."""
    f = item.fields
    holder = t("Organizer")
    it.mailbox_xml(holder, mailbox.name, mailbox.address)
    f["Organizer"] = holder
    f["IsMeeting"] = t("IsMeeting", "true")
    f["MeetingRequestWasSent"] = t("MeetingRequestWasSent", "true")
    f["MyResponseType"] = t("MyResponseType", "Organizer")
    f.setdefault("AppointmentSequenceNumber", t("AppointmentSequenceNumber", "0"))
    answered = {_address_of(a): a for a in _attendee_elements(before)} if before is not None else {}
    for attendee in _attendee_elements(item):
        old = answered.get(_address_of(attendee))
        if old is not None and old.findtext(f"{{{T_NS}}}ResponseType"):
            _set_response(attendee, old.findtext(f"{{{T_NS}}}ResponseType"), old.findtext(f"{{{T_NS}}}LastResponseTime"))
        else:
            _set_response(attendee, "Unknown")


def _calendar(mailbox: Mailbox) -> Folder:
    return mailbox.distinguished("calendar")


def attendee_copy(mailbox: Mailbox, uid: str | None) -> Item | None:
    """The meeting of this UID in an attendee's calendar."""
    if not uid:
        return None
    return next((i for i in mailbox.items_in(_calendar(mailbox))
                 if i.element == "CalendarItem" and i.text("UID") == uid), None)


def _shared_fields(item: Item) -> dict:
    return {name: copy.deepcopy(value) for name, value in item.fields.items() if name not in _OWN}


def _place_copy(attendee: Mailbox, item: Item) -> Item:
    """Put the meeting in the attendee's calendar, or bring the copy there up to date (keeping their answer)."""
    found = attendee_copy(attendee, item.text("UID"))
    fields = _shared_fields(item)
    if found is None:
        fields["MyResponseType"] = t("MyResponseType", "NoResponseReceived")
        found = Item(new_id("AAMkI", attendee.tag), "CalendarItem", "", fields)
        found.exceptions = copy.deepcopy(item.exceptions)
        return attendee.put_item(found, _calendar(attendee))
    fields["MyResponseType"] = found.fields.get("MyResponseType", t("MyResponseType", "NoResponseReceived"))
    found.fields.clear()
    found.fields.update(fields)
    found.exceptions = copy.deepcopy(item.exceptions)
    attendee.touch_item(found)
    return found


def _recipients(name: str, pairs: list[tuple[str | None, str]]) -> etree._Element:
    holder = t(name)
    for display, address in pairs:
        it.mailbox_xml(holder, display, address)
    return holder


def _message(element: str, item_class: str, subject: str, sender: Mailbox, owner: Mailbox,
             to: list[tuple[str | None, str]], cc: list[tuple[str | None, str]] = ()) -> Item:
    """A meeting message as it lands in `owner`'s mailbox, sent by `sender`."""
    from_, sender_ = t("From"), t("Sender")
    for holder in (from_, sender_):
        it.mailbox_xml(holder, sender.name, sender.address)
    fields = {"ItemClass": t("ItemClass", item_class), "Subject": t("Subject", subject), "From": from_,
              "Sender": sender_,
              "InternetMessageId": t("InternetMessageId", email.utils.make_msgid(domain="sandbox.test")),
              "DateTimeSent": t("DateTimeSent", xml_time(now())), "IsRead": t("IsRead", "false"),
              "IsDraft": t("IsDraft", "false")}
    for name, pairs in (("ToRecipients", to), ("CcRecipients", cc)):  # none: no element, as Exchange writes it
        if pairs:
            fields[name] = _recipients(name, list(pairs))
    message = Item(new_id("AAMkI", owner.tag), element, "", fields)
    if sender is owner:
        message.fields["IsRead"] = t("IsRead", "true")
    return message


def _meeting_message(element: str, item_class: str, subject: str, item: Item, organizer: Mailbox,
                     owner: Mailbox, associated: Item | None) -> Item:
    message = _message(element, item_class, subject, organizer, owner, it.addresses(item, "RequiredAttendees"),
                       it.addresses(item, "OptionalAttendees", "Resources"))
    if isinstance(body := item.fields.get("Body"), etree._Element):
        message.fields["Body"] = copy.deepcopy(body)
    for name in _CALENDAR if element == "MeetingRequest" else _ANSWER_CALENDAR:
        if isinstance(value := item.fields.get(name), etree._Element):
            message.fields[name] = copy.deepcopy(value)
    if associated is not None:
        message.fields["AssociatedCalendarItemId"] = t("AssociatedCalendarItemId", Id=associated.id,
                                                       ChangeKey=associated.change_key)
    return message


def invite(store: Store, organizer: Mailbox, item: Item, to: list[str], kind: str, save_copy: bool) -> None:
    """Send the meeting to these attendees: kind is the MeetingRequestType (NewMeetingRequest, FullUpdate)."""
    for address in to:
        attendee = store.get(address)
        if attendee is None or attendee is organizer:
            continue
        placed = _place_copy(attendee, item)
        request = _meeting_message("MeetingRequest", "IPM.Schedule.Meeting.Request", item.text("Subject") or "",
                                   item, organizer, attendee, placed)
        request.fields["ResponseType"] = t("ResponseType", placed.text("MyResponseType"))
        request.fields["MeetingRequestType"] = t("MeetingRequestType", kind)
        request.fields["IntendedFreeBusyStatus"] = t("IntendedFreeBusyStatus", "Busy")
        attendee.put_item(request, attendee.distinguished("inbox"))
    if save_copy and to:
        sent = _meeting_message("MeetingRequest", "IPM.Schedule.Meeting.Request", item.text("Subject") or "", item,
                                organizer, organizer, item)
        sent.fields["MeetingRequestType"] = t("MeetingRequestType", kind)
        organizer.put_item(sent, organizer.distinguished("sentitems"))


def _one_occurrence(master: Item, index: int) -> tuple[Item, str]:
    """The organizer's occurrence as it is now, and its RecurrenceId (its original start)."""
    original = nth(master.fields["Recurrence"], *master_times(master.fields), index)
    return it.occurrence(master, index, *original), xml_time(original[0])


def occurrence_changed(store: Store, organizer: Mailbox, master: Item, index: int, save_copy: bool) -> None:
    """One occurrence of the organizer's series was changed and sent: each of its attendees' series takes the
    exception, and they get a meeting request for that occurrence (CalendarItemType Exception)."""
    changed, recurrence_id = _one_occurrence(master, index)
    sequence = int(master.text("AppointmentSequenceNumber") or "0") + 1
    master.fields["AppointmentSequenceNumber"] = t("AppointmentSequenceNumber", str(sequence))
    changed.fields["AppointmentSequenceNumber"] = t("AppointmentSequenceNumber", str(sequence))
    to = attendees(changed)
    for address in to:
        attendee = store.get(address)
        if attendee is None or attendee is organizer:
            continue
        series = attendee_copy(attendee, master.text("UID"))
        if series is None:
            series = _place_copy(attendee, master)
        else:
            series.exceptions[index] = copy.deepcopy(master.exceptions[index])
            attendee.touch_item(series)
        placed = it.occurrence(series, index, *_times(changed))
        request = _occurrence_message("MeetingRequest", changed, organizer, attendee, placed, recurrence_id)
        request.fields["ResponseType"] = t("ResponseType", series.text("MyResponseType") or "NoResponseReceived")
        attendee.put_item(request, attendee.distinguished("inbox"))
    if save_copy and to:
        organizer.put_item(_occurrence_message("MeetingRequest", changed, organizer, organizer, None, recurrence_id),
                           organizer.distinguished("sentitems"))


def occurrence_cancelled(store: Store, organizer: Mailbox, master: Item, index: int, save_copy: bool) -> None:
    """One occurrence of the organizer's series is being deleted with cancellations: its attendees get a
    MeetingCancellation for it, and that occurrence in their series is marked cancelled (Outlook shows it so
    until they remove it)."""
    gone, recurrence_id = _one_occurrence(master, index)
    subject = "Canceled: " + (gone.text("Subject") or "")
    to = attendees(gone)
    for address in to:
        attendee = store.get(address)
        if attendee is None or attendee is organizer:
            continue
        series, placed = attendee_copy(attendee, master.text("UID")), None
        if series is not None and not (index in series.exceptions and series.exceptions[index] is None):
            own = dict(series.exceptions.get(index) or {})
            own.update(IsCancelled=t("IsCancelled", "true"), Subject=t("Subject", subject))
            series.exceptions[index] = own
            attendee.touch_item(series)
            placed = it.occurrence(series, index, *_times(gone))
        attendee.put_item(_occurrence_message("MeetingCancellation", gone, organizer, attendee, placed, recurrence_id,
                                              subject), attendee.distinguished("inbox"))
    if save_copy and to:
        organizer.put_item(_occurrence_message("MeetingCancellation", gone, organizer, organizer, None, recurrence_id,
                                               subject), organizer.distinguished("sentitems"))


def _times(occurrence: Item):
    return parse_time(occurrence.text("Start")), parse_time(occurrence.text("End"))


def _occurrence_message(element: str, occurrence: Item, organizer: Mailbox, owner: Mailbox, placed: Item | None,
                        recurrence_id: str, subject: str | None = None) -> Item:
    """A meeting request or cancellation for one occurrence of a series."""
    request = element == "MeetingRequest"
    message = _meeting_message(element, "IPM.Schedule.Meeting.Request" if request else "IPM.Schedule.Meeting.Canceled",
                               subject or occurrence.text("Subject") or "", occurrence, organizer, owner, placed)
    message.fields["RecurrenceId"] = t("RecurrenceId", recurrence_id)
    if request:
        message.fields["MeetingRequestType"] = t("MeetingRequestType", "FullUpdate")
        message.fields["IntendedFreeBusyStatus"] = t("IntendedFreeBusyStatus", "Busy")
        message.fields["CalendarItemType"] = t("CalendarItemType", "Exception")
    return message


def cancel(store: Store, organizer: Mailbox, item: Item, to: list[str], save_copy: bool) -> None:
    """Tell these attendees the meeting is off: a MeetingCancellation, and their copy marked cancelled."""
    subject = "Canceled: " + (item.text("Subject") or "")
    for address in to:
        attendee = store.get(address)
        if attendee is None or attendee is organizer:
            continue
        placed = attendee_copy(attendee, item.text("UID"))
        if placed is not None:
            placed.fields["IsCancelled"] = t("IsCancelled", "true")
            placed.fields["Subject"] = t("Subject", subject)
            attendee.touch_item(placed)
        attendee.put_item(_meeting_message("MeetingCancellation", "IPM.Schedule.Meeting.Canceled", subject, item,
                                           organizer, attendee, placed), attendee.distinguished("inbox"))
    if save_copy and to:
        organizer.put_item(_meeting_message("MeetingCancellation", "IPM.Schedule.Meeting.Canceled", subject, item,
                                            organizer, organizer, None), organizer.distinguished("sentitems"))


def changed_attendees(before: Item, after: Item) -> tuple[list[str], list[str], bool]:
    """(added, removed, whether anything else the attendees see changed) between two states of a meeting."""
    old, new = attendees(before), attendees(after)

    def seen(item):
        return [etree.tostring(item.fields[n]) for n in ("Subject", "Body", *_CALENDAR)
                if n not in ROLES and isinstance(item.fields.get(n), etree._Element)]
    return [a for a in new if a not in old], [a for a in old if a not in new], seen(before) != seen(after)


def updated(store: Store, organizer: Mailbox, before: Item, item: Item, how: str) -> None:
    """After an UpdateItem of the organizer's meeting, sent as `how` (SendToAllAndSaveCopy and the like):
    added attendees get the request, removed ones a cancellation, the others the update (with "Changed":
    only when something they see changed)."""
    organize(item, organizer, before)
    added, removed, changed = changed_attendees(before, item)
    sequence = int(item.text("AppointmentSequenceNumber") or "0") + 1
    item.fields["AppointmentSequenceNumber"] = t("AppointmentSequenceNumber", str(sequence))
    save_copy = how.endswith("AndSaveCopy")
    staying = [a for a in attendees(item) if a not in added]
    if changed or "ToAll" in how:
        invite(store, organizer, item, staying, "FullUpdate", save_copy)
    invite(store, organizer, item, added, "NewMeetingRequest", save_copy)
    cancel(store, organizer, before, removed, save_copy)


def respond(store: Store, mailbox: Mailbox, reference: Item, kind: str, keep: Folder | None) -> None:
    """An attendee's AcceptItem, TentativelyAcceptItem or DeclineItem to a meeting request or to the meeting
    in their calendar, sent to the organizer (a copy kept in `keep`)."""
    response, prefix, item_class = RESPONSES[kind]
    meeting = reference
    if reference.element == "MeetingRequest":
        linked = reference.fields.get("AssociatedCalendarItemId")
        meeting = mailbox.items.get(linked.get("Id")) if isinstance(linked, etree._Element) else None
        meeting = meeting or attendee_copy(mailbox, reference.text("UID"))
    if meeting is None or meeting.element != "CalendarItem" or it.OCCURRENCE in meeting.id:
        raise it.ItemError("ErrorInvalidOperation", "The sandbox answers whole meetings and their requests only.")
    if organized_by(meeting, mailbox):
        raise it.ItemError(f"ErrorCalendarIsOrganizerFor{response}",
                           "The organizer cannot answer their own meeting.")
    if meeting.text("IsCancelled") == "true":
        raise it.ItemError(f"ErrorCalendarIsCancelledFor{response}", "The meeting was cancelled.")
    organizer_pairs = it.addresses(meeting, "Organizer")
    meeting.fields["MyResponseType"] = t("MyResponseType", response)
    mailbox.touch_item(meeting)
    for request in [i for i in mailbox.items.values() if i.element == "MeetingRequest"
                    and i.text("UID") == meeting.text("UID") and i.folder_id == mailbox.distinguished("inbox").id]:
        mailbox.move_item(request, mailbox.distinguished("deleteditems"))  # Exchange files answered requests away
    if response == "Decline":
        mailbox.move_item(meeting, mailbox.distinguished("deleteditems"))
    if not organizer_pairs:
        return
    organizer = store.get(organizer_pairs[0][1])
    answered_at = xml_time(now())
    subject = prefix + (meeting.text("Subject") or "")
    if organizer is not None:
        own = attendee_copy(organizer, meeting.text("UID"))
        if own is not None and organized_by(own, organizer):
            for attendee in _attendee_elements(own):
                if _address_of(attendee) == mailbox.address.lower():
                    _set_response(attendee, response, answered_at)
            organizer.touch_item(own)
        organizer.put_item(_response(item_class, subject, meeting, mailbox, organizer, organizer_pairs, own,
                                     response), organizer.distinguished("inbox"))
    if keep is not None:
        mailbox.put_item(_response(item_class, subject, meeting, mailbox, mailbox, organizer_pairs, None, response),
                         keep)


def _response(item_class: str, subject: str, meeting: Item, attendee: Mailbox, owner: Mailbox,
              organizer_pairs, associated: Item | None, response: str) -> Item:
    message = _message("MeetingResponse", item_class, subject, attendee, owner, organizer_pairs[:1])
    for name in _ANSWER_CALENDAR:
        if isinstance(value := meeting.fields.get(name), etree._Element):
            message.fields[name] = copy.deepcopy(value)
    message.fields["ResponseType"] = t("ResponseType", response)
    if associated is not None:
        message.fields["AssociatedCalendarItemId"] = t("AssociatedCalendarItemId", Id=associated.id,
                                                       ChangeKey=associated.change_key)
    return message
