"""The queries the console's tables and dashboard need, Qt-free so they are tested on their own.

Tables load ids first and rows on demand (like Anki's browser): `*_ids` returns the ordered ids
of everything a filter matches, `*_rows` the display rows of a page of them. The trace log is
too big for that and pages by keyset instead (`trace_page`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import peewee
from peewee import JOIN, fn

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS
from crmsync_gui.core.domain.mailbox_status import STATUSES, mailbox_status
from crmsync_gui.core.store.base import database_proxy, on_postgres, utcnow
from crmsync_gui.core.store.models import (
    Activity,
    ActivityParty,
    Alert,
    CrmQueue,
    CrmUser,
    EmailServerProfile,
    Mailbox,
    SyncedHour,
    TraceLog,
    TrackingDecision,
)
from crmsync_gui.core.store.text_search import TABLE as TEXT_TABLE
from crmsync_gui.core.store.text_search import has_trace_text_index

# ---------------------------------------------------------------- mailboxes

OwnerUser = CrmUser.alias("owner_user_t")
OwnerQueue = CrmQueue.alias("owner_queue_t")

# column key -> the SQL expression it sorts by
MAILBOX_SORT = {
    "name": Mailbox.name,
    "email": Mailbox.email,
    "owner": fn.COALESCE(OwnerUser.full_name, OwnerQueue.name),
    "profile": EmailServerProfile.name,
    "incoming_method": Mailbox.incoming_method,
    "outgoing_method": Mailbox.outgoing_method,
    "act_method": Mailbox.act_method,
    "incoming_status": Mailbox.incoming_status,
    "outgoing_status": Mailbox.outgoing_status,
    "act_status": Mailbox.act_status,
    "approval": Mailbox.approval,
    "last_sync_at": Mailbox.last_sync_at,
    "next_run": None,  # the earliest of the three directions' runs: _earliest_run(), which differs per database
    "last_error": Mailbox.last_error_message,
}


def _mailbox_select(*columns):
    return (Mailbox.select(*columns)
            .join_from(Mailbox, OwnerUser, JOIN.LEFT_OUTER, on=(Mailbox.owner_user == OwnerUser.id),
                       attr="owner_user_t")
            .join_from(Mailbox, OwnerQueue, JOIN.LEFT_OUTER, on=(Mailbox.owner_queue == OwnerQueue.id),
                       attr="owner_queue_t")
            .join_from(Mailbox, EmailServerProfile, JOIN.LEFT_OUTER, attr="profile_t"))


def mailbox_ids(text: str = "", sort: str = "name", descending: bool = False,
                profile_id: int | None = None, status: str | None = None, among: list[int] | None = None) -> list[int]:
    """Ids of the mailboxes (of one profile, with one Status) whose name, address, owner or profile contains
    `text`, sorted; `among`: of these mailboxes only."""
    query = _mailbox_select(Mailbox.id)
    if among is not None:
        query = query.where(Mailbox.id.in_(among))
    if profile_id is not None:
        query = query.where(Mailbox.profile == profile_id)
    if text.strip():
        like = f"%{text.strip()}%"
        query = query.where(Mailbox.name ** like | Mailbox.email ** like | OwnerUser.full_name ** like
                            | OwnerQueue.name ** like | EmailServerProfile.name ** like
                            | Mailbox.last_error_message ** like)
    key = MAILBOX_SORT[sort] if sort != "next_run" else _earliest_run()
    query = query.order_by(key.desc() if descending else key.asc(), Mailbox.id)
    if status is not None:
        return mailbox_ids_with_status(query, status)
    return [row[0] for row in query.tuples()]


def _earliest_run() -> peewee.Node:
    """The earliest of a mailbox's next runs; a mailbox with none sorts after every date."""
    runs = [getattr(Mailbox, c.next_run) for c in COLUMNS.values()]
    if on_postgres():
        return fn.LEAST(*runs)  # LEAST skips NULLs; all NULL gives NULL, which PostgreSQL sorts last
    return fn.MIN(*(fn.COALESCE(run, "9999") for run in runs))  # SQLite's MIN of several values, text dates


