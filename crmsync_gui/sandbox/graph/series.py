"""A series' single occurrences over Graph, on the exceptions the store keeps on the master (EWS's
ModifiedOccurrences and DeletedOccurrences): an occurrence's id is the master's id, `~` and its 1-based index,
as over EWS; a PATCH of one makes it an exception (what differs from the series is kept on the master), a
DELETE cancels it. calendarView shows the exceptions where they are now and leaves the cancelled out; a master
read by its id gives `cancelledOccurrences` ("OID.{master id}.{original day}", on $select) and, on
`$expand=exceptionOccurrences`, its exceptions."""
from __future__ import annotations

import re
from datetime import date, datetime

from lxml import etree

from .. import items as it
from ..recurrence import master_times, nth, occurrences
from ..store import Item, Mailbox
from . import zones
from .replies import GraphError

NOT_FOUND = "The specified object was not found in the store."
WRITABLE = {"subject", "body", "start", "end", "location", "@odata.type"}  # what an occurrence takes of its own
_EXPAND = re.compile(r"^exceptionOccurrences(?:\(\$select=([\w,\s]+)\))?$", re.IGNORECASE)


def occurrence_of(mailbox: Mailbox, event_id: str) -> tuple[Item, int, tuple[datetime, datetime]] | None:
    """(master, index, original times) of an occurrence's id; None for an id that is no occurrence's; Graph's
    404 for an occurrence the series does not have or that was cancelled."""
    master_id, sep, index = event_id.partition(it.OCCURRENCE)
    if not sep:
        return None
    master = mailbox.items.get(master_id)
    if master is None or "Recurrence" not in master.fields or not index.isdigit():
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    original = nth(master.fields["Recurrence"], *master_times(master.fields), int(index))
    if original is None or (int(index) in master.exceptions and master.exceptions[int(index)] is None):
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return master, int(index), original


def shown(master: Item, index: int, original: tuple[datetime, datetime]) -> Item:
    """The occurrence as it is now (its exception's own properties over the series')."""
    return it.occurrence(master, index, *original)


def in_window(master: Item, start: datetime, end: datetime) -> list[tuple[Item, int, datetime]]:
    """(occurrence, index, original start) of the series' occurrences overlapping the window, as calendarView
    shows them: each exception where it is now, no cancelled one."""
    times, rule = master_times(master.fields), master.fields["Recurrence"]
    found = [(it.occurrence(master, i, begin, finish), i, begin)
             for i, begin, finish in occurrences(rule, *times, start, end) if i not in master.exceptions]
    for index, own in master.exceptions.items():
        original = nth(rule, *times, index) if own is not None else None
        if original is None:
            continue
        changed = shown(master, index, original)
        changed_times = master_times(changed.fields)
        if changed_times[0] < end and changed_times[1] > start:
            found.append((changed, index, original[0]))
    return sorted(found, key=lambda entry: master_times(entry[0].fields)[0])


def exceptions(master: Item) -> list[tuple[Item, int, datetime]]:
    """(occurrence, index, original start) of the series' exceptions."""
    times, rule = master_times(master.fields), master.fields["Recurrence"]
    found = []
    for index, own in sorted(master.exceptions.items()):
        original = nth(rule, *times, index) if own is not None else None
        if original is not None:
            found.append((shown(master, index, original), index, original[0]))
    return found


def cancelled(master: Item, zone: str) -> list[str]:
    """Graph's cancelledOccurrences: each cancelled occurrence's original day in the series' zone."""
    times, rule = master_times(master.fields), master.fields["Recurrence"]
    days: list[date] = []
    for index, own in sorted(master.exceptions.items()):
        original = nth(rule, *times, index) if own is None else None
        if original is not None:
            days.append(zones.wall_clock(original[0], zone).date())
    return [f"OID.{master.id}.{day.isoformat()}" for day in days]


def expanded(raw: str | None) -> list[str] | None:
    """None: no $expand=exceptionOccurrences; else the properties its $select names ([]: all)."""
    match = _EXPAND.match((raw or "").strip())
    if match is None:
        return None
    return [name.strip() for name in (match.group(1) or "").split(",") if name.strip()]


def change(mailbox: Mailbox, master: Item, index: int, original: tuple[datetime, datetime], body: dict,
           apply) -> Item:
    """A PATCH of an occurrence: `apply` writes the body on it, and what now differs from the series becomes
    the exception's own."""
    unknown = set(body) - WRITABLE
    if unknown:
        raise GraphError(400, "ErrorInvalidRequest", f"An occurrence of a series cannot take "
                         f"'{sorted(unknown)[0]}' of its own.")
    plain = it.occurrence(master, index, *original, own=False)
    occurrence = shown(master, index, original)
    apply(occurrence, body)
    it.normalize(occurrence)

    def text(value):
        return [etree.tostring(v) for v in value] if isinstance(value, list) else etree.tostring(value)
    master.exceptions[index] = {name: value for name, value in occurrence.fields.items() if name != "Recurrence"
                                and (name not in plain.fields or text(value) != text(plain.fields[name]))}
    mailbox.touch_item(master)
    return shown(master, index, original)


def cancel(mailbox: Mailbox, master: Item, index: int) -> None:
    master.exceptions[index] = None
    mailbox.touch_item(master)
