"""CRM recurrence patterns (core/domain/recurrence.py) ↔ exchangelib's recurrence classes.

A series is one recurring master item in Exchange; its pattern is this mapping's job. An Exchange
pattern the CRM cannot represent (yearly, "the second Tuesday", a weekly series counted from
another first day of the week) raises Unsupported with the reason, and the sync skips the item.
Its exceptions are the master's DeletedOccurrences and ModifiedOccurrences, keyed by the
occurrence's original day in the series' start zone; a modified occurrence still at its original
times is no exception the CRM keeps.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from exchangelib.fields import WEEKDAY_NAMES, WEEKDAYS
from exchangelib.recurrence import (
    AbsoluteMonthlyPattern,
    DailyPattern,
    EndDatePattern,
    NoEndPattern,
    NumberedPattern,
    Recurrence,
    WeeklyPattern,
)

from crmsync_gui.core.domain import time_zones
from crmsync_gui.core.domain.recurrence import DAYS, Moved, RecurrenceError
from crmsync_gui.core.domain.recurrence import Recurrence as CrmRecurrence

_OTHER_KINDS = {"AbsoluteYearlyPattern": "yearly", "RelativeYearlyPattern": "yearly on a weekday",
                "RelativeMonthlyPattern": "monthly on a weekday (e.g. the second Tuesday)"}
_MONDAY = 1  # exchangelib's weekday numbers: 1 = Monday ... 7 = Sunday


class Unsupported(Exception):
    """An Exchange series whose pattern the CRM cannot represent; str() is the reason."""


def to_ews(text: str) -> Recurrence:
    """The exchangelib Recurrence of a CRM pattern (canonical JSON with starts_on, as the plan sends it)."""
    rule = CrmRecurrence.from_json(text)
    if rule.starts_on is None:
        raise RecurrenceError("the series has no start date")  # the plan always anchors it
    if rule.pattern == "daily":
        pattern = DailyPattern(interval=rule.interval)
    elif rule.pattern == "weekly":
        pattern = WeeklyPattern(interval=rule.interval, weekdays=[WEEKDAY_NAMES[DAYS.index(d)] for d in
                                                                  rule.days_of_week], first_day_of_week=_MONDAY)
    else:
        pattern = AbsoluteMonthlyPattern(interval=rule.interval, day_of_month=rule.day_of_month)
    if rule.occurrences is not None:
        boundary = NumberedPattern(start=rule.starts_on, number=rule.occurrences)
    elif rule.ends_on is not None:
        boundary = EndDatePattern(start=rule.starts_on, end=rule.ends_on)
    else:
        boundary = NoEndPattern(start=rule.starts_on)
    return Recurrence(pattern=pattern, boundary=boundary)


def _utc(value) -> datetime:
    return datetime.fromtimestamp(value.timestamp(), UTC).replace(tzinfo=None)


def exceptions_of(master, zone: str | None) -> tuple[set[date], dict[date, Moved]]:
    """(cancelled days, {original day: moved occurrence}) of an exchangelib master read with its occurrences."""
    length = _utc(master.end) - _utc(master.start) if isinstance(master.start, datetime) else timedelta(days=1)

    def day(value) -> date:
        return time_zones.local(_utc(value), zone).date()
    cancelled = {day(d.start) for d in master.deleted_occurrences or [] if d.start is not None}
    moved = {}
    for o in master.modified_occurrences or []:
        start, end, original = _utc(o.start), _utc(o.end), _utc(o.original_start)
        if (start, end) != (original, original + length):
            moved[day(o.original_start)] = Moved(day(o.original_start), start, end)
    return cancelled, moved


def from_ews(recurrence: Recurrence | None, master=None, zone: str | None = None) -> str | None:
    """A CRM pattern (canonical JSON) from an Exchange series, None for a single appointment; with the
    master, its exceptions too."""
    if recurrence is None:
        return None
    pattern, boundary = recurrence.pattern, recurrence.boundary
    if isinstance(pattern, DailyPattern):
        fields = {"pattern": "daily"}
    elif isinstance(pattern, WeeklyPattern):
        days = [_day(d) for d in pattern.weekdays or []]
        if pattern.interval != 1 and _day(pattern.first_day_of_week or _MONDAY) != "monday":
            raise Unsupported(f"it repeats every {pattern.interval} weeks counted from "
                              f"{_day(pattern.first_day_of_week).title()}; the CRM counts weeks from Monday")
        fields = {"pattern": "weekly", "days_of_week": tuple(days)}
    elif isinstance(pattern, AbsoluteMonthlyPattern):
        fields = {"pattern": "monthly", "day_of_month": pattern.day_of_month}
    else:
        kind = _OTHER_KINDS.get(type(pattern).__name__, type(pattern).__name__)
        raise Unsupported(f"it repeats {kind} ({pattern}); the CRM keeps daily, weekly and monthly-on-a-day series")
    if isinstance(boundary, NumberedPattern):
        fields["occurrences"] = boundary.number
    elif isinstance(boundary, EndDatePattern):
        fields["ends_on"] = _date(boundary.end)
    elif not isinstance(boundary, NoEndPattern):
        raise Unsupported(f"its range ({boundary}) is not one the CRM knows")
    try:
        rule = CrmRecurrence(interval=pattern.interval, starts_on=_date(boundary.start), **fields)
        if master is not None:
            cancelled, moved = exceptions_of(master, zone)
            rule = rule.with_exceptions(cancelled, moved.values())
        return rule.to_json()
    except RecurrenceError as error:
        raise Unsupported(str(error)) from None


def _date(value) -> date:
    return value.date() if isinstance(value, datetime) else value  # exchangelib may hand a midnight datetime


def _day(number) -> str:
    if isinstance(number, str):
        number = WEEKDAY_NAMES.index(number) + 1 if number in WEEKDAY_NAMES else 0
    if not 1 <= number <= 7:
        group = WEEKDAYS[number - 1] if 1 <= number <= len(WEEKDAYS) else number
        raise Unsupported(f"it repeats on a day group ({group}) that the CRM does not keep; it keeps named days")
    return DAYS[number - 1]