def mailbox_rows(ids: list[int]) -> dict[int, Mailbox]:
    """The mailboxes with these ids, with their owner's and profile's names loaded in the same query
    (only the names: building every column of three joined rows took half the time of a page)."""
    query = (_mailbox_select(Mailbox, OwnerUser.id, OwnerUser.full_name, OwnerQueue.id, OwnerQueue.name,
                             EmailServerProfile.id, EmailServerProfile.name, EmailServerProfile.paused_at)
             .where(Mailbox.id.in_(ids)))
    return {m.id: m for m in query}


def owners_with_mailbox() -> dict[str, str]:
    """"user:ID" or "queue:ID" -> the name of that owner's mailbox, for every owner that has one."""
    rows = Mailbox.select(Mailbox.name, Mailbox.owner_user, Mailbox.owner_queue).where(
        Mailbox.owner_user.is_null(False) | Mailbox.owner_queue.is_null(False)).tuples()
    return {(f"user:{user}" if user else f"queue:{queue}"): name for name, user, queue in rows}


def owner_label(mailbox: Mailbox) -> str:
    user = getattr(mailbox, "owner_user_t", None) if mailbox.owner_user_id else None
    queue = getattr(mailbox, "owner_queue_t", None) if mailbox.owner_queue_id else None
    if user is not None and user.id:
        return user.full_name
    if queue is not None and queue.id:
        return f"{queue.name} (queue)"
    return ""


def next_run(mailbox: Mailbox) -> datetime | None:
    """The earliest scheduled run over the enabled directions."""
    runs = [run for run, on in ((getattr(mailbox, c.next_run), getattr(mailbox, c.enabled)) for c in COLUMNS.values())
            if on and run is not None]
    return min(runs) if runs else None


# ---------------------------------------------------------------- dashboard

# the columns mailbox_status reads, besides whether the profile is paused
_STATUS_COLUMNS = (Mailbox.id, Mailbox.approval, Mailbox.profile, Mailbox.owner_queue, Mailbox.transient_failure_count,
                   Mailbox.last_error_code, *(getattr(Mailbox, c.enabled) for c in COLUMNS.values()),
                   *(getattr(Mailbox, c.method) for c in COLUMNS.values()),
                   *(getattr(Mailbox, c.status) for c in COLUMNS.values()))


def mailboxes_by_status() -> dict[str, int]:
    """How many mailboxes have each Status (mailbox_status.STATUSES, the Mailboxes page's first column), counted
    by the database in groups of mailboxes the rules cannot tell apart; one of each group is classified here.

    Cheap at any number of mailboxes: the console redraws these counts every second while the engine syncs.
    """
    # columns whose exact value decides the status (few distinct values each)...
    keys = (Mailbox.approval, *(getattr(Mailbox, c.enabled) for c in COLUMNS.values()),
            *(getattr(Mailbox, c.method) for c in COLUMNS.values()),
            *(getattr(Mailbox, c.status) for c in COLUMNS.values()))
    # ...and ones where only a test on the value does: grouped by the test, any member's value stands for all
    paused = [pid for (pid,) in EmailServerProfile.select(EmailServerProfile.id)
              .where(EmailServerProfile.paused_at.is_null(False)).tuples()]  # a few at most: no join
    tests = (Mailbox.profile.is_null(), Mailbox.owner_queue.is_null(), Mailbox.transient_failure_count > 0,
             *((Mailbox.profile.in_(paused),) if paused else ()))
    representative = (fn.MAX(Mailbox.profile).alias("profile"), fn.MAX(Mailbox.owner_queue).alias("owner_queue"),
                      fn.MAX(Mailbox.transient_failure_count).alias("transient_failure_count"))
    query = (Mailbox.select(*keys, *representative, fn.COUNT(Mailbox.id).alias("members"))
             .group_by(*keys, *tests))
    counts = dict.fromkeys(STATUSES, 0)
    for group in query.dicts():
        members = group.pop("members")
        counts[mailbox_status(Mailbox(**group), profile_paused=group["profile"] in paused).code] += members
    return counts


def mailbox_ids_with_status(query: peewee.ModelSelect, status: str) -> list[int]:
    """The ids `query` (a _mailbox_select, in its order) gives, of the mailboxes that have this Status."""
    rows = query.select(*_STATUS_COLUMNS, EmailServerProfile.paused_at).dicts()
    return [row["id"] for row in rows
            if mailbox_status(Mailbox(**{k: v for k, v in row.items() if k != "paused_at"}),
                              profile_paused=row["paused_at"] is not None).code == status]


