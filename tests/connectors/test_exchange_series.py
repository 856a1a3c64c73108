"""Recurring appointments sync as series, end to end: the connector, exchangelib over HTTPS, the EWS sandbox.

Every request and reply of these tests is checked against Microsoft's EWS schema (where
../shared/ews-schema is present), as in every connector test (tests/connectors/conftest.py).
"""
import asyncio
import itertools
import json
from datetime import date, datetime, timedelta

import pytest
from exchangelib import UTC, CalendarItem, EWSDateTime, Mailbox
from exchangelib.properties import Attendee
from exchangelib.recurrence import (
    DailyPattern,
    NumberedPattern,
    Recurrence,
    RelativeYearlyPattern,
    WeeklyPattern,
)

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ActivityParty, Contact, CrmUser, ItemMap, TraceLog
from crmsync_gui.core.sync import act
from tests.connectors.exchange_world import exchange_world

_numbers = itertools.count(1)


@pytest.fixture
def world(db, sandbox):
    world = exchange_world(sandbox, "series", sync_filter_templates=True)
    yield world
    world.close()


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def series(world, **fields) -> Activity:
    return Activity.create(**{"activity_type": codes.ActivityType.APPOINTMENT, "subject": "Stand-up",
                              "owner_user": world.user, "starts_at": datetime(2030, 3, 4, 9),  # a Monday
                              "ends_at": datetime(2030, 3, 4, 9, 15), **fields})


def calendar(world):
    return world.sandbox.items(world.address, "calendar")


def view(world, first: date, days: int):
    start = EWSDateTime(first.year, first.month, first.day, tzinfo=UTC)
    return [(i.start.date(), i.type) for i in world.account.calendar.view(start=start, end=start + timedelta(days))]


def master(world):
    return world.account.calendar.get(id=ItemMap.get(record_type="appointment").item_id)


def test_a_crm_series_becomes_one_recurring_master_in_exchange(world):
    series(world, recurrence=json.dumps({"pattern": "weekly", "days_of_week": ["Thursday", "monday"],
                                         "occurrences": 4}))
    assert sync(world) == 1
    [item] = calendar(world)  # one master, not four items
    got = master(world)
    assert got.type == "RecurringMaster"
    assert isinstance(got.recurrence.pattern, WeeklyPattern)
    assert got.recurrence.boundary.number == 4
    assert view(world, date(2030, 3, 1), 30) == [
        (date(2030, 3, 4), "Occurrence"), (date(2030, 3, 7), "Occurrence"),
        (date(2030, 3, 11), "Occurrence"), (date(2030, 3, 14), "Occurrence")]
    assert sync(world) == 0  # our own write comes back unchanged


def test_a_tracked_exchange_series_becomes_one_crm_appointment_with_its_pattern(world):
    start = EWSDateTime(2030, 5, 1, 14, tzinfo=UTC)
    CalendarItem(account=world.account, folder=world.account.calendar, subject="Monthly review", start=start,
                 end=start + timedelta(hours=1), categories=[TRACKED_CATEGORY],
                 recurrence=Recurrence(pattern=DailyPattern(interval=3), start=start.date(),
                                       end=date(2030, 5, 31))).save()
    sync(world)
    [record] = Activity.select().where(Activity.subject == "Monthly review")
    assert json.loads(record.recurrence) == {"pattern": "daily", "interval": 3, "starts_on": "2030-05-01",
                                             "ends_on": "2030-05-31"}
    assert record.starts_at == datetime(2030, 5, 1, 14)
    assert len(calendar(world)) == 1


