"""An appointment's time zones: IANA names (Europe/Berlin) kept beside its UTC start and end.

The CRM stores every time in naive UTC; an appointment also keeps the zones its start and end
were set in (None: UTC), so a series keeps its local time and an all-day event stays a date.
An all-day event runs from midnight of its first day to midnight after its last, in its zones.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class TimeZoneError(ValueError):
    """A zone name that is not an IANA time zone; the text says so."""


def zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeZoneError(f"{name!r} is not a time zone; use an IANA name such as Europe/Berlin") from None


def local(utc_time: datetime, name: str | None) -> datetime:
    """A naive UTC time as the wall clock of zone `name` shows it (naive)."""
    where = zone(name)
    return utc_time if where is None else utc_time.replace(tzinfo=UTC).astimezone(where).replace(tzinfo=None)


def utc(wall_clock: datetime, name: str | None) -> datetime:
    """The naive UTC time of a wall-clock time in zone `name`."""
    where = zone(name)
    return wall_clock if where is None else wall_clock.replace(tzinfo=where).astimezone(UTC).replace(tzinfo=None)


def all_day_dates(starts_at: datetime, ends_at: datetime, start_zone: str | None,
                  end_zone: str | None) -> tuple[date, date]:
    """(first day, last day) of an all-day event stored as UTC midnights; a day at least."""
    first = local(starts_at, start_zone).date()
    last = local(ends_at, end_zone or start_zone).date() - timedelta(days=1)
    return first, max(first, last)


def all_day_times(first: date, last: date, start_zone: str | None, end_zone: str | None) -> tuple[datetime, datetime]:
    """The UTC start and end of an all-day event from its first and last day."""
    return (utc(datetime.combine(first, datetime.min.time()), start_zone),
            utc(datetime.combine(last + timedelta(days=1), datetime.min.time()), end_zone or start_zone))
