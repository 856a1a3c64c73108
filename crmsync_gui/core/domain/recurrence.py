"""The recurrence pattern of a CRM appointment series, kept as JSON in Activity.recurrence.

What the CRM can represent (and so what syncs with Exchange): daily, weekly on some days, or
monthly on one day of the month, every N days/weeks/months, from a start date with no end, until
an end date, or for a number of occurrences. Example:

    {"pattern": "weekly", "interval": 2, "days_of_week": ["monday", "thursday"],
     "starts_on": "2030-03-04", "occurrences": 10}

`starts_on` may be left out: the series then starts on the appointment's start date. Anything
else (yearly, "the second Tuesday", unknown keys) is refused with a sentence saying why, so the
sync skips such a series with that reason instead of changing it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

KINDS = ("daily", "weekly", "monthly")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_INTERVAL = 999  # Exchange's own limit for an interval and a count
_KEYS = {"pattern", "interval", "days_of_week", "day_of_month", "starts_on", "ends_on", "occurrences"}


class RecurrenceError(ValueError):
    """A recurrence the CRM cannot represent or that contradicts itself; the text says what to fix."""


@dataclass(frozen=True)
class Recurrence:
    pattern: str  # one of KINDS
    interval: int = 1  # every N days, weeks or months
    days_of_week: tuple[str, ...] = ()  # weekly only, in DAYS order
    day_of_month: int | None = None  # monthly only
    starts_on: date | None = None  # None: the appointment's start date
    ends_on: date | None = None  # the range: an end date, a number of occurrences, or neither (no end)
    occurrences: int | None = None

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
                   occurrences=data.get("occurrences"))

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
        return json.dumps(data, sort_keys=True)

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
                          self.occurrences)

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
