"""Occurrences of a recurring calendar item, for FindItem's CalendarView (as Exchange expands them).

Daily, weekly and absolute-monthly patterns with a numbered, end-date or no-end range; other patterns
show the master alone. A series is expanded on the clock of the zone its start was set in (StartTimeZone), as
Exchange expands it: a weekly 09:00 Berlin meeting stays 09:00 there across a daylight-saving change.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exchangelib.winzone import MS_TIMEZONE_TO_IANA_MAP
from lxml import etree

from .soap import T_NS, parse_time

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LIMIT = 1000  # occurrences looked at per series: a view never needs more


def _t(name: str) -> str:
    return f"{{{T_NS}}}{name}"


def occurrences(recurrence: etree._Element, start: datetime, end: datetime,
                window_start: datetime, window_end: datetime) -> list[tuple[int, datetime, datetime]]:
    """(1-based index, start, end) of the occurrences overlapping the window, in UTC; each occurrence starts
    at the series' time of day on the clock of start's zone."""
    pattern = next((c for c in recurrence if isinstance(c.tag, str) and c.tag.endswith("Recurrence")
                    and c.tag.split("}")[1] in ("DailyRecurrence", "WeeklyRecurrence", "AbsoluteMonthlyRecurrence")),
                   None)
    if pattern is None:
        return []
    kind = pattern.tag.split("}")[1]
    interval = int(pattern.findtext(_t("Interval")) or "1")
    first = date.fromisoformat((recurrence.findtext(f".//{_t('StartDate')}") or start.date().isoformat())[:10])
    last_text = recurrence.findtext(f".//{_t('EndDate')}")
    last = date.fromisoformat(last_text[:10]) if last_text else None
    count_text = recurrence.findtext(f".//{_t('NumberOfOccurrences')}")
    count = int(count_text) if count_text else None
    length = end - start
    days = [_DAYS.index(d) for d in (pattern.findtext(_t("DaysOfWeek")) or "").split() if d in _DAYS]
    month_day = int(pattern.findtext(_t("DayOfMonth")) or first.day)

    found = []
    for index, day in enumerate(_dates(kind, first, interval, days, month_day), start=1):
        if (last is not None and day > last) or (count is not None and index > count) or index > _LIMIT:
            break
        begin = datetime.combine(day, start.timetz()).astimezone(UTC)  # UTC before adding the length: real hours
        if begin >= window_end:
            break
        if begin + length >= window_start:
            found.append((index, begin, begin + length))
    return found


def _dates(kind: str, first: date, interval: int, days: list[int], month_day: int):
    if kind == "DailyRecurrence":
        day = first
        while True:
            yield day
            day += timedelta(days=interval)
    elif kind == "WeeklyRecurrence":
        week = first - timedelta(days=first.weekday())
        while True:
            for d in sorted(days or [first.weekday()]):
                day = week + timedelta(days=d)
                if day >= first:
                    yield day
            week += timedelta(weeks=interval)
    else:
        year, month = first.year, first.month
        while True:
            try:
                day = date(year, month, month_day)
            except ValueError:
                day = None  # e.g. the 31st in a short month: Exchange skips it too
            if day is not None and day >= first:
                yield day
            month += interval
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def master_times(fields: dict) -> tuple[datetime, datetime] | None:
    """An item's start and end in the zone its start was set in (what a series is expanded on)."""
    s, e = fields.get("Start"), fields.get("End")
    if s is None or e is None or not s.text or not e.text:
        return None
    zone = _start_zone(fields)
    return parse_time(s.text).astimezone(zone), parse_time(e.text).astimezone(zone)


def _start_zone(fields: dict) -> tzinfo:
    """The zone of an item's StartTimeZone (a Windows id); UTC when it has none or one no database knows."""
    el = fields.get("StartTimeZone")
    name = MS_TIMEZONE_TO_IANA_MAP.get(el.get("Id") or "") if el is not None else None
    try:
        return ZoneInfo(name) if name else UTC
    except ZoneInfoNotFoundError:
        return UTC


def nth(recurrence: etree._Element, start: datetime, end: datetime, index: int) -> tuple[datetime, datetime] | None:
    """The original (start, end) of a series' occurrence by its 1-based index, None when it has none such."""
    if not 1 <= index <= _LIMIT:
        return None
    found = [o for o in occurrences(recurrence, start, end, start, datetime.max.replace(tzinfo=UTC))
             if o[0] == index]
    return found[0][1:] if found else None
