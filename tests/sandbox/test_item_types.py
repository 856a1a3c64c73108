"""Contacts, tasks and calendar items (single and recurring): create, sync, update, move, delete."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from exchangelib import (
    Attendee,
    CalendarItem,
    Contact,
    EWSDateTime,
    Folder,
    Mailbox,
    Task,
)
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.recurrence import DailyPattern, Recurrence, WeeklyPattern

UTC = EWSDateTime.from_string("2026-12-01T09:00:00Z").tzinfo


def _round_trip(folder, item, change):
    """Create, sync (create), update, sync (update), move away, sync (delete); return the fetched item."""
    list(folder.sync_items())
    state = folder.item_sync_state
    item.save()
    changes = list(folder.sync_items(sync_state=state))
    assert [(k, i.id) for k, i in changes] == [("create", item.id)]
    state = folder.item_sync_state
    fields = change(item)
    item.save(update_fields=fields)
    changes = list(folder.sync_items(sync_state=state))
    assert [(k, i.id) for k, i in changes] == [("update", item.id)]
    state = folder.item_sync_state
    fetched = folder.get(id=item.id)
    elsewhere = Folder(parent=folder, name="Archive")
    elsewhere.save()
    item.move(elsewhere)
    assert [k for k, _ in folder.sync_items(sync_state=state)] == ["delete"]
    assert elsewhere.all().count() == 1
    item.delete()
    assert elsewhere.all().count() == 0
    return fetched


def test_contact(ann):
    c = Contact(account=ann, folder=ann.contacts, display_name="Zoë Søgaard", given_name="Zoë", surname="Søgaard",
                company_name="Nordlicht AG",
                email_addresses=[EmailAddress(label="EmailAddress1", email="zoe@client.test")],
                phone_numbers=[PhoneNumber(label="BusinessPhone", phone_number="+45 1234")],
                physical_addresses=[PhysicalAddress(label="Business", street="Strøget 1", city="København")])

    def change(item):
        item.job_title = "Indkøber"
        item.email_addresses = [EmailAddress(label="EmailAddress1", email="zoe@new.test")]
        return ["job_title", "email_addresses"]
    got = _round_trip(ann.contacts, c, change)
    assert (got.given_name, got.surname, got.job_title) == ("Zoë", "Søgaard", "Indkøber")
    assert [e.email for e in got.email_addresses] == ["zoe@new.test"]
    assert got.phone_numbers[0].phone_number == "+45 1234"
    assert got.physical_addresses[0].city == "København"


def test_task(ann):
    due = EWSDateTime(2026, 12, 5, 12, 0, tzinfo=UTC)
    t = Task(account=ann, folder=ann.tasks, subject="Call back Zoë", due_date=due.date(), status="NotStarted")

    def change(item):
        item.status = "Completed"
        item.percent_complete = Decimal(100)
        return ["status", "percent_complete"]
    got = _round_trip(ann.tasks, t, change)
    assert (got.subject, got.status) == ("Call back Zoë", "Completed")


def test_single_and_recurring_meetings(ann):
    start = EWSDateTime(2026, 12, 1, 9, 0, tzinfo=UTC)
    meeting = CalendarItem(account=ann, folder=ann.calendar, subject="Kick-off", start=start,
                           end=start + timedelta(hours=1), location="Room Ørsted",
                           required_attendees=[Attendee(mailbox=Mailbox(email_address="zoe@client.test"),
                                                        response_type="Unknown")])

    def change(item):
        item.location = "Teams"
        return ["location"]
    got = _round_trip(ann.calendar, meeting, change)
    assert (got.subject, got.location, got.start) == ("Kick-off", "Teams", start)
    assert [a.mailbox.email_address for a in got.required_attendees] == ["zoe@client.test"]
    assert got.type == "Single"

    daily = CalendarItem(account=ann, folder=ann.calendar, subject="Stand-up", start=start,
                         end=start + timedelta(minutes=15),
                         recurrence=Recurrence(pattern=DailyPattern(interval=1), start=start.date(), number=5))
    daily.save()
    master = ann.calendar.get(id=daily.id)
    assert master.type == "RecurringMaster" and master.recurrence.boundary.number == 5


def test_calendar_view_expands_series(ann):
    start = EWSDateTime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
    weekly = CalendarItem(account=ann, folder=ann.calendar, subject="Weekly sync", start=start,
                          end=start + timedelta(minutes=30),
                          recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=["Monday", "Thursday"]),
                                                start=start.date(), number=6))
    weekly.save()
    single = CalendarItem(account=ann, folder=ann.calendar, subject="One-off", start=start + timedelta(days=1),
                          end=start + timedelta(days=1, hours=1))
    single.save()
    seen = list(ann.calendar.view(start=start - timedelta(days=1), end=start + timedelta(days=11)))
    assert [(i.subject, i.start.day, i.type) for i in seen] == [
        ("Weekly sync", 7, "Occurrence"), ("One-off", 8, "Single"), ("Weekly sync", 10, "Occurrence"),
        ("Weekly sync", 14, "Occurrence"), ("Weekly sync", 17, "Occurrence")]
    third = ann.calendar.get(id=seen[3].id)  # an occurrence's own id reads back
    assert (third.subject, third.start, third.type) == ("Weekly sync", start + timedelta(days=7), "Occurrence")
    third.delete()  # one occurrence (issue 21 lifted "the sandbox keeps series whole"): the master lists it
    assert [o.start for o in ann.calendar.get(id=weekly.id).deleted_occurrences] == [start + timedelta(days=7)]
    last_week = ann.calendar.view(start=start + timedelta(days=13), end=start + timedelta(days=40))
    assert [i.start.day for i in last_week] == [21, 24]  # the 5th and 6th: the series ends there
