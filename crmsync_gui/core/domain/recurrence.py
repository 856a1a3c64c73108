"""The recurrence pattern of a CRM appointment series, kept as JSON in Activity.recurrence.

What the CRM can represent (and so what syncs with Exchange): daily, weekly on some days, or
monthly on one day of the month, every N days/weeks/months, from a start date with no end, until
an end date, or for a number of occurrences. Example:

    {"pattern": "weekly", "interval": 2, "days_of_week": ["monday", "thursday"],
     "starts_on": "2030-03-04", "occurrences": 10}

`starts_on` may be left out: the series then starts on the appointment's start date. Anything
else (yearly, "the second Tuesday", unknown keys) is refused with a sentence saying why, so the
sync skips such a series with that reason instead of changing it.

Single occurrences that differ from the series (exceptions) are part of it, by the occurrence's
original day (local to the appointment's start zone): "cancelled" lists the days whose occurrence
is deleted, "moved" gives others their own start and end (naive UTC), as Exchange keeps them:

    "cancelled": ["2030-03-11"], "moved": {"2030-03-18": {"starts_at": "2030-03-19T08:00:00",
                                                          "ends_at": "2030-03-19T08:15:00"}}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

KINDS = ("daily", "weekly", "monthly")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_INTERVAL = 999  # Exchange's own limit for an interval and a count
_KEYS = {"pattern", "interval", "days_of_week", "day_of_month", "starts_on", "ends_on", "occurrences", "cancelled",
         "moved"}


class RecurrenceError(ValueError):
    """A recurrence the CRM cannot represent or that contradicts itself; the text says what to fix."""


@dataclass(frozen=True)
class Moved:
    """One occurrence given its own times: `on` is its original day, the times naive UTC."""
    on: date
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Recurrence:
    pattern: str  # one of KINDS
    interval: int = 1  # every N days, weeks or months
    days_of_week: tuple[str, ...] = ()  # weekly only, in DAYS order
    day_of_month: int | None = None  # monthly only
    starts_on: date | None = None  # None: the appointment's start date
    ends_on: date | None = None  # the range: an end date, a number of occurrences, or neither (no end)
    occurrences: int | None = None
    cancelled: tuple[date, ...] = ()  # original days of deleted occurrences, sorted
    moved: tuple[Moved, ...] = ()  # by original day

    def __post_init__(self):
        if self.pattern not in KINDS:
            raise RecurrenceError(f"the pattern {self.pattern!r} is not one the CRM can sync; use "
                                  + ", ".join(KINDS))
        if not _whole(self.interval) or not 1 <= self.interval <= MAX_INTERVAL:
            raise RecurrenceError(f"the interval must be a whole number from 1 to {MAX_INTERVAL}, "
                                  f"not {self.interval!r}")
        if self.pattern == "weekly":
            if not self.days_of_week:
                raise RecurrenceError("a weekly series needs at least one day in days_of_week")
            wrong = [d for d in self.days_of_week if d not in DAYS]
            if wrong:
                raise RecurrenceError(f"{', '.join(map(repr, wrong))} is not a day of the week; use "
                                      + ", ".join(DAYS))
            object.__setattr__(self, "days_of_week", tuple(d for d in DAYS if d in self.days_of_week))
        elif self.days_of_week:
            raise RecurrenceError(f"days_of_week applies to weekly series only, not to {self.pattern} ones")
        if self.pattern == "monthly":
            if not _whole(self.day_of_month) or not 1 <= self.day_of_month <= 31:
                raise RecurrenceError(f"a monthly series needs day_of_month from 1 to 31, not {self.day_of_month!r}")
        elif self.day_of_month is not None:
            raise RecurrenceError(f"day_of_month applies to monthly series only, not to {self.pattern} ones")
        if self.ends_on is not None and self.occurrences is not None:
            raise RecurrenceError("give either ends_on or occurrences (or neither, for no end), not both")
        if self.occurrences is not None and (not _whole(self.occurrences)
                                             or not 1 <= self.occurrences <= MAX_INTERVAL):
            raise RecurrenceError(f"occurrences must be a whole number from 1 to {MAX_INTERVAL}, "
                                  f"not {self.occurrences!r}")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise RecurrenceError(f"the series ends on {self.ends_on} before it starts on {self.starts_on}")
        object.__setattr__(self, "cancelled", tuple(sorted(set(self.cancelled))))
        object.__setattr__(self, "moved", tuple(sorted(self.moved, key=lambda m: m.on)))
        both = sorted({m.on for m in self.moved} & set(self.cancelled))
        if both:
            raise RecurrenceError(f"the occurrence of {both[0]} is both cancelled and moved; keep one")
        for m in self.moved:
            if m.ends_at < m.starts_at:
                raise RecurrenceError(f"the occurrence of {m.on} is moved to end before it starts")

    @classmethod
    def from_json(cls, text: str) -> Recurrence:
        """Parse and validate the JSON kept in Activity.recurrence."""
        try:
            data = json.loads(text)
        except ValueError:
            raise RecurrenceError(f"{_short(text)} is not a recurrence pattern in JSON "
                                  '(e.g. {"pattern": "daily", "interval": 1})') from None
        if not isinstance(data, dict):
            raise RecurrenceError(f"{_short(text)} is not a JSON object with a \"pattern\"")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise RecurrenceError(f"unknown key(s) {', '.join(unknown)}; the keys are {', '.join(sorted(_KEYS))}")
        if "pattern" not in data:
            raise RecurrenceError('the "pattern" key is missing (daily, weekly or monthly)')
        days = data.get("days_of_week") or ()
        if isinstance(days, str) or not isinstance(days, list | tuple):
            raise RecurrenceError(f"days_of_week must be a list of day names, not {days!r}")
        return cls(pattern=data["pattern"], interval=data.get("interval", 1),
                   days_of_week=tuple(str(d).lower() for d in days), day_of_month=data.get("day_of_month"),
                   starts_on=_date(data, "starts_on"), ends_on=_date(data, "ends_on"),
                   occurrences=data.get("occurrences"), cancelled=_days(data.get("cancelled")),
                   moved=_moved(data.get("moved")))

    def to_json(self) -> str:
        """Canonical JSON (same pattern, same text), only the keys that apply."""
        data = {"pattern": self.pattern, "interval": self.interval}
        if self.days_of_week:
            data["days_of_week"] = list(self.days_of_week)
        for key in ("day_of_month", "occurrences"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        for key in ("starts_on", "ends_on"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key).isoformat()
        if self.cancelled:
            data["cancelled"] = [d.isoformat() for d in self.cancelled]
        if self.moved:
            data["moved"] = {m.on.isoformat(): {"starts_at": m.starts_at.isoformat(), "ends_at": m.ends_at.isoformat()}
                             for m in self.moved}
        return json.dumps(data, sort_keys=True)

    def with_exceptions(self, cancelled=(), moved=()) -> Recurrence:
        return Recurrence(self.pattern, self.interval, self.days_of_week, self.day_of_month, self.starts_on,
                          self.ends_on, self.occurrences, tuple(cancelled), tuple(moved))

    def days(self):
        """The series' occurrence days in order (from starts_on), as Exchange expands the pattern."""
        first = self.starts_on
        if first is None:
            raise RecurrenceError("the series has no start date")
        for count, day in enumerate(_pattern_days(self, first), start=1):
            if (self.ends_on is not None and day > self.ends_on) or (
                    self.occurrences is not None and count > self.occurrences):
                return
            yield day

    def index_of(self, day: date) -> int:
        """The 1-based number of the occurrence on `day` (Exchange's InstanceIndex)."""
        for index, found in enumerate(self.days(), start=1):
            if found == day:
                return index
            if found > day:
                break
        raise RecurrenceError(f"{day} is not a day of the series ({self.describe()})")

    def check_exceptions(self, local_day) -> None:
        """Each exception is an occurrence of the series, and a moved one stays between its neighbours'
        days (Exchange refuses to move an occurrence onto or past another); `local_day` gives a UTC time's day."""
        for day in self.cancelled:
            self.index_of(day)
        for m in self.moved:
            index = self.index_of(m.on)
            days = list(self._around(index))
            before, after = days[0], days[-1]
            new_day = local_day(m.starts_at)
            if (before is not None and new_day <= before) or (after is not None and new_day >= after):
                raise RecurrenceError(f"the occurrence of {m.on} is moved to {new_day}, onto or past another "
                                      "occurrence of the series; Exchange cannot hold that")

    def _around(self, index: int):
        """(day before, day after) the occurrence number `index`; None where there is none."""
        previous = None
        for number, day in enumerate(self.days(), start=1):
            if number == index - 1:
                previous = day
            elif number == index + 1:
                return previous, day
        return previous, None

    def anchored(self, starts_at: datetime) -> Recurrence:
        """This series as the appointment starting at `starts_at` has it; refuses a series that would not
        have an occurrence at that start (Exchange would silently move the appointment)."""
        start = starts_at.date()
        if self.starts_on is not None and self.starts_on != start:
            raise RecurrenceError(f"the series starts on {self.starts_on} but the appointment on {start}; "
                                  "make them the same day")
        if self.pattern == "weekly" and DAYS[start.weekday()] not in self.days_of_week:
            raise RecurrenceError(f"the appointment starts on a {DAYS[start.weekday()]}, which is not one of the "
                                  f"series' days ({', '.join(self.days_of_week)})")
        if self.pattern == "monthly" and start.day != self.day_of_month:
            raise RecurrenceError(f"the appointment starts on day {start.day} of the month but the series "
                                  f"repeats on day {self.day_of_month}")
        if self.ends_on is not None and self.ends_on < start:
            raise RecurrenceError(f"the series ends on {self.ends_on} before the appointment starts on {start}")
        return Recurrence(self.pattern, self.interval, self.days_of_week, self.day_of_month, start, self.ends_on,
                          self.occurrences, self.cancelled, self.moved)

    def describe(self) -> str:
        unit = {"daily": "day", "weekly": "week", "monthly": "month"}[self.pattern]
        text = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.days_of_week:
            text += " on " + ", ".join(d.title() for d in self.days_of_week)
        if self.day_of_month:
            text += f" on day {self.day_of_month}"
        if self.occurrences:
            text += f", {self.occurrences} times"
        elif self.ends_on:
            text += f", until {self.ends_on}"
        return text