_DUE_LABELS = {codes.Direction.INCOMING: "incoming due", codes.Direction.OUTGOING: "outgoing due",
               codes.Direction.ACT: "ACT due"}


def queue_depths(now: datetime | None = None) -> dict[str, int]:
    """Work waiting now: emails to send and mailbox directions due."""
    now = now or utcnow()
    due = {}
    for direction, c in COLUMNS.items():
        enabled, run = getattr(Mailbox, c.enabled), getattr(Mailbox, c.next_run)
        due[_DUE_LABELS[direction]] = Mailbox.select().where(enabled & (run.is_null() | (run <= now))).count()
    pending = (Activity.select().where(Activity.activity_type == codes.ActivityType.EMAIL,
                                       Activity.email_status == codes.EmailStatus.PENDING_SEND).count())
    return {"emails pending send": pending, **due}


@dataclass
class Hours:
    """The last hours, oldest first: each direction's items synced, and the errors and warnings recorded."""

    slots: list[datetime]
    synced: dict[codes.Direction, list[int]]
    errors: list[int]
    warnings: list[int]


def per_hour(hours: int = 24, now: datetime | None = None) -> Hours:
    """Items synced per direction (SyncedHour) and errors and warnings logged in each of the last `hours` hours."""
    now = now or utcnow()
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    slots = [start + timedelta(hours=i) for i in range(hours)]

    def bucket(level) -> list[int]:
        hour = (fn.to_char(TraceLog.last_at, "YYYY-MM-DD HH24") if on_postgres()
                else fn.strftime("%Y-%m-%d %H", TraceLog.last_at))
        hour = hour.coerce(False)  # text, not read back through the datetime column's converter
        found = dict(TraceLog.select(hour.alias("h"), fn.COUNT(TraceLog.id))
                     .where((TraceLog.last_at >= start) & (TraceLog.level == level)).group_by(hour).tuples())
        return [found.get(slot.strftime("%Y-%m-%d %H"), 0) for slot in slots]

    return Hours(slots, synced_per_hour(slots), bucket(codes.TraceLevel.ERROR), bucket(codes.TraceLevel.WARNING))


def synced_per_hour(slots: list[datetime]) -> dict[codes.Direction, list[int]]:
    """Each direction's items synced in these hours (a few rows an hour: read whole every time)."""
    synced = {direction: [0] * len(slots) for direction in codes.Direction}
    place = {slot: i for i, slot in enumerate(slots)}
    for hour, direction, items in (SyncedHour.select(SyncedHour.hour, SyncedHour.direction, SyncedHour.items)
                                   .where(SyncedHour.hour >= slots[0]).tuples()):
        if hour in place:
            synced[codes.Direction(direction)][place[hour]] = items
    return synced


class HourlyCounts:
    """`per_hour` for charts redrawn every second: the finished hours' errors and warnings are counted when the
    hour turns, each update after that counts only the hour under way (narrow counts instead of a day of rows).

    A repeated error moves its trace row's `last_at` into the hour under way; until the next hour turns,
    the earlier hour it was in still counts it too.
    """

    def __init__(self, hours: int = 24):
        self.hours = hours
        self.last: Hours | None = None

    def update(self, now: datetime | None = None) -> Hours:
        now = now or utcnow()
        hour = now.replace(minute=0, second=0, microsecond=0)
        if self.last is None or self.last.slots[-1] != hour:
            self.last = per_hour(self.hours, now)
            return self.last
        for level, counts in ((codes.TraceLevel.ERROR, self.last.errors), (codes.TraceLevel.WARNING,
                                                                           self.last.warnings)):
            counts[-1] = TraceLog.select().where(TraceLog.level == level, TraceLog.last_at >= hour).count()
        self.last.synced = synced_per_hour(self.last.slots)
        return self.last


@dataclass
class ArrivalLatencies:
    """Arrival to CRM of tracked email, in seconds: p50 and p99 of each hour (oldest first; None: no arrival)."""

    p50: list[float | None]
    p99: list[float | None]
    last_median: float | None = None  # over the mailboxes: their last tracked email's time (arrival_latency_s)