def test_pattern_changes_flow_both_ways(world):
    record = series(world, recurrence=json.dumps({"pattern": "daily", "occurrences": 5}))
    sync(world)
    record.recurrence = json.dumps({"pattern": "monthly", "day_of_month": 4, "interval": 2, "occurrences": 3})
    record.save()
    sync(world)  # CRM → Exchange
    assert view(world, date(2030, 3, 1), 200) == [
        (date(2030, 3, 4), "Occurrence"), (date(2030, 5, 4), "Occurrence"), (date(2030, 7, 4), "Occurrence")]
    item = master(world)
    item.recurrence = Recurrence(pattern=WeeklyPattern(interval=1, weekdays=["Monday", "Friday"]),
                                 start=date(2030, 3, 4), number=6)
    item.save(update_fields=["recurrence"])  # the user edits the series in Outlook
    sync(world)  # Exchange → CRM
    assert json.loads(Activity.get_by_id(record.id).recurrence) == {
        "pattern": "weekly", "interval": 1, "days_of_week": ["monday", "friday"], "starts_on": "2030-03-04",
        "occurrences": 6}
    record = Activity.get_by_id(record.id)
    record.recurrence = None  # no longer a series in the CRM
    record.save()
    sync(world)
    assert master(world).type == "Single" and len(view(world, date(2030, 3, 1), 60)) == 1


def test_an_exchange_pattern_the_crm_cannot_represent_is_skipped_with_the_reason(world):
    start = EWSDateTime(2030, 11, 28, 18, tzinfo=UTC)
    CalendarItem(account=world.account, folder=world.account.calendar, subject="Thanksgiving", start=start,
                 end=start + timedelta(hours=3), categories=[TRACKED_CATEGORY],
                 recurrence=Recurrence(pattern=RelativeYearlyPattern(month=11, week_number=4, weekday=4),
                                       boundary=NumberedPattern(start=start.date(), number=5))).save()
    sync(world)
    assert Activity.get_or_none(subject="Thanksgiving") is None and ItemMap.select().count() == 0
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert "skip appointment" in plan and "the Exchange series cannot be synced" in plan and "yearly" in plan.lower()
    item = world.account.calendar.get(subject="Thanksgiving")
    assert isinstance(item.recurrence.pattern, RelativeYearlyPattern)  # untouched


def test_a_crm_pattern_that_contradicts_its_appointment_is_skipped_with_the_reason(world):
    series(world, recurrence=json.dumps({"pattern": "weekly", "days_of_week": ["tuesday"]}))  # starts on a Monday
    series(world, subject="Typo", recurrence="every other week")
    sync(world)
    assert calendar(world) == []
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert "starts on a monday, which is not one of the series' days (tuesday)" in plan
    assert "'every other week' is not a recurrence pattern in JSON" in plan
    assert Activity.get(subject="Typo").recurrence == "every other week"  # kept as it was


def test_deleting_a_series_deletes_it_whole_on_the_other_side(world):
    crm_side = series(world, recurrence=json.dumps({"pattern": "daily", "occurrences": 10}))
    outlook_side = series(world, subject="Retro", recurrence=json.dumps({"pattern": "daily", "interval": 7}))
    sync(world)
    assert len(calendar(world)) == 2
    ids = {m.record_id: m.item_id for m in ItemMap.select()}
    crm_side.delete_instance()
    world.account.bulk_delete(ids=[(ids[outlook_side.id], None)])
    sync(world)
    assert calendar(world) == [] and view(world, date(2030, 3, 1), 30) == []
    assert Activity.get_or_none(id=outlook_side.id) is None and ItemMap.select().count() == 0


def attendees(record_id, role):
    return sorted((p.address, p.display_name, p.party_type) for p in ActivityParty.select().where(
        ActivityParty.activity == record_id, ActivityParty.role == int(role)))


