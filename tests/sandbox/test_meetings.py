"""Meetings (issue 21, item 5): invitations, answers and cancellations between sandbox mailboxes, as Exchange
delivers them, driven by exchangelib (every request and reply validated against the schema by the fixture)."""
from __future__ import annotations

import itertools
from datetime import UTC as PLAIN_UTC
from datetime import datetime, timedelta

import pytest
import requests
from exchangelib import UTC, Attendee, CalendarItem, EWSDateTime, Mailbox
from exchangelib.errors import ErrorCalendarIsNotOrganizer, ErrorCalendarIsOrganizerForAccept
from exchangelib.items import (
    SEND_ONLY_TO_ALL,
    SEND_ONLY_TO_CHANGED,
    SEND_TO_ALL_AND_SAVE_COPY,
    SEND_TO_CHANGED_AND_SAVE_COPY,
    SEND_TO_NONE,
    MeetingCancellation,
    MeetingRequest,
    MeetingResponse,
)
from exchangelib.recurrence import DailyPattern, Recurrence
from lxml import etree

from crmsync_gui.sandbox.soap import T_NS

_numbers = itertools.count(1)
GET_ITEM = """<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header><s:Body><m:GetItem><m:ItemShape>
<t:BaseShape>AllProperties</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="{}"/></m:ItemIds></m:GetItem>
</s:Body></s:Envelope>"""
START = EWSDateTime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def carl(sandbox, connect):
    address = f"carl{next(_numbers)}@sandbox.test"
    sandbox.add_mailbox(address, "carl-pw", name="Carl Example")
    return connect(address, "carl-pw")


def _attendee(account) -> Attendee:
    return Attendee(mailbox=Mailbox(email_address=account.primary_smtp_address), response_type="Unknown")


def _meeting(organizer, *attendees, subject="Review", send=SEND_TO_ALL_AND_SAVE_COPY) -> CalendarItem:
    item = CalendarItem(account=organizer, folder=organizer.calendar, subject=subject, body="the agenda",
                        start=START, end=START + timedelta(hours=1), location="Room 1",
                        required_attendees=[_attendee(a) for a in attendees])
    item.save(send_meeting_invitations=send)
    return item


def _responses(item) -> dict[str, str]:
    fresh = item.account.calendar.get(id=item.id)
    return {a.mailbox.email_address: a.response_type for a in fresh.required_attendees or []}


def _inbox(account, cls):
    return [i for i in account.inbox.all() if isinstance(i, cls)]


def test_an_invitation_reaches_each_attendee_with_the_meeting_in_their_calendar(ann, bob, carl):
    meeting = _meeting(ann, bob, carl)
    organizer_copy = ann.calendar.get(id=meeting.id)
    assert organizer_copy.is_meeting and organizer_copy.my_response_type == "Organizer"
    assert organizer_copy.meeting_request_was_sent and organizer_copy.organizer.email_address == ann.primary_smtp_address
    assert set(_responses(meeting).values()) == {"Unknown"}
    for attendee in (bob, carl):
        [request] = _inbox(attendee, MeetingRequest)
        assert request.subject == "Review" and request.meeting_request_type == "NewMeetingRequest"
        assert request.start == START and request.location == "Room 1" and request.is_meeting
        assert request.author.email_address == ann.primary_smtp_address
        [placed] = attendee.calendar.all()
        assert placed.id == request.associated_calendar_item_id.id
        assert placed.uid == organizer_copy.uid and placed.my_response_type == "NoResponseReceived"
        assert placed.organizer.email_address == ann.primary_smtp_address and placed.subject == "Review"
    assert [type(i) for i in ann.sent.all()] == [MeetingRequest]  # SendToAllAndSaveCopy keeps a copy


def test_saved_without_sending_reaches_nobody(ann, bob):
    _meeting(ann, bob, send="SendToNone")
    assert not list(bob.inbox.all()) and not list(bob.calendar.all())


def test_accept_tentative_and_decline_answer_the_organizer(ann, bob, carl, sandbox, connect):
    dora_address = f"dora{next(_numbers)}@sandbox.test"
    sandbox.add_mailbox(dora_address, "dora-pw", name="Dora Example")
    dora = connect(dora_address, "dora-pw")
    meeting = _meeting(ann, bob, carl, dora)
    _inbox(bob, MeetingRequest)[0].accept(body="see you")
    carl.calendar.all()[0].tentatively_accept()  # answering from the calendar works as well
    _inbox(dora, MeetingRequest)[0].decline()

    assert _responses(meeting) == {bob.primary_smtp_address: "Accept", carl.primary_smtp_address: "Tentative",
                                   dora.primary_smtp_address: "Decline"}
    answers = {r.author.email_address: (r.subject, r.response_type, r.item_class) for r in _inbox(ann, MeetingResponse)}
    assert answers == {
        bob.primary_smtp_address: ("Accepted: Review", "Accept", "IPM.Schedule.Meeting.Resp.Pos"),
        carl.primary_smtp_address: ("Tentative: Review", "Tentative", "IPM.Schedule.Meeting.Resp.Tent"),
        dora.primary_smtp_address: ("Declined: Review", "Decline", "IPM.Schedule.Meeting.Resp.Neg")}
    assert bob.calendar.all()[0].my_response_type == "Accept" and not _inbox(bob, MeetingRequest)
    assert not list(dora.calendar.all())  # a declined meeting leaves the attendee's calendar
    assert [type(i) for i in bob.sent.all()] == [MeetingResponse]
    fresh = ann.calendar.get(id=meeting.id)
    assert all(a.last_response_time is not None for a in fresh.required_attendees)


