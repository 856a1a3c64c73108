"""Appointments keep their start and end time zones both ways, and an all-day event stays a date, over EWS
(exchangelib over HTTPS to the EWS sandbox) and over Microsoft Graph (the Graph connector over HTTPS to the Graph
sandbox on the same store): the connector, the store. What the user does in Outlook is done over EWS on the same
mailbox in both, so each test also shows that both protocols give the CRM the same zones.

Every request and reply of these tests is checked against Microsoft's EWS schema (where ../shared/ews-schema
is present), as in every connector test (tests/connectors/conftest.py).
"""
import asyncio
import json
from datetime import date, datetime, timedelta

import pytest
from exchangelib import CalendarItem, EWSDate, EWSDateTime, EWSTimeZone
from exchangelib.recurrence import DailyPattern, Recurrence

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _graph_act as graph_act
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ItemMap, TraceLog
from crmsync_gui.core.sync import act
from tests.connectors.exchange_world import exchange_world
from tests.connectors.graph_act_world import both_world

BERLIN, NEW_YORK, TOKYO = EWSTimeZone("Europe/Berlin"), EWSTimeZone("America/New_York"), EWSTimeZone("Asia/Tokyo")


@pytest.fixture(params=["ews", "graph"])
def world(request, db, sandbox):
    if request.param == "ews":
        world = exchange_world(sandbox, "zones", sync_filter_templates=True)
    else:  # the module's Graph sandbox (tests/connectors/conftest.py) over this EWS sandbox
        world = both_world(sandbox, request.getfixturevalue("graph"), "gzones")
    yield world
    world.close()


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def appointment(world, **fields) -> Activity:
    return Activity.create(**{"activity_type": codes.ActivityType.APPOINTMENT, "subject": "Flight",
                              "owner_user": world.user, **fields})


def item_of(world, record):
    """The appointment as Outlook sees it (over EWS)."""
    return world.account.calendar.get(id=ItemMap.get(record_id=record.id).item_id)


def test_a_crm_appointment_reaches_exchange_in_its_start_and_end_zones(world):
    # 08:00 in Berlin (07:00 UTC) to 14:00 in New York (19:00 UTC)
    record = appointment(world, starts_at=datetime(2030, 3, 4, 7), ends_at=datetime(2030, 3, 4, 19),
                         start_time_zone="Europe/Berlin", end_time_zone="America/New_York")
    assert sync(world) == 1
    item = item_of(world, record)
    assert (item._start_timezone.key, item._end_timezone.key) == ("Europe/Berlin", "America/New_York")
    assert item.start.astimezone(BERLIN).replace(tzinfo=None) == datetime(2030, 3, 4, 8)
    assert item.end.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2030, 3, 4, 14)
    [raw] = world.sandbox.items(world.address, "calendar")
    assert raw["subject"] == "Flight"
    assert sync(world) == 0  # our own write comes back unchanged
    record = Activity.get_by_id(record.id)
    assert (record.starts_at, record.start_time_zone, record.end_time_zone) == (
        datetime(2030, 3, 4, 7), "Europe/Berlin", "America/New_York")


def test_a_tracked_outlook_appointment_brings_its_zones_and_a_zone_change_flows_back(world):
    start = EWSDateTime(2030, 6, 10, 9, tzinfo=TOKYO)
    item = CalendarItem(account=world.account, folder=world.account.calendar, subject="Supplier visit", start=start,
                        end=start + timedelta(hours=2), categories=[TRACKED_CATEGORY])
    item.save()
    sync(world)
    record = Activity.get(subject="Supplier visit")
    assert (record.start_time_zone, record.end_time_zone) == ("Asia/Tokyo", "Asia/Tokyo")
    assert (record.starts_at, record.ends_at) == (datetime(2030, 6, 10, 0), datetime(2030, 6, 10, 2))  # UTC
    item = world.account.calendar.get(id=item.id)
    item.start = EWSDateTime(2030, 6, 10, 9, tzinfo=BERLIN)  # the user moves it to 09:00 Berlin time
    item.end = EWSDateTime(2030, 6, 10, 10, tzinfo=BERLIN)
    item._start_timezone = item._end_timezone = BERLIN
    item.save(update_fields=["start", "end", "_start_timezone", "_end_timezone"])
    sync(world)
    record = Activity.get_by_id(record.id)
    assert (record.start_time_zone, record.end_time_zone) == ("Europe/Berlin", "Europe/Berlin")
    assert (record.starts_at, record.ends_at) == (datetime(2030, 6, 10, 7), datetime(2030, 6, 10, 8))
    record.subject, record.start_time_zone, record.end_time_zone = "Supplier visit (moved)", "Asia/Tokyo", "Asia/Tokyo"
    record.save()  # and the CRM puts the zone back: the same instants, shown in Tokyo time
    sync(world)
    item = world.account.calendar.get(id=item.id)
    assert item._start_timezone.key == "Asia/Tokyo" and item.subject == "Supplier visit (moved)"
    assert item.start.astimezone(TOKYO).replace(tzinfo=None) == datetime(2030, 6, 10, 16)