def test_attendees_flow_both_ways_and_resolve_to_crm_records(world):
    bo = Contact.create(first_name="Bo", last_name="Berg", email="bo@fabrikam.com", owner=world.user)
    record = series(world, subject="Kick-off")
    ActivityParty.create(activity=record, role=codes.PartyRole.REQUIRED, address="bo@fabrikam.com",
                         display_name="Bo Berg", party_type="contact", party_id=bo.id)
    ActivityParty.create(activity=record, role=codes.PartyRole.OPTIONAL, address="cy@client.test")
    sync(world)
    item = master(world)
    assert [(a.mailbox.email_address, a.mailbox.name) for a in item.required_attendees] == [
        ("bo@fabrikam.com", "Bo Berg")]
    assert [a.mailbox.email_address for a in item.optional_attendees] == ["cy@client.test"]
    colleague = CrmUser.create(full_name="Dee Dean", email="dee@contoso.com")
    item.required_attendees = [*item.required_attendees,
                               Attendee(mailbox=Mailbox(email_address="Dee@Contoso.com", name="Dee"),
                                        response_type="Unknown")]
    item.optional_attendees = None
    item.save(update_fields=["required_attendees", "optional_attendees"])  # edited in Outlook
    sync(world)
    assert attendees(record.id, codes.PartyRole.REQUIRED) == [
        ("bo@fabrikam.com", "Bo Berg", "contact"), ("dee@contoso.com", "Dee", "user")]
    assert ActivityParty.get(address="dee@contoso.com").party_id == colleague.id
    assert attendees(record.id, codes.PartyRole.OPTIONAL) == []
    ActivityParty.delete().where(ActivityParty.address == "bo@fabrikam.com").execute()  # removed in the CRM
    sync(world)
    assert [a.mailbox.email_address for a in master(world).required_attendees] == ["dee@contoso.com"]


def test_a_tracked_exchange_meeting_brings_its_attendees(world):
    start = EWSDateTime(2030, 6, 3, 10, tzinfo=UTC)
    CalendarItem(account=world.account, folder=world.account.calendar, subject="Demo", start=start,
                 end=start + timedelta(hours=1), categories=[TRACKED_CATEGORY],
                 required_attendees=[Attendee(mailbox=Mailbox(email_address="zoe@client.test"), response_type="Unknown")],
                 optional_attendees=[Attendee(mailbox=Mailbox(email_address=world.address), response_type="Unknown")]
                 ).save()
    sync(world)
    record = Activity.get(subject="Demo")
    assert attendees(record.id, codes.PartyRole.REQUIRED) == [("zoe@client.test", None, None)]
    assert attendees(record.id, codes.PartyRole.OPTIONAL) == [(world.address, None, "user")]


def occurrence(world, index):
    found = master(world).occurrence(index)
    found.refresh()
    return found


def test_a_moved_and_a_cancelled_outlook_occurrence_reach_the_crm_series(world):
    record = series(world, recurrence=json.dumps({"pattern": "daily", "occurrences": 5}))
    sync(world)
    moved = occurrence(world, 2)  # Tuesday's stand-up moves to 11:00, Wednesday's is cancelled
    moved.start, moved.end = moved.start + timedelta(hours=2), moved.end + timedelta(hours=2)
    moved.save(update_fields=["start", "end"])
    occurrence(world, 3).delete()
    assert sync(world) == 1
    assert json.loads(Activity.get_by_id(record.id).recurrence) == {
        "pattern": "daily", "interval": 1, "occurrences": 5, "starts_on": "2030-03-04", "cancelled": ["2030-03-06"],
        "moved": {"2030-03-05": {"starts_at": "2030-03-05T11:00:00", "ends_at": "2030-03-05T11:15:00"}}}
    assert len(calendar(world)) == 1  # still one series
    assert sync(world) == 0


def test_crm_cancelled_and_moved_occurrences_reach_exchange_and_a_move_back_too(world):
    rule = {"pattern": "daily", "occurrences": 5}
    record = series(world, recurrence=json.dumps(rule))
    sync(world)
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-06"], "moved": {
        "2030-03-07": {"starts_at": "2030-03-07T14:00:00", "ends_at": "2030-03-07T14:30:00"}}})
    record.save()
    assert sync(world) == 1
    start = EWSDateTime(2030, 3, 4, tzinfo=UTC)
    shown = [(i.start.astimezone(UTC).replace(tzinfo=None), i.end - i.start, i.type)
             for i in world.account.calendar.view(start=start, end=start + timedelta(days=10))]
    quarter, half = timedelta(minutes=15), timedelta(minutes=30)
    assert shown == [(datetime(2030, 3, 4, 9), quarter, "Occurrence"), (datetime(2030, 3, 5, 9), quarter, "Occurrence"),
                     (datetime(2030, 3, 7, 14), half, "Exception"), (datetime(2030, 3, 8, 9), quarter, "Occurrence")]
    assert sync(world) == 0  # what we wrote reads back as the CRM has it
    record = Activity.get_by_id(record.id)
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-06"]})  # the CRM moves it back
    record.save()
    sync(world)
    assert [o.start.astimezone(UTC).replace(tzinfo=None) for o in master(world).modified_occurrences or []
            if o.start != o.original_start] == []
    assert [d.start.date() for d in master(world).deleted_occurrences] == [date(2030, 3, 6)]
    assert sync(world) == 0


