"""The OData query options a mail sync sends: $filter on a date, $orderby, $top/$skip and $expand of
single-value extended properties. Anything else is refused with Graph's 400, never ignored."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from ..soap import parse_time
from .replies import GraphError

_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|ne|ge|gt|le|lt)\s+(\S+)\s*$")
_OPS: dict[str, Callable[[datetime, datetime], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "ge": lambda a, b: a >= b,
    "gt": lambda a, b: a > b, "le": lambda a, b: a <= b, "lt": lambda a, b: a < b}
_EXPAND = re.compile(r"^singleValueExtendedProperties(?:\(\$filter=(.*)\))?$", re.IGNORECASE)
_EXPAND_ID = re.compile(r"id\s+eq\s+'([^']*)'", re.IGNORECASE)


def date_filter(raw: str | None, dates: set[str]) -> Callable[[dict[str, datetime]], bool]:
    """A predicate over {property: datetime} for clauses like 'receivedDateTime ge 2026-01-01T00:00:00Z'."""
    if not raw:
        return lambda _values: True
    clauses = []
    for part in re.split(r"\s+and\s+", raw.strip()):
        match = _CLAUSE.match(part)
        if match is None or match.group(1) not in dates:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: the sandbox filters on {', '.join(sorted(dates))} "
                             "with eq, ne, ge, gt, le, lt and 'and'.")
        try:
            moment = parse_time(match.group(3))
        except ValueError:
            raise GraphError(400, "BadRequest", f"Invalid filter clause: '{match.group(3)}' is not a date and "
                             "time.") from None
        clauses.append((match.group(1), _OPS[match.group(2)], moment))
    return lambda values: all(op(values[name], moment) for name, op, moment in clauses)


def order(raw: str | None, allowed: set[str], default: str) -> tuple[str, bool]:
    """(property, descending) from $orderby."""
    name, _, direction = (raw or default).strip().partition(" ")
    if name not in allowed or direction.strip().lower() not in ("", "asc", "desc"):
        raise GraphError(400, "BadRequest", f"The sandbox orders by {', '.join(sorted(allowed))} only.")
    return name, direction.strip().lower() == "desc"


def number(raw: str | None, default: int, name: str, most: int) -> int:
    if raw is None:
        return default
    if not raw.isdigit():
        raise GraphError(400, "BadRequest", f"Invalid value '{raw}' for {name}: a whole number is expected.")
    return min(int(raw), most)


def expanded_properties(raw: str | None) -> list[str] | None:
    """None: nothing expanded; []: all single-value extended properties; else the lower-case ids asked for."""
    if not raw:
        return None
    match = _EXPAND.match(raw.strip())
    if match is None:
        raise GraphError(400, "BadRequest", f"The sandbox expands singleValueExtendedProperties only, not '{raw}'.")
    return [i.lower() for i in _EXPAND_ID.findall(match.group(1) or "")]