class ArrivalTimes:
    """The dashboard's arrival-to-CRM chart: each email tracked in the last `hours` hours takes its decision's
    decided_at less its received_at, put in the hour it was decided; only arrivals count (tracking.is_arrival,
    as for the Mailboxes page's arrival to CRM). As
    HourlyCounts, the finished hours are read when the hour turns, each update after that the hour under way."""

    def __init__(self, hours: int = 24):
        self.hours = hours
        self.slots: list[datetime] = []
        self._hours: list[list[float]] = []

    def update(self, now: datetime | None = None) -> ArrivalLatencies:
        now = now or utcnow()
        hour = now.replace(minute=0, second=0, microsecond=0)
        if not self.slots or self.slots[-1] != hour:
            self.slots = [hour - timedelta(hours=self.hours - 1 - i) for i in range(self.hours)]
            self._hours = self._latencies(self.slots[0])
        else:
            self._hours[-1] = self._latencies(hour)[-1]
        last = sorted(v for (v,) in Mailbox.select(Mailbox.arrival_latency_s)
                      .where(Mailbox.arrival_latency_s.is_null(False)).tuples())
        return ArrivalLatencies([_share(h, 0.5) for h in self._hours], [_share(h, 0.99) for h in self._hours],
                                _share(last, 0.5))

    def _latencies(self, since: datetime) -> list[list[float]]:
        rows = (TrackingDecision.select(TrackingDecision.received_at, TrackingDecision.decided_at)
                .where(TrackingDecision.decided_at >= since, TrackingDecision.arrival == True,  # noqa: E712 (peewee)
                       TrackingDecision.outcome == codes.TrackingOutcome.TRACKED).tuples())
        hours: list[list[float]] = [[] for _ in self.slots]
        for received, decided in rows:
            slot = int((decided - self.slots[0]).total_seconds() // 3600)
            hours[min(slot, len(hours) - 1)].append(max(0.0, (decided - received).total_seconds()))
        return hours


def _share(values: list[float], share: float) -> float | None:
    """The value below which `share` of them lie (nearest rank); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class DashboardNumbers:
    """Everything the dashboard draws, read in one go (by a worker thread: see DashboardPage)."""

    mailbox_names: dict[int, str]
    statuses: dict[str, int]  # mailboxes per Status, in mailbox_status.STATUSES order
    depths: dict[str, int]
    hours: Hours
    open_alerts: int = 0  # alerts not yet acknowledged
    paused_profiles: int = 0  # profiles the circuit breaker paused (their server is down)
    arrival: ArrivalLatencies | None = None  # the arrival-to-CRM chart's (ArrivalTimes), loaded beside these


def dashboard_numbers(hourly: HourlyCounts) -> DashboardNumbers:
    hours = hourly.update()
    return DashboardNumbers(names(Mailbox, Mailbox.name), mailboxes_by_status(), queue_depths(),
                            Hours(hours.slots, {d: list(v) for d, v in hours.synced.items()}, list(hours.errors),
                                  list(hours.warnings)),
                            Alert.select().where(Alert.acknowledged == False).count(),  # noqa: E712
                            EmailServerProfile.select().where(EmailServerProfile.paused_at.is_null(False)).count())


# ---------------------------------------------------------------- trace log


@dataclass
class TraceFilter:
    """What the error browser shows; every part optional."""

    level: int | None = None  # at least this level
    mailbox_id: int | None = None
    profile_id: int | None = None
    code: str = ""
    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    ids: list[int] = field(default_factory=list)  # restrict to these rows (unused when empty)
    _text_condition: peewee.Expression | None = field(default=None, repr=False, compare=False)

    def text_condition(self) -> peewee.Expression:
        """The text filter, through the substring index when it narrows to few rows (decided once)."""
        if self._text_condition is None:
            self._text_condition = _text_condition(self.text.strip())
        return self._text_condition

    def where(self, query: peewee.ModelSelect) -> peewee.ModelSelect:
        if self.level is not None:
            query = query.where(TraceLog.level >= self.level)
        if self.mailbox_id is not None:
            query = query.where(TraceLog.mailbox == self.mailbox_id)
        if self.profile_id is not None:
            query = query.where(TraceLog.profile == self.profile_id)
        if self.code.strip():
            query = query.where(TraceLog.code.startswith(self.code.strip()))
        if self.text.strip():
            query = query.where(self.text_condition())
        if self.since is not None:
            query = query.where(TraceLog.last_at >= self.since)
        if self.until is not None:
            query = query.where(TraceLog.last_at <= self.until)
        if self.ids:
            query = query.where(TraceLog.id.in_(self.ids))
        return query


TEXT_PROBE = 1000


def _text_condition(text: str) -> peewee.Expression:
    """`message` contains `text`: through the trigram index when it finds fewer than TEXT_PROBE rows.

    A rare text is answered by the index in milliseconds; a frequent one is found as fast by walking
    the newest rows, and there the index would have to hand over every match first. On PostgreSQL the
    plain ILIKE is the whole answer: its planner makes that choice itself with the trigram GIN index.
    """
    db = database_proxy.obj
    if (len(text) >= 3 and not set(text) & set("%_\\") and isinstance(db, peewee.SqliteDatabase)
            and has_trace_text_index(db)):
        pattern = f"%{text}%"
        probe = db.execute_sql(f"SELECT count(*) FROM (SELECT rowid FROM {TEXT_TABLE} WHERE message LIKE ? "
                               f"LIMIT {TEXT_PROBE})", (pattern,)).fetchone()[0]
        if probe < TEXT_PROBE:
            return TraceLog.id.in_(peewee.SQL(f"(SELECT rowid FROM {TEXT_TABLE} WHERE message LIKE ?)", [pattern]))
    return TraceLog.message.contains(text)


TRACE_COLUMNS = (TraceLog.id, TraceLog.level, TraceLog.code, TraceLog.message, TraceLog.mailbox,
                 TraceLog.profile, TraceLog.count, TraceLog.first_at, TraceLog.last_at, TraceLog.args)


def trace_page(flt: TraceFilter, after: tuple[datetime, int] | None = None, limit: int = 200) -> list[tuple]:
    """Up to `limit` trace rows, newest first, strictly after the (last_at, id) key `after`.

    Keyset paging keeps each page as cheap as the first one, whatever the table's size.
    """
    query = flt.where(TraceLog.select(*TRACE_COLUMNS))
    if after is not None:
        last_at, row_id = after
        query = query.where((TraceLog.last_at < last_at) | ((TraceLog.last_at == last_at) & (TraceLog.id < row_id)))
    return list(query.order_by(TraceLog.last_at.desc(), TraceLog.id.desc()).limit(limit).tuples())


def trace_rows(flt: TraceFilter, limit: int) -> list[TraceLog]:
    """The newest `limit` matching rows in full (remedy included), as `crmsync errors list` prints them."""
    return list(flt.where(TraceLog.select()).order_by(TraceLog.last_at.desc(), TraceLog.id.desc()).limit(limit))


def trace_count(flt: TraceFilter, cap: int | None = None) -> int:
    """How many rows match, counting at most `cap` (None: all)."""
    query = flt.where(TraceLog.select(TraceLog.id))
    if cap is not None:
        return query.limit(cap).count()
    return query.count()


BADGE_CAP = 100  # a badge shows "99+" past this: counting further costs time and says nothing more


def attention_counts(now: datetime | None = None) -> dict[str, int]:
    """The navigation's badges: errors seen in the last 24 hours (up to BADGE_CAP) and alerts not acknowledged."""
    since = (now or utcnow()) - timedelta(hours=24)
    errors = trace_count(TraceFilter(level=codes.TraceLevel.ERROR, since=since), cap=BADGE_CAP)
    return {"Errors": errors, "Alerts": Alert.select().where(Alert.acknowledged == False).count()}  # noqa: E712


def newest_alert() -> Alert | None:
    """The newest alert not yet acknowledged (message, code and args), for the banner."""
    return Alert.select(Alert.message, Alert.code, Alert.args).where(Alert.acknowledged == False).order_by(  # noqa: E712
        Alert.created_at.desc(), Alert.id.desc()).first()


def iter_trace_rows(flt: TraceFilter, chunk: int = 5000):
    """Every matching row, newest first, in keyset chunks (for CSV export)."""
    after = None
    while True:
        rows = trace_page(flt, after, chunk)
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1][8], rows[-1][0])