_LIMIT = 1000  # occurrences looked at: Exchange's own counts stop at 999


def _pattern_days(rule: Recurrence, first: date):
    """The pattern's days from `first`, endless (the caller stops); Exchange skips a month without the day."""
    if rule.pattern == "daily":
        candidates = (first + timedelta(days=n * rule.interval) for n in range(_LIMIT))
    elif rule.pattern == "weekly":
        monday = first - timedelta(days=first.weekday())
        candidates = (monday + timedelta(weeks=w * rule.interval, days=DAYS.index(d))
                      for w in range(_LIMIT) for d in rule.days_of_week)
    else:
        candidates = (_month_day(first.year, first.month + n * rule.interval, rule.day_of_month) for n in range(_LIMIT))
    found = 0
    for day in candidates:
        if day is not None and day >= first:
            found += 1
            if found > _LIMIT:
                return
            yield day


def _month_day(year: int, month: int, day: int) -> date | None:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _days(value) -> tuple[date, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise RecurrenceError(f"cancelled must be a list of dates like 2030-03-04, not {value!r}")
    return tuple(_date({"cancelled": v}, "cancelled") for v in value)


def _moved(value) -> tuple[Moved, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise RecurrenceError('moved must map an occurrence\'s day to {"starts_at": ..., "ends_at": ...}, '
                              f"not {value!r}")
    moved = []
    for day, times in value.items():
        if not isinstance(times, dict) or set(times) != {"starts_at", "ends_at"}:
            raise RecurrenceError(f"the moved occurrence of {day} needs starts_at and ends_at, not {times!r}")
        try:
            starts_at, ends_at = (datetime.fromisoformat(str(times[k])) for k in ("starts_at", "ends_at"))
        except ValueError:
            raise RecurrenceError(f"the moved occurrence of {day} needs times like 2030-03-04T09:00:00, "
                                  f"not {times!r}") from None
        moved.append(Moved(_date({"moved": day}, "moved"), starts_at.replace(tzinfo=None),
                           ends_at.replace(tzinfo=None)))
    return tuple(moved)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(text) -> str:
    text = repr(text)
    return text if len(text) <= 60 else text[:57] + "...'"


def _date(data: dict, key: str) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RecurrenceError(f"{key} must be a date like 2030-03-04, not {value!r}") from None