def test_exceptions_exchange_cannot_hold_are_skipped_with_the_reason(world):
    rule = {"pattern": "daily", "occurrences": 5}
    series(world, recurrence=json.dumps({**rule, "moved": {
        "2030-03-05": {"starts_at": "2030-03-06T10:00:00", "ends_at": "2030-03-06T10:15:00"}}}))
    series(world, subject="Retro", recurrence=json.dumps({**rule, "cancelled": ["2030-03-10"]}))
    sync(world)
    assert calendar(world) == []
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert "the occurrence of 2030-03-05 is moved to 2030-03-06, onto or past another occurrence" in plan
    assert "2030-03-10 is not a day of the series (every day, 5 times)" in plan


def test_a_cancelled_occurrence_the_crm_brings_back_stays_cancelled_with_the_reason(world):
    rule = {"pattern": "daily", "occurrences": 5}
    record = series(world, recurrence=json.dumps({**rule, "cancelled": ["2030-03-06"]}))
    sync(world)
    record.recurrence, record.location = json.dumps(rule), "Room 2"  # Exchange cannot undelete an occurrence
    record.save()
    sync(world)
    assert [d.start.date() for d in master(world).deleted_occurrences] == [date(2030, 3, 6)]
    assert master(world).location == "Room 2"  # the rest of the change went through
    assert json.loads(Activity.get_by_id(record.id).recurrence)["cancelled"] == ["2030-03-06"]
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert "the occurrence of 2030-03-06 stays cancelled, since Exchange cannot bring back a deleted occurrence" in plan
    assert sync(world) == 0


def test_an_outlook_occurrence_with_its_own_subject_syncs_its_time_and_the_plan_says_what_stays(world):
    record = series(world, recurrence=json.dumps({"pattern": "daily", "occurrences": 5}))
    sync(world)
    changed = occurrence(world, 2)
    changed.subject, changed.start, changed.end = "Stand-up with the auditors", changed.start + timedelta(hours=1), \
        changed.end + timedelta(hours=1)
    changed.save(update_fields=["subject", "start", "end"])
    sync(world)
    record = Activity.get_by_id(record.id)
    assert record.subject == "Stand-up" and json.loads(record.recurrence)["moved"] == {
        "2030-03-05": {"starts_at": "2030-03-05T10:00:00", "ends_at": "2030-03-05T10:15:00"}}
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert ("the occurrence of 2030-03-05 has its own subject or location in Exchange, which stays there: the CRM "
            "keeps a single occurrence's times only") in plan
    assert occurrence(world, 2).subject == "Stand-up with the auditors"


def test_a_crash_before_a_new_series_got_its_exceptions_writes_them_on_the_replay(world, monkeypatch):
    from crmsync_gui.core.connectors import _ews_act

    record = series(world, recurrence=json.dumps({"pattern": "daily", "occurrences": 5, "cancelled": ["2030-03-06"]}))

    def killed(*args, **kwargs):  # the process dies once the master reached Exchange, before its exceptions
        raise RuntimeError("killed")
    monkeypatch.setattr(_ews_act, "_write_exceptions", killed)
    with pytest.raises(RuntimeError):
        sync(world)
    monkeypatch.undo()
    assert master_of_calendar(world).deleted_occurrences is None
    sync(world)
    assert len(calendar(world)) == 1 and ItemMap.get(record_type="appointment").record_id == record.id
    assert [d.start.date() for d in master(world).deleted_occurrences] == [date(2030, 3, 6)]
    assert "maybe before its single occurrences: mapped and written again" in TraceLog.get(
        TraceLog.code == "ActPlanAppointment").message
    assert sync(world) == 0


def master_of_calendar(world):
    [item] = calendar(world)
    return world.account.calendar.get(id=item["id"])