def test_an_all_day_event_stays_a_date_both_ways(world):
    # 4 and 5 March in Berlin: midnight to midnight local, stored in UTC
    record = appointment(world, subject="Trade fair", is_all_day=True, starts_at=datetime(2030, 3, 3, 23),
                         ends_at=datetime(2030, 3, 5, 23), start_time_zone="Europe/Berlin",
                         end_time_zone="Europe/Berlin")
    sync(world)
    item = item_of(world, record)
    assert item.is_all_day and (item.start, item.end) == (date(2030, 3, 4), date(2030, 3, 5))
    assert type(item.start) is EWSDate  # a date, not a time
    assert sync(world) == 0
    item.end = EWSDate(2030, 3, 6)  # the user makes it three days in Outlook
    item.save(update_fields=["end"])
    sync(world)
    record = Activity.get_by_id(record.id)
    assert record.is_all_day and record.ends_at == datetime(2030, 3, 6, 23)
    start = EWSDate(2030, 8, 15)
    CalendarItem(account=world.account, folder=world.account.calendar, subject="Holiday", is_all_day=True,
                 start=start, end=start, _start_timezone=TOKYO, _end_timezone=TOKYO,
                 categories=[TRACKED_CATEGORY]).save()
    sync(world)
    holiday = Activity.get(subject="Holiday")
    assert holiday.is_all_day and holiday.start_time_zone == "Asia/Tokyo"
    assert (holiday.starts_at, holiday.ends_at) == (datetime(2030, 8, 14, 15), datetime(2030, 8, 15, 15))


def test_a_series_keeps_its_local_start_day(world):
    # 00:30 in Tokyo on Monday 4 March is Sunday in UTC: the series is anchored on the local day
    record = appointment(world, subject="Early call", starts_at=datetime(2030, 3, 3, 15, 30),
                         ends_at=datetime(2030, 3, 3, 16), start_time_zone="Asia/Tokyo", end_time_zone="Asia/Tokyo",
                         recurrence=json.dumps({"pattern": "weekly", "days_of_week": ["monday"], "occurrences": 3}))
    assert sync(world) == 1
    item = item_of(world, record)
    assert item.recurrence.boundary.start == date(2030, 3, 4)
    assert item.start.astimezone(TOKYO).replace(tzinfo=None) == datetime(2030, 3, 4, 0, 30)
    start = EWSDateTime(2030, 5, 1, 8, tzinfo=BERLIN)
    CalendarItem(account=world.account, folder=world.account.calendar, subject="Daily check", start=start,
                 end=start + timedelta(minutes=15), categories=[TRACKED_CATEGORY],
                 recurrence=Recurrence(pattern=DailyPattern(interval=1), start=start.date(), number=3)).save()
    sync(world)
    daily = Activity.get(subject="Daily check")
    assert daily.start_time_zone == "Europe/Berlin" and daily.starts_at == datetime(2030, 5, 1, 6)
    assert json.loads(daily.recurrence)["starts_on"] == "2030-05-01"


def test_a_series_keeps_its_local_time_across_a_daylight_saving_change(world):
    # 09:00 in Berlin every Monday from 15 March 2027: 08:00 UTC until the 28th, 07:00 UTC after it
    record = appointment(world, subject="Jour fixe", starts_at=datetime(2027, 3, 15, 8),
                         ends_at=datetime(2027, 3, 15, 9), start_time_zone="Europe/Berlin",
                         end_time_zone="Europe/Berlin",
                         recurrence=json.dumps({"pattern": "weekly", "days_of_week": ["monday"], "occurrences": 4}))
    assert sync(world) == 1
    view = list(world.account.calendar.view(start=EWSDateTime(2027, 3, 1, tzinfo=BERLIN),
                                            end=EWSDateTime(2027, 4, 30, tzinfo=BERLIN)))
    assert [o.start.astimezone(BERLIN).strftime("%m-%d %H:%M") for o in view] == [
        "03-15 09:00", "03-22 09:00", "03-29 09:00", "04-05 09:00"]
    view[2].delete()  # in Outlook: the first meeting after the change is cancelled
    sync(world)
    record = Activity.get_by_id(record.id)
    assert json.loads(record.recurrence)["cancelled"] == ["2027-03-29"]
    assert record.starts_at == datetime(2027, 3, 15, 8)  # the series itself is unchanged


def test_a_zone_exchange_cannot_know_is_skipped_with_the_reason(world):
    appointment(world, subject="Somewhere", starts_at=datetime(2030, 3, 4, 7), ends_at=datetime(2030, 3, 4, 8),
                start_time_zone="Mars/Olympus_Mons")
    sync(world)
    assert world.sandbox.items(world.address, "calendar") == [] and ItemMap.select().count() == 0
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert "its time zone cannot be synced: 'Mars/Olympus_Mons' is not a time zone" in plan


def test_graph_zone_names_read_as_exchangelib_reads_ews_ones():
    """Windows ids and IANA names give what EWS gives; Outlook's "tzone://Microsoft/Utc" is UTC; a zone neither
    knows is None, as exchangelib makes it, and the event still syncs (its times are UTC instants)."""
    def zones(name):
        values = graph_act.values_of(codes.SyncEntity.APPOINTMENT, {
            "subject": "x", "start": {"dateTime": "2030-03-04T07:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2030-03-04T08:00:00", "timeZone": "UTC"},
            "originalStartTimeZone": name, "originalEndTimeZone": name})
        return values["start_time_zone"], values["starts_at"]

    assert zones("W. Europe Standard Time") == ("Europe/Berlin", datetime(2030, 3, 4, 7))
    assert zones("Asia/Tokyo")[0] == "Asia/Tokyo"
    assert zones("tzone://Microsoft/Utc")[0] == zones("UTC")[0] == EWSTimeZone.from_ms_id("UTC").key
    assert zones("Customized Time Zone") == (None, datetime(2030, 3, 4, 7))