def names(model, column) -> dict[int, str]:
    return dict(model.select(model.id, column).tuples())


# ---------------------------------------------------------------- alerts


def alert_ids(include_acknowledged: bool = False, text: str = "",
              shown: Callable[[str | None, str | None, str], str] | None = None) -> list[int]:
    """Newest first. `text` matches the message as the administrator reads it: `shown(code, args, english)`
    (the console renders it in the admin's language), else the English; alerts are few, so in Python."""
    query = Alert.select(Alert.id, Alert.code, Alert.args, Alert.message)
    if not include_acknowledged:
        query = query.where(Alert.acknowledged == False)  # noqa: E712 (peewee expression)
    rows = query.order_by(Alert.created_at.desc(), Alert.id.desc()).tuples()
    wanted = text.strip().casefold()
    render = shown or (lambda _code, _args, english: english)
    return [row_id for row_id, code, args, message in rows
            if not wanted or wanted in render(code, args, message or "").casefold()]


# ---------------------------------------------------------------- profiles, users, queues

PROFILE_SORT = {"name": EmailServerProfile.name, "server_type": EmailServerProfile.server_type,
                "auth_type": EmailServerProfile.auth_type, "incoming_server": EmailServerProfile.incoming_server,
                "outgoing_server": EmailServerProfile.outgoing_server,
                "max_concurrent_connections": EmailServerProfile.max_concurrent_connections,
                "mailboxes": fn.COUNT(Mailbox.id)}