def test_the_organizer_cannot_answer_their_own_meeting(ann, bob):
    meeting = _meeting(ann, bob)
    with pytest.raises(ErrorCalendarIsOrganizerForAccept):
        ann.calendar.get(id=meeting.id).accept()


def test_an_update_reaches_the_attendees_and_keeps_their_answers(ann, bob, carl):
    meeting = _meeting(ann, bob)
    _inbox(bob, MeetingRequest)[0].accept()
    meeting = ann.calendar.get(id=meeting.id)
    meeting.start, meeting.end = START + timedelta(hours=2), START + timedelta(hours=3)
    meeting.required_attendees = [*meeting.required_attendees, _attendee(carl)]
    meeting.save(update_fields=["start", "end", "required_attendees"], send_meeting_invitations=SEND_ONLY_TO_ALL)

    [update] = _inbox(bob, MeetingRequest)
    assert update.meeting_request_type == "FullUpdate" and update.start == START + timedelta(hours=2)
    [placed] = bob.calendar.all()
    assert placed.start == START + timedelta(hours=2) and placed.my_response_type == "Accept"
    assert _inbox(carl, MeetingRequest)[0].meeting_request_type == "NewMeetingRequest"
    assert _responses(meeting) == {bob.primary_smtp_address: "Accept", carl.primary_smtp_address: "Unknown"}
    assert ann.calendar.get(id=meeting.id).appointment_sequence_number == 1


def test_a_removed_attendee_gets_a_cancellation_and_the_others_nothing_new(ann, bob, carl):
    meeting = _meeting(ann, bob, carl)
    meeting = ann.calendar.get(id=meeting.id)
    meeting.required_attendees = [a for a in meeting.required_attendees
                                  if a.mailbox.email_address == bob.primary_smtp_address]
    meeting.save(update_fields=["required_attendees"], send_meeting_invitations=SEND_ONLY_TO_CHANGED)
    assert len(_inbox(bob, MeetingRequest)) == 1  # only the first invitation: nothing changed for bob
    [cancellation] = _inbox(carl, MeetingCancellation)
    assert cancellation.subject == "Canceled: Review" and carl.calendar.all()[0].is_cancelled


@pytest.mark.parametrize("how", ["cancel", "delete"])
def test_cancelling_the_meeting_tells_every_attendee(ann, bob, how):
    meeting = _meeting(ann, bob)
    meeting = ann.calendar.get(id=meeting.id)
    if how == "cancel":
        meeting.cancel(body="postponed")
    else:
        meeting.delete(send_meeting_cancellations=SEND_TO_ALL_AND_SAVE_COPY)
    [cancellation] = _inbox(bob, MeetingCancellation)
    [placed] = bob.calendar.all()
    assert cancellation.item_class == "IPM.Schedule.Meeting.Canceled"
    assert cancellation.associated_calendar_item_id.id == placed.id
    assert placed.is_cancelled and placed.subject == "Canceled: Review"
    assert not list(ann.calendar.all())


def test_only_the_organizer_cancels(ann, bob):
    _meeting(ann, bob)
    with pytest.raises(ErrorCalendarIsNotOrganizer):
        bob.calendar.all()[0].cancel()


def test_attendees_outside_the_sandbox_get_nothing_and_break_nothing(ann, bob):
    item = CalendarItem(account=ann, folder=ann.calendar, subject="Call", start=START, end=START + timedelta(hours=1),
                        required_attendees=[_attendee(bob), Attendee(mailbox=Mailbox(email_address="x@fabrikam.com"),
                                                                     response_type="Unknown")])
    item.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    assert len(_inbox(bob, MeetingRequest)) == 1
    assert _responses(item)["x@fabrikam.com"] == "Unknown"


