"""A recurring series in full (issue 21, item 4): single occurrences read by OccurrenceItemId and
RecurringMasterItemId, changed (an exception) and deleted, the master listing them, the CalendarView showing them."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from exchangelib import CalendarItem, EWSDateTime, EWSTimeZone
from exchangelib.errors import ErrorCalendarOccurrenceIsDeletedFromRecurrence
from exchangelib.ewsdatetime import UTC
from exchangelib.fields import MONDAY
from exchangelib.recurrence import DailyPattern, Recurrence, WeeklyPattern


def _at(day: int, hour: int) -> EWSDateTime:
    return EWSDateTime(2026, 12, day, hour, tzinfo=UTC)


def _view(account):
    return [(o.subject, o.start, o.type) for o in account.calendar.view(start=_at(1, 0), end=_at(31, 0))]


def test_occurrences_read_changed_and_deleted_one_at_a_time(sandbox, ann):
    series = CalendarItem(account=ann, folder=ann.calendar, subject="stand-up", start=_at(7, 9), end=_at(7, 10),
                          recurrence=Recurrence(pattern=DailyPattern(interval=1), start=date(2026, 12, 7), number=4))
    series.save()
    third = series.occurrence(3)
    third.refresh()  # GetItem by OccurrenceItemId
    assert (third.subject, third.start, third.type) == ("stand-up", _at(9, 9), "Occurrence")
    master = third.recurring_master()
    master.refresh()  # GetItem by RecurringMasterItemId
    assert (master.id, master.type) == (series.id, "RecurringMaster")

    second = [o for o in ann.calendar.view(start=_at(8, 0), end=_at(8, 23))][0]
    second.subject, second.start, second.end = "stand-up, later", _at(8, 14), _at(8, 15)
    second.save(update_fields=["subject", "start", "end"])
    ann.calendar.view(start=_at(9, 0), end=_at(9, 23))[0].delete()

    assert _view(ann) == [("stand-up", _at(7, 9), "Occurrence"), ("stand-up, later", _at(8, 14), "Exception"),
                          ("stand-up", _at(10, 9), "Occurrence")]
    master = ann.calendar.get(id=series.id)
    assert [(o.start, o.end, o.original_start) for o in master.modified_occurrences] == [
        (_at(8, 14), _at(8, 15), _at(8, 9))]
    assert [o.start for o in master.deleted_occurrences] == [_at(9, 9)]
    assert master.subject == "stand-up" and master.start == _at(7, 9)  # the series itself is unchanged
    moved = ann.calendar.get(id=master.modified_occurrences[0].id)
    assert (moved.subject, moved.type) == ("stand-up, later", "Exception")
    with pytest.raises(ErrorCalendarOccurrenceIsDeletedFromRecurrence):
        series.occurrence(3).refresh()

    # an exception moved out of the window is not in it; one moved into it is
    assert [o.subject for o in ann.calendar.view(start=_at(8, 8), end=_at(8, 10))] == []
    assert [o.subject for o in ann.calendar.view(start=_at(8, 13), end=_at(8, 13) + timedelta(hours=3))] == [
        "stand-up, later"]


def test_a_property_deleted_on_one_occurrence_stays_deleted_there_alone(ann):
    series = CalendarItem(account=ann, folder=ann.calendar, subject="walk", location="Park", start=_at(7, 9),
                          end=_at(7, 10), recurrence=Recurrence(pattern=DailyPattern(interval=1),
                                                                 start=date(2026, 12, 7), number=3))
    series.save()
    second = series.occurrence(2)
    second.refresh()
    second.location = None
    second.save(update_fields=["location"])  # DeleteItemField on the occurrence
    assert [(o.location, o.type) for o in ann.calendar.view(start=_at(1, 0), end=_at(31, 0))] == [
        ("Park", "Occurrence"), (None, "Exception"), ("Park", "Occurrence")]
    assert ann.calendar.get(id=series.id).location == "Park"


def test_a_series_keeps_its_local_time_across_a_daylight_saving_change(ann):
    """As Exchange expands a series on the clock of its start zone: a weekly 09:00 Berlin meeting stays 09:00
    local across the last Sunday of March 2027 (the 28th), so its UTC start moves from 08:00 to 07:00."""
    berlin = EWSTimeZone("Europe/Berlin")
    series = CalendarItem(account=ann, folder=ann.calendar, subject="jour fixe",
                          start=EWSDateTime(2027, 3, 15, 9, tzinfo=berlin),
                          end=EWSDateTime(2027, 3, 15, 10, tzinfo=berlin),
                          recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=[MONDAY]),
                                                start=date(2027, 3, 15), number=4))
    series.save()
    shown = list(ann.calendar.view(start=EWSDateTime(2027, 3, 1, tzinfo=UTC),
                                   end=EWSDateTime(2027, 4, 30, tzinfo=UTC)))
    assert [o.start.astimezone(berlin).strftime("%m-%d %H:%M") for o in shown] == [
        "03-15 09:00", "03-22 09:00", "03-29 09:00", "04-05 09:00"]
    assert [o.start.astimezone(UTC).hour for o in shown] == [8, 8, 7, 7]
    assert [o.end - o.start for o in shown] == [timedelta(hours=1)] * 4
    third = series.occurrence(3)
    third.refresh()  # GetItem by OccurrenceItemId expands the same way
    assert third.start == EWSDateTime(2027, 3, 29, 7, tzinfo=UTC)