def profile_ids(text: str = "", sort: str = "name", descending: bool = False) -> list[int]:
    query = (EmailServerProfile.select(EmailServerProfile.id)
             .join(Mailbox, JOIN.LEFT_OUTER, on=(Mailbox.profile == EmailServerProfile.id))
             .group_by(EmailServerProfile.id))
    if text.strip():
        like = f"%{text.strip()}%"
        query = query.where(EmailServerProfile.name ** like | EmailServerProfile.incoming_server ** like
                            | EmailServerProfile.outgoing_server ** like)
    key = PROFILE_SORT[sort]
    return [r[0] for r in query.order_by(key.desc() if descending else key.asc(), EmailServerProfile.id).tuples()]


def profile_rows(ids: list[int]) -> dict[int, EmailServerProfile]:
    query = (EmailServerProfile.select(EmailServerProfile, fn.COUNT(Mailbox.id).alias("mailbox_count"))
             .join(Mailbox, JOIN.LEFT_OUTER, on=(Mailbox.profile == EmailServerProfile.id))
             .where(EmailServerProfile.id.in_(ids)).group_by(EmailServerProfile.id))
    return {p.id: p for p in query}


def owner_ids(text: str = "", sort: str = "name", descending: bool = False) -> list[tuple[str, int]]:
    """Users then queues (or mixed, when sorted), as ("user"|"queue", id) keys."""
    like = f"%{text.strip()}%"
    users = CrmUser.select(peewee.Value("user").alias("kind"), CrmUser.id, CrmUser.full_name.alias("name"),
                           CrmUser.email)
    queues = CrmQueue.select(peewee.Value("queue").alias("kind"), CrmQueue.id, CrmQueue.name.alias("name"),
                             CrmQueue.email)
    if text.strip():
        users = users.where(CrmUser.full_name ** like | CrmUser.email ** like)
        queues = queues.where(CrmQueue.name ** like | CrmQueue.email ** like)
    rows = list(users.tuples()) + list(queues.tuples())
    index = {"kind": 0, "name": 2, "email": 3}.get(sort, 2)
    rows.sort(key=lambda r: (str(r[index]).lower(), r[0], r[1]), reverse=descending)
    return [(r[0], r[1]) for r in rows]


TRACE_CSV_HEADER = ("id", "level", "code", "message", "mailbox", "profile", "count", "first_at", "last_at")