def test_an_attendee_editing_their_copy_sends_nothing(ann, bob, carl):
    _meeting(ann, bob, carl)
    placed = bob.calendar.all()[0]
    placed.location = "Room 2"
    placed.save(update_fields=["location"], send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    assert len(_inbox(carl, MeetingRequest)) == 1 and not _inbox(ann, MeetingRequest)
    assert bob.calendar.get(id=placed.id).organizer.email_address == ann.primary_smtp_address


def _series(organizer, *attendees) -> CalendarItem:
    item = CalendarItem(account=organizer, folder=organizer.calendar, subject="Stand-up", start=START,
                        end=START + timedelta(minutes=15), required_attendees=[_attendee(a) for a in attendees],
                        recurrence=Recurrence(pattern=DailyPattern(interval=1), start=START.date(), number=4))
    item.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    return item


def _occurrence(account, day: int):
    start = START + timedelta(days=day - 1)
    return [o for o in account.calendar.view(start=start - timedelta(hours=1), end=start + timedelta(hours=1))]


def _recurrence_id(sandbox, account, message) -> str | None:
    """A meeting message's RecurrenceId, which exchangelib does not read: GetItem with AllProperties."""
    reply = requests.post(sandbox.url, verify=sandbox.ca_file, timeout=10, auth=(account.primary_smtp_address, "bob-pw"),
                          data=GET_ITEM.format(message.id).encode())
    return etree.fromstring(reply.content).findtext(f".//{{{T_NS}}}RecurrenceId")


def test_a_changed_or_cancelled_occurrence_reaches_the_attendees_for_that_occurrence_alone(sandbox, ann, bob):
    series = _series(ann, bob)
    _inbox(bob, MeetingRequest)[0].accept()
    second = series.occurrence(2)
    second.refresh()
    second.start, second.end = START + timedelta(days=1, hours=5), START + timedelta(days=1, hours=6)
    second.save(update_fields=["start", "end"], send_meeting_invitations=SEND_TO_CHANGED_AND_SAVE_COPY)

    [update] = _inbox(bob, MeetingRequest)
    assert (update.meeting_request_type, update.type, update.start) == (
        "FullUpdate", "Exception", START + timedelta(days=1, hours=5))
    assert _recurrence_id(sandbox, bob, update) == "2027-03-02T09:00:00Z"  # the occurrence's original start
    moved = bob.calendar.get(id=update.associated_calendar_item_id.id)
    assert (moved.type, moved.start, moved.my_response_type) == ("Exception", START + timedelta(days=1, hours=5),
                                                                 "Accept")  # the series' answer stays
    assert [o.start for o in _occurrence(bob, 2)] == []  # no longer at its old time

    third = series.occurrence(3)
    third.refresh()
    third.delete(send_meeting_cancellations=SEND_TO_ALL_AND_SAVE_COPY)
    [cancellation] = _inbox(bob, MeetingCancellation)
    assert cancellation.subject == "Canceled: Stand-up"
    assert _recurrence_id(sandbox, bob, cancellation) == "2027-03-03T09:00:00Z"
    [gone] = _occurrence(bob, 3)
    assert gone.is_cancelled and gone.subject == "Canceled: Stand-up" and gone.type == "Exception"
    assert [o.subject for o in _occurrence(bob, 4)] == ["Stand-up"]  # the rest of the series is untouched
    master = ann.calendar.get(id=series.id)
    assert [d.start for d in master.deleted_occurrences] == [START + timedelta(days=2)]
    assert sorted(type(i).__name__ for i in ann.sent.all()) == ["MeetingCancellation", "MeetingRequest",
                                                                "MeetingRequest"]


def test_an_occurrence_changed_without_sending_reaches_nobody(ann, bob):
    series = _series(ann, bob)
    second = series.occurrence(2)
    second.refresh()
    second.location = "Room 9"
    second.save(update_fields=["location"], send_meeting_invitations=SEND_TO_NONE)
    second = series.occurrence(3)
    second.refresh()
    second.delete(send_meeting_cancellations=SEND_TO_NONE)
    assert len(_inbox(bob, MeetingRequest)) == 1 and not _inbox(bob, MeetingCancellation)
    assert [(o.subject, bool(o.is_cancelled)) for o in _occurrence(bob, 3)] == [("Stand-up", False)]
    assert [o.location for o in _occurrence(bob, 2)] == [None]


_HOLDERS = ("RequiredAttendees", "OptionalAttendees", "Resources", "ToRecipients", "CcRecipients")


def test_no_writer_of_the_sandbox_answers_an_empty_attendee_or_recipient_list(sandbox, connect, ann, bob, carl):
    """The schema forbids an attendee list without an Attendee; Exchange leaves out a recipient list it has none
    for. Every kind of calendar item the sandbox writes, read back: seeded, generated, and a meeting with
    optional attendees only (its requests' To empty), at the organizer's and at the attendees'."""
    item = CalendarItem(account=ann, folder=ann.calendar, subject="Optional", start=START, end=START + timedelta(hours=1),
                        optional_attendees=[_attendee(bob)], resources=[_attendee(carl)])
    item.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    plain = datetime(2027, 3, 2, 9, tzinfo=PLAIN_UTC)
    sandbox.add_calendar_item(ann.primary_smtp_address, subject="alone", start=plain, end=plain + timedelta(hours=1))
    [user] = sandbox.populate(mailboxes=1, items=40, seed=7)
    generated = connect(user.email, user.password)
    for account in (ann, bob, carl, generated):
        for folder in (account.calendar, account.inbox, account.sent):
            list(folder.all())
    read = [rep for op, _req, rep in sandbox.seen if op == "GetItem"]
    assert read and any(b"<t:OptionalAttendees>" in rep for rep in read)
    empty = [(etree.QName(el).localname, rep[:80]) for rep in read for el in etree.fromstring(rep).iter(
        *(f"{{{T_NS}}}{name}" for name in _HOLDERS)) if len(el) == 0]
    assert not empty, empty