def export_trace_csv(flt: TraceFilter, stream) -> int:
    """Write the filtered trace rows to a text stream as CSV, newest first; return how many.

    Trace messages never hold passwords (core/secrets.py keeps them out), so rows go out as they are.
    """
    import csv

    mailboxes, profiles = names(Mailbox, Mailbox.name), names(EmailServerProfile, EmailServerProfile.name)
    writer = csv.writer(stream)
    writer.writerow(TRACE_CSV_HEADER)
    count = 0
    for row_id, level, code, message, mailbox_id, profile_id, repeats, first_at, last_at, _args in iter_trace_rows(flt):
        writer.writerow((row_id, codes.TraceLevel(level).label, code, message, mailboxes.get(mailbox_id, ""),
                         profiles.get(profile_id, ""), repeats, first_at, last_at))
        count += 1
    return count


# ---------------------------------------------------------------- tracking decisions

DECISION_LIMIT = 5000


def decision_ids(text: str = "", mailbox_id: int | None = None, untracked_only: bool = True,
                 limit: int = DECISION_LIMIT, received_since: datetime | None = None) -> list[tuple[str, int]]:
    """The newest tracking decisions and unreadable emails (at most `limit` together, newest first), as
    ("decision", id) and ("unreadable", id): a decision's subject, sender or Message-ID contains `text`, an
    unreadable email's server id or reason does; of one mailbox; received (an unreadable one: found) since a time."""
    from crmsync_gui.core.store.models import TrackingDecision as TD
    from crmsync_gui.core.store.models import UnreadableEmail as UE

    decisions, unreadable = TD.select(TD.decided_at, TD.id), UE.select(UE.found_at, UE.id)
    if received_since is not None:
        decisions, unreadable = decisions.where(TD.received_at >= received_since), unreadable.where(
            UE.found_at >= received_since)
    if text.strip():
        like = f"%{text.strip()}%"
        decisions = decisions.where(TD.subject ** like | TD.sender ** like | TD.message_id ** like)
        unreadable = unreadable.where(UE.server_id ** like | UE.reason ** like)
    if mailbox_id is not None:
        decisions, unreadable = decisions.where(TD.mailbox == mailbox_id), unreadable.where(UE.mailbox == mailbox_id)
    if untracked_only:
        decisions = decisions.where(TD.outcome != codes.TrackingOutcome.TRACKED)
    rows = [(at, row_id, "decision") for at, row_id in
            decisions.order_by(TD.decided_at.desc(), TD.id.desc()).limit(limit).tuples()]
    rows += [(at, row_id, "unreadable") for at, row_id in
             unreadable.order_by(UE.found_at.desc(), UE.id.desc()).limit(limit).tuples()]
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    return [(kind, row_id) for _, row_id, kind in rows[:limit]]


MEETING_LIMIT = 5
_ATTENDEES = (int(codes.PartyRole.REQUIRED), int(codes.PartyRole.OPTIONAL))


@dataclass
class MeetingAnswers:
    """A meeting the user organizes and each attendee's answer, as the organizer's item in Exchange has it."""
    subject: str
    starts_at: datetime
    answers: list[tuple[str, codes.MeetingResponse]]  # (attendee's name, or address), in the order invited


def meeting_answers(user_id: int, limit: int = MEETING_LIMIT, now: datetime | None = None) -> list[MeetingAnswers]:
    """The user's next meetings (appointments with attendees not yet over, or a series), soonest first."""
    now = now or utcnow()
    with_attendees = ActivityParty.select(ActivityParty.activity).where(ActivityParty.role.in_(_ATTENDEES))
    meetings = list(Activity.select(Activity.id, Activity.subject, Activity.starts_at).where(
        (Activity.activity_type == int(codes.ActivityType.APPOINTMENT)) & (Activity.owner_user == user_id)
        & ((Activity.ends_at >= now) | Activity.recurrence.is_null(False)) & Activity.id.in_(with_attendees)
    ).order_by(Activity.starts_at, Activity.id).limit(limit))
    answers: dict[int, list] = {m.id: [] for m in meetings}
    for party in ActivityParty.select().where(ActivityParty.activity.in_(list(answers))
                                              & ActivityParty.role.in_(_ATTENDEES)).order_by(ActivityParty.id):
        answers[party.activity_id].append((party.display_name or party.address,
                                           codes.MeetingResponse(party.response or 0)))
    return [MeetingAnswers(m.subject, m.starts_at, answers[m.id]) for m in meetings]
