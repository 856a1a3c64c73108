"""ACT through Microsoft Graph: contacts, events and To Do tasks as act.RemoteItems, and act.RemoteSide on the
profile's GraphSession.

Each folder is read with a delta query whose last page's `@odata.deltaLink` is the stored state, so an idle
cycle costs one request per folder. Events come from `calendarView/delta`, which lists a series' occurrences
and not its master: occurrences are gathered by `seriesMasterId` and the master is read once (its pattern is
the CRM's), so a series is one item on both sides, as over EWS. The master is read with its
`cancelledOccurrences` and `exceptionOccurrences` (their times), which become the CRM pattern's cancelled and
moved days; a series written with some is given them afterwards, each occurrence found by its original slot
(`instances`) and cancelled (DELETE) or moved (PATCH of its start and end), as EWS's connector does. Updates carry the change key read this cycle
in `If-Match`; a 412 (someone changed the item since) is act.Conflict, so the step waits for fresh data. A
delta state the server forgot (410) reads the folder again from the start: the plan's item map and matching
make that harmless, and each mapped item missing from that read is asked about (GET, 404 is gone). Ids are Graph's REST ids (what translateExchangeIds gives for EWS ids). Times are read in
UTC with the zones they were set in (originalStartTimeZone/originalEndTimeZone) and written on their zone's
clock; an all-day event stays a date both ways.

A contact or event crmsync creates carries the journal's ref as a singleValueExtendedProperty, the same MAPI
property EWS writes (`CrmsyncRef`), so it survives a cut-over either way. A To Do task has no extended
properties: it carries the ref as a linkedResource (externalId, applicationName crmsync), Microsoft's way to
link a task to the record it comes from, written with the task's POST. Delta returns neither, so a read asked
for refs (creates journaled and not recorded, after a stopped run) looks each one up with Graph's `$filter`
(on the property, or `linkedResources/any(...)`) and gives the item found its ref.
"""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from exchangelib import EWSTimeZone
from exchangelib.errors import UnknownTimeZone

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY, CrmsyncRef
from crmsync_gui.core.domain import time_zones
from crmsync_gui.core.domain.recurrence import DAYS, Moved, Recurrence, RecurrenceError
from crmsync_gui.core.errors import PermanentError, SyncError
from crmsync_gui.core.sync import act

Entity = codes.SyncEntity
log = logging.getLogger(__name__)
SELECT = {
    Entity.CONTACT: "givenName,surname,emailAddresses,businessPhones,companyName,jobTitle,categories,changeKey",
    Entity.APPOINTMENT: "subject,body,start,end,isAllDay,originalStartTimeZone,originalEndTimeZone,location,"
                        "attendees,recurrence,categories,type,seriesMasterId,iCalUId,isOrganizer,changeKey",
    Entity.TASK: "title,body,dueDateTime,status,categories",
}
# Plain-text bodies (as EWS gives them to the CRM), times in UTC (the zones they were set in come as
# originalStartTimeZone/originalEndTimeZone), and pages as large as Graph allows for a delta.
PREFER = 'odata.maxpagesize=200, outlook.body-content-type="text", outlook.timezone="UTC"'
# calendarView/delta needs a window, fixed when a round starts from nothing; a mapped appointment outside it
# stays mapped (the plan keeps what a read does not list) but its changes are not read until it enters it.
WINDOW_BEFORE, WINDOW_AFTER = timedelta(days=365), timedelta(days=5 * 365)
REF_PROPERTY = f"String {{{CrmsyncRef.property_set_id}}} Name {CrmsyncRef.property_name}"
# a master read by its id: its fields, the days of its cancelled occurrences and its exceptions' times
SERIES = {"$select": f"{SELECT[Entity.APPOINTMENT]},cancelledOccurrences",
          "$expand": "exceptionOccurrences($select=start,end,originalStart,subject,location)"}
ANSWERS = {"accepted": codes.MeetingResponse.ACCEPTED, "tentativelyAccepted": codes.MeetingResponse.TENTATIVE,
           "declined": codes.MeetingResponse.DECLINED}  # Graph's responseType; any other is no answer yet
_OUTLOOK_ZONES = {"tzone://microsoft/utc": "UTC"}  # Graph's own name for UTC on events some clients made
APPLICATION = "crmsync"  # a task's linkedResource's applicationName (To Do shows it on the task)
_CARRYING = "singleValueExtendedProperties/Any(ep: ep/id eq '{}' and ep/value eq '{}')"
_LINKING = "linkedResources/any(r: r/externalId eq '{}')"
_PATTERNS = {"daily": "daily", "weekly": "weekly", "absoluteMonthly": "monthly"}
_RANGES = ("numbered", "endDate", "noEnd")


class Unsupported(Exception):
    """A Graph series the CRM cannot represent; str() is the reason."""


def change_key_of(entry: dict) -> str:
    """The item's change key: `changeKey` where Graph has one, else the etag's (To Do tasks have only that)."""
    return entry.get("changeKey") or (entry.get("@odata.etag") or "").removeprefix("W/").strip('"')


def _if_match(change_key: str) -> dict:
    return {"If-Match": f'W/"{change_key}"'}


def _time(value: dict | None) -> datetime | None:
    """Graph's dateTimeTimeZone (we ask for UTC) as a naive UTC datetime."""
    if not value or not value.get("dateTime"):
        return None
    return datetime.fromisoformat(value["dateTime"][:19])


def _graph_time(value: datetime | date | None) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return {"dateTime": value.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _zone_name(graph_name: str | None) -> str | None:
    """The IANA name of a zone Graph names (originalStartTimeZone: a Windows id, an IANA name, or Outlook's
    "tzone://Microsoft/Utc"), read as exchangelib reads EWS's StartTimeZone, so both protocols give the CRM the
    same name; one neither knows is None, as exchangelib makes it (the times are UTC instants all the same)."""
    if not graph_name:
        return None
    try:
        return EWSTimeZone.from_ms_id(_OUTLOOK_ZONES.get(graph_name.lower(), graph_name)).key
    except UnknownTimeZone:
        return None


def _event_times(entry: dict) -> dict:
    """starts_at, ends_at (naive UTC), is_all_day and the zones of a Graph event; an all-day event's days come
    as midnights (whatever zone is asked) and become the UTC instants of midnights in its zones."""
    start_zone, end_zone = _zone_name(entry.get("originalStartTimeZone")), _zone_name(entry.get("originalEndTimeZone"))
    starts_at, ends_at = _time(entry.get("start")), _time(entry.get("end"))
    if entry.get("isAllDay") and starts_at and ends_at:
        starts_at, ends_at = time_zones.all_day_times(starts_at.date(), ends_at.date() - timedelta(days=1),
                                                      start_zone, end_zone)
    return {"starts_at": starts_at, "ends_at": ends_at, "is_all_day": bool(entry.get("isAllDay")),
            "start_time_zone": start_zone, "end_time_zone": end_zone}


def _zoned(clock: datetime, zone: str | None) -> dict:
    return {"dateTime": clock.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": zone or "UTC"}


def _graph_times(values: dict) -> dict:
    """start, end and isAllDay of the CRM's values: each time on the clock of its zone, named with it; an
    all-day event from midnight of its first day to midnight after its last, in its start's zone (Graph wants
    both in one zone)."""
    out: dict = {}
    start_zone = values.get("start_time_zone")
    end_zone = values.get("end_time_zone") or start_zone
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if "is_all_day" in values:
        out["isAllDay"] = bool(values["is_all_day"])
    if values.get("is_all_day") and starts_at and ends_at:
        first, last = time_zones.all_day_dates(starts_at, ends_at, start_zone, end_zone)
        out["start"] = _zoned(datetime.combine(first, datetime.min.time()), start_zone)
        out["end"] = _zoned(datetime.combine(last + timedelta(days=1), datetime.min.time()), start_zone)
        return out
    for name, key, zone in (("start", "starts_at", start_zone), ("end", "ends_at", end_zone)):
        if key in values:
            out[name] = _zoned(time_zones.local(values[key], zone), zone) if values[key] else None
    return out


def _pairs(attendees, kind: str) -> list:
    """Sorted [address, name] pairs of one attendee type, as act keeps attendees (no name: None)."""
    pairs = []
    for who in attendees or []:
        box = who.get("emailAddress") or {}
        address = (box.get("address") or "").strip().lower()
        if address and (who.get("type") or "required") == kind:
            name = box.get("name") or None
            pairs.append([address, None if name and name.strip().lower() == address else name])
    return sorted(pairs)


def recurrence_from_graph(graph: dict | None, cancelled=(), moved=()) -> str | None:
    """A CRM pattern (canonical JSON) from a Graph series' patternedRecurrence, with its cancelled days and
    Moved occurrences; None for a single event."""
    if not graph:
        return None
    pattern, rng = graph.get("pattern") or {}, graph.get("range") or {}
    kind = _PATTERNS.get(pattern.get("type"))
    if kind is None:
        raise Unsupported(f"it repeats {pattern.get('type')}; the CRM keeps daily, weekly and monthly-on-a-day series")
    interval = int(pattern.get("interval") or 1)
    fields: dict = {}
    if kind == "weekly":
        if interval != 1 and (pattern.get("firstDayOfWeek") or "sunday") != "monday":
            raise Unsupported(f"it repeats every {interval} weeks counted from "
                              f"{(pattern.get('firstDayOfWeek') or 'sunday').title()}; the CRM counts weeks from Monday")
        fields["days_of_week"] = tuple(pattern.get("daysOfWeek") or ())
    if kind == "monthly":
        fields["day_of_month"] = pattern.get("dayOfMonth")
    if rng.get("type") not in _RANGES:
        raise Unsupported(f"its range ({rng.get('type')}) is not one the CRM knows")
    if rng["type"] == "numbered":
        fields["occurrences"] = rng.get("numberOfOccurrences")
    if rng["type"] == "endDate":
        fields["ends_on"] = date.fromisoformat(rng["endDate"])
    try:
        return Recurrence(kind, interval, starts_on=date.fromisoformat(rng["startDate"]),
                          **fields).with_exceptions(cancelled, moved).to_json()
    except (RecurrenceError, KeyError, ValueError) as error:
        raise Unsupported(str(error)) from None


def _original_times(day: date, start: datetime, end: datetime, zone: str | None) -> tuple[datetime, datetime]:
    """Where the occurrence of `day` sits in the series (naive UTC): the master's local time of day on that day."""
    wall = time_zones.local(start, zone)
    begin = time_zones.utc(datetime.combine(day, wall.time()), zone)
    return begin, begin + (end - start)


def recurrence_to_graph(text: str | None, zone: str | None = None) -> dict | None:
    """Graph's patternedRecurrence of a CRM pattern (anchored by the plan on its local start day, so it has
    starts_on), in the zone of the series' start."""
    if not text:
        return None
    rule = Recurrence.from_json(text)
    if rule.starts_on is None:
        raise RecurrenceError("the series has no start date")
    pattern = {"type": {v: k for k, v in _PATTERNS.items()}[rule.pattern], "interval": rule.interval}
    if rule.pattern == "weekly":
        pattern.update(daysOfWeek=[d for d in DAYS if d in rule.days_of_week], firstDayOfWeek="monday")
    if rule.pattern == "monthly":
        pattern["dayOfMonth"] = rule.day_of_month
    rng = {"type": "noEnd", "startDate": rule.starts_on.isoformat(), "recurrenceTimeZone": zone or "UTC"}
    if rule.occurrences is not None:
        rng.update(type="numbered", numberOfOccurrences=rule.occurrences)
    elif rule.ends_on is not None:
        rng.update(type="endDate", endDate=rule.ends_on.isoformat())
    return {"pattern": pattern, "range": rng}


def _instant(value: str | None) -> datetime | None:
    """A DateTimeOffset (originalStart) as a naive UTC datetime."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def exceptions_of(entry: dict) -> tuple[set[date], dict[date, Moved], dict[date, str]]:
    """(cancelled days, {original day: Moved}, {original day: exception's id}) of a master read with its
    cancelledOccurrences ("OID.{id}.{day}") and exceptionOccurrences, days in the series' start zone; an
    exception still at its original times is no exception the CRM keeps."""
    zone = _zone_name(entry.get("originalStartTimeZone"))
    start, end = _time(entry.get("start")), _time(entry.get("end"))
    length = end - start if start and end else timedelta(0)
    cancelled = {date.fromisoformat(oid[-10:]) for oid in entry.get("cancelledOccurrences") or []}
    moved, ids = {}, {}
    for occurrence in entry.get("exceptionOccurrences") or []:
        original = _instant(occurrence.get("originalStart"))
        if original is None:
            continue
        day = time_zones.local(original, zone).date()
        ids[day] = occurrence["id"]
        begin, finish = _time(occurrence.get("start")), _time(occurrence.get("end"))
        if begin and finish and (begin, finish) != (original, original + length):
            moved[day] = Moved(day, begin, finish)
    return cancelled, moved, ids


def _series_pattern(entry: dict) -> str | None:
    cancelled, moved, _ids = exceptions_of(entry)
    return recurrence_from_graph(entry.get("recurrence"), cancelled, moved.values())


def _own_fields(entry: dict) -> str | None:
    """Which of a series' exceptions have their own subject or location, which the CRM does not keep."""
    zone = _zone_name(entry.get("originalStartTimeZone"))
    place = (entry.get("location") or {}).get("displayName") or ""
    days = sorted(time_zones.local(_instant(o["originalStart"]), zone).date()
                  for o in entry.get("exceptionOccurrences") or [] if o.get("originalStart") and (
                      (o.get("subject") or "") != (entry.get("subject") or "") or
                      ((o.get("location") or {}).get("displayName") or "") != place))
    if not days:
        return None
    return (f"the occurrence of {', '.join(str(d) for d in days)} has its own subject or location in "
            "Exchange, which stays there: the CRM keeps a single occurrence's times only")


def _answers(entry: dict) -> dict | None:
    """The attendees' answers on a meeting the mailbox organizes (an attendee's copy does not know them)."""
    if not entry.get("isOrganizer"):
        return None
    return {(who.get("emailAddress") or {}).get("address", "").strip().lower():
            ANSWERS.get((who.get("status") or {}).get("response"), codes.MeetingResponse.NONE)
            for who in entry.get("attendees") or [] if (who.get("emailAddress") or {}).get("address")}


def values_of(entity: codes.SyncEntity, entry: dict) -> dict:
    """CRM field names → values of a Graph contact, event or To Do task. To Do keeps no percentage, so a
    task's values leave percent_complete out and the CRM keeps its own."""
    if entity == Entity.CONTACT:
        emails = [e.get("address") for e in entry.get("emailAddresses") or [] if e.get("address")]
        phones = entry.get("businessPhones") or []
        return {"first_name": entry.get("givenName") or "", "last_name": entry.get("surname") or "",
                "email": emails[0].lower() if emails else None, "phone": phones[0] if phones else None,
                "company": entry.get("companyName") or None, "job_title": entry.get("jobTitle") or None}
    body = (entry.get("body") or {}).get("content") or ""
    if entity == Entity.APPOINTMENT:
        return {"subject": entry.get("subject") or "", "location": (entry.get("location") or {}).get("displayName")
                or None, **_event_times(entry), "body": body,
                "required_attendees": _pairs(entry.get("attendees"), "required"),
                "optional_attendees": _pairs(entry.get("attendees"), "optional"),
                "recurrence": _series_pattern(entry)}  # raises Unsupported
    due = _time(entry.get("dueDateTime"))
    return {"subject": entry.get("title") or "", "due_at": datetime(due.year, due.month, due.day) if due else None,
            "is_completed": entry.get("status") == "completed", "body": body}


def graph_values(entity: codes.SyncEntity, values: dict) -> dict:
    """A Graph request body for the CRM fields given."""
    out: dict = {}
    if entity == Entity.CONTACT:
        names = {"first_name": "givenName", "last_name": "surname", "company": "companyName",
                 "job_title": "jobTitle"}
        out.update({names[k]: v for k, v in values.items() if k in names})
        if "email" in values:
            out["emailAddresses"] = [{"address": values["email"]}] if values["email"] else []
        if "phone" in values:
            out["businessPhones"] = [values["phone"]] if values["phone"] else []
        if "first_name" in values or "last_name" in values:
            out["displayName"] = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p) \
                or values.get("email") or "(no name)"
    elif entity == Entity.APPOINTMENT:
        if "subject" in values:
            out["subject"] = values["subject"]
        if "body" in values:
            out["body"] = {"contentType": "text", "content": values["body"] or ""}
        if "location" in values:
            out["location"] = {"displayName": values["location"] or ""}
        out.update(_graph_times(values))
        if any(name in values for name in act.ATTENDEE_ROLES):
            out["attendees"] = [{"type": kind, "emailAddress": {"address": address, **({"name": name} if name
                                                                                        else {})}}
                                for kind, field in (("required", "required_attendees"),
                                                    ("optional", "optional_attendees"))
                                for address, name in values.get(field) or []]
        if "recurrence" in values:
            out["recurrence"] = recurrence_to_graph(values["recurrence"], values.get("start_time_zone"))
    else:
        if "subject" in values:
            out["title"] = values["subject"]
        if "body" in values:
            out["body"] = {"contentType": "text", "content": values["body"] or ""}
        if "due_at" in values:
            out["dueDateTime"] = _graph_time(values["due_at"].date() if isinstance(values["due_at"], datetime)
                                             else values["due_at"])
        if "is_completed" in values or "percent_complete" in values:
            out["status"] = ("completed" if values.get("is_completed") else
                             "inProgress" if values.get("percent_complete") else "notStarted")
    return out


def remote_item(entity: codes.SyncEntity, entry: dict) -> act.RemoteItem:
    tracked = TRACKED_CATEGORY in (entry.get("categories") or [])
    try:
        if entity == Entity.APPOINTMENT:
            return act.RemoteItem(entry["id"], change_key_of(entry), values_of(entity, entry), tracked,
                                  left_out=_own_fields(entry), uid=entry.get("iCalUId"), responses=_answers(entry))
        return act.RemoteItem(entry["id"], change_key_of(entry), values_of(entity, entry), tracked)
    except Unsupported as why:
        return act.RemoteItem(entry["id"], change_key_of(entry), {}, tracked, unsupported=str(why))


class GraphActSide:
    """act.RemoteSide on one mailbox over the profile's GraphSession (which holds the connection slots, at
    most 4 requests in flight per mailbox, and maps errors to TransientError/PermanentError)."""

    def __init__(self, session, job):
        self.session, self.job = session, job
        self._task_list: str | None = None

    def _url(self, path: str) -> str:
        return self.session.user_url(self.job, path)

    async def _tasks_path(self) -> str:
        """The default To Do list's tasks (Exchange's Tasks folder), looked up once per run when needed."""
        if self._task_list is None:
            what = f"finding the task list of {self.job.mailbox.email}"
            found = await self.session.call(self.job, what, "GET", self._url("todo/lists"))
            lists = (found or {}).get("value") or []
            default = next((entry for entry in lists if entry.get("wellknownListName") == "defaultList"), None)
            if default is None:
                raise PermanentError("ActFolderMissing", f"{self.job.mailbox.email} has no default To Do list.",
                                     action="Open To Do or Outlook's tasks once for the mailbox, then sync again.")
            self._task_list = default["id"]
        return f"todo/lists/{self._task_list}/tasks"

    async def _collection(self, entity: codes.SyncEntity) -> str:
        return {Entity.CONTACT: "contacts", Entity.APPOINTMENT: "events"}.get(entity) or await self._tasks_path()

    async def changes(self, entity, state, refs=frozenset()):
        what = f"reading the {act.FOLDER[entity]} folder of {self.job.mailbox.email}"
        try:
            changed, deleted, new_state = await self._read(entity, state, what)
        except SyncError as error:
            if state is None or error.code != "SyncStateNotFound":
                raise
            changed, deleted, new_state = await self._read(entity, None, what)  # 410: forgotten; read it all again
            # a read from the start lists no deletions: of the mapped items missing from it, those gone are
            deleted = await self.gone(entity, act.mapped_items(self.job.mailbox, entity) - changed.keys())
        for ref in sorted(refs):
            for item in await self._carrying(entity, ref):
                changed[item.item_id] = item
                deleted.discard(item.item_id)
        return changed, deleted, new_state

    async def _carrying(self, entity, ref: str) -> list[act.RemoteItem]:
        """The items carrying a journal ref (one, or none when the create never reached the server)."""
        if entity == Entity.TASK:
            params = {"$filter": _LINKING.format(ref), "$select": SELECT[entity]}
        else:
            params = {"$filter": _CARRYING.format(REF_PROPERTY, ref), "$select": SELECT[entity],
                      "$expand": f"singleValueExtendedProperties($filter=id eq '{REF_PROPERTY}')"}
        found = await self.session.call(self.job, f"looking for a {act.RECORD_TYPE[entity]} crmsync created in "
                                        f"{self.job.mailbox.email}", "GET",
                                        self._url(await self._collection(entity)), params=params,
                                        headers={"Prefer": PREFER})
        items = []
        for entry in (found or {}).get("value") or []:
            item = remote_item(entity, entry)
            item.ref = ref
            items.append(item)
        return items

    async def _read(self, entity, state, what):
        params = None
        if state is not None:
            url = state
        elif entity == Entity.APPOINTMENT:
            now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
            url = self._url("calendarView/delta")
            params = {"startDateTime": (now - WINDOW_BEFORE).isoformat() + "Z",
                      "endDateTime": (now + WINDOW_AFTER).isoformat() + "Z", "$select": SELECT[entity]}
        else:
            url = self._url(f"{await self._collection(entity)}/delta")
            params = {"$select": SELECT[entity]}
        changed: dict[str, act.RemoteItem] = {}
        deleted: set[str] = set()
        masters: set[str] = set()  # series whose occurrences changed
        new_state = state
        async for page in self.session.pages(self.job, what, url, params=params, headers={"Prefer": PREFER}):
            for entry in page.get("value") or []:
                if "@removed" in entry:
                    deleted.add(entry["id"])
                    changed.pop(entry["id"], None)
                elif entity == Entity.APPOINTMENT and entry.get("type") in ("occurrence", "exception"):
                    masters.add(entry["seriesMasterId"])
                else:
                    changed[entry["id"]] = remote_item(entity, entry)
                    deleted.discard(entry["id"])
            new_state = page.get("@odata.deltaLink", new_state)
        for master_id in masters - set(changed) - deleted:
            entry = await self._series(master_id)
            if entry is None:
                deleted.add(master_id)
            else:
                changed[master_id] = remote_item(entity, entry)
        return changed, deleted, new_state

    async def _series(self, master_id: str) -> dict | None:
        """A series master (its pattern, fields and single occurrences), None when it is gone."""
        try:
            return await self.session.call(self.job, f"reading a series of {self.job.mailbox.email}", "GET",
                                           self._url(f"events/{master_id}"), params=SERIES, headers={"Prefer": PREFER})
        except SyncError as error:
            if error.code == "ItemNotFound":
                return None
            raise

    async def create(self, entity, values, ref, invite):
        # Graph sends an event's invitations itself: an event with attendees is a meeting it sends (`invite`
        # cannot hold them back) and makes its own iCalUId, which the next read gives the record
        body = {k: v for k, v in graph_values(entity, values).items() if v not in (None, [], "")}
        if entity == Entity.TASK:
            body["linkedResources"] = [{"applicationName": APPLICATION, "displayName": values.get("subject") or "",
                                        "externalId": ref}]
        else:
            body["singleValueExtendedProperties"] = [{"id": REF_PROPERTY, "value": ref}]
        if entity == Entity.CONTACT:
            body.setdefault("displayName", "(no name)")
        made = await self.session.call(self.job, f"creating a {act.RECORD_TYPE[entity]} in Exchange", "POST",
                                       self._url(await self._collection(entity)), json=body)
        if entity == Entity.APPOINTMENT and values.get("recurrence"):
            rule = Recurrence.from_json(values["recurrence"])
            if rule.cancelled or rule.moved:  # a new series has none of its own yet: nothing to read otherwise
                return made["id"], await self._write_exceptions(made["id"], values, change_key_of(made))
        return made["id"], change_key_of(made)

    async def update(self, entity, item_id, change_key, values, invite):
        try:
            done = await self.session.call(self.job, f"updating a {act.RECORD_TYPE[entity]} in Exchange", "PATCH",
                                           self._url(f"{await self._collection(entity)}/{item_id}"),
                                           json=graph_values(entity, values), headers=_if_match(change_key))
        except SyncError as error:
            if error.code == "ChangeKeyMismatch":  # 412: changed since our read
                raise act.Conflict(item_id) from error
            raise
        if entity == Entity.APPOINTMENT and values.get("recurrence"):
            return await self._write_exceptions(item_id, values, change_key_of(done))
        return change_key_of(done)

    async def _write_exceptions(self, master_id: str, values: dict, change_key: str) -> str:
        """Give the series in Exchange the CRM's cancelled and moved occurrences (the master's pattern is
        written); return the master's change key after. A cancelled occurrence Exchange has and the CRM not
        stays: Exchange cannot bring one back (the plan says so)."""
        rule, zone = Recurrence.from_json(values["recurrence"]), values.get("start_time_zone")
        master = await self._series(master_id)
        if master is None:
            raise act.Conflict(master_id)  # deleted since: the next cycle reads it gone
        cancelled, moved, ids = exceptions_of(master)
        start, end = _time(master.get("start")), _time(master.get("end"))
        wanted = {m.on: m for m in rule.moved}
        wrote = False
        for day in sorted(set(rule.cancelled) - cancelled):
            occurrence = ids.get(day) or await self._occurrence(master_id, day, start, end, zone)
            if occurrence is not None:
                await self.session.call(self.job, f"cancelling an occurrence of a series in {self.job.mailbox.email}",
                                        "DELETE", self._url(f"events/{occurrence}"))
                wrote = True
        for day in sorted(set(wanted) | set(moved)):
            if moved.get(day) == wanted.get(day) or day in rule.cancelled:
                continue  # as it should be, or cancelled above
            occurrence = ids.get(day) or await self._occurrence(master_id, day, start, end, zone)
            if occurrence is None:  # an exception left from an earlier pattern: no occurrence of this one
                continue
            begin, finish = ((wanted[day].starts_at, wanted[day].ends_at) if day in wanted else
                             _original_times(day, start, end, zone))
            body = {"start": _zoned(time_zones.local(begin, zone), zone),
                    "end": _zoned(time_zones.local(finish, values.get("end_time_zone") or zone),
                                  values.get("end_time_zone") or zone)}
            await self.session.call(self.job, f"moving an occurrence of a series in {self.job.mailbox.email}",
                                    "PATCH", self._url(f"events/{occurrence}"), json=body)
            wrote = True
        if not wrote:
            return change_key
        again = await self.session.call(self.job, f"reading a series of {self.job.mailbox.email}", "GET",
                                        self._url(f"events/{master_id}"), params={"$select": "changeKey"})
        return change_key_of(again)

    async def _sent_meeting(self, item_id: str) -> bool:
        """Whether the event is a meeting the mailbox organizes with attendees (gone: False)."""
        try:
            found = await self.session.call(self.job, f"reading an appointment of {self.job.mailbox.email}", "GET",
                                            self._url(f"events/{item_id}"), params={"$select": "isOrganizer,attendees"})
        except SyncError as error:
            if error.code == "ItemNotFound":
                return False
            raise
        return bool(found.get("isOrganizer") and found.get("attendees"))

    async def _occurrence(self, master_id: str, day: date, start: datetime, end: datetime,
                          zone: str | None) -> str | None:
        """The id of the series' occurrence originally on `day` (local to the series' zone), None if it has none."""
        begin, finish = _original_times(day, start, end, zone)
        found = await self.session.call(self.job, f"finding an occurrence of a series in {self.job.mailbox.email}",
                                        "GET", self._url(f"events/{master_id}/instances"), params={
                                            "startDateTime": begin.isoformat() + "Z",
                                            "endDateTime": finish.isoformat() + "Z", "$select": "originalStart"})
        return next((o["id"] for o in (found or {}).get("value") or [] if _instant(o.get("originalStart")) == begin),
                    None)

    async def delete(self, entity, item_id, invite):
        if entity == Entity.APPOINTMENT and not invite and await self._sent_meeting(item_id):
            # Graph cancels a meeting its organizer deletes, and this one still stands in the CRM (it left the
            # user's sync filters): it stays in the calendar, unmapped and untracked
            log.info("%s: meeting %s left the sync filters; kept in Exchange, since deleting it over Microsoft "
                     "Graph would cancel it for its attendees", self.job.mailbox.email, item_id)
            return
        try:
            await self.session.call(self.job, f"deleting a {act.RECORD_TYPE[entity]} in Exchange", "DELETE",
                                    self._url(f"{await self._collection(entity)}/{item_id}"))
        except SyncError as error:
            if error.code != "ItemNotFound":  # already gone is what we wanted
                raise

    async def gone(self, entity, item_ids):
        gone = set()
        for item_id in sorted(item_ids):
            try:
                await self.session.call(self.job, f"checking whether a synced {act.RECORD_TYPE[entity]} is still in "
                                        f"{self.job.mailbox.email}", "GET",
                                        self._url(f"{await self._collection(entity)}/{item_id}"),
                                        params={"$select": "id"})
            except SyncError as error:
                if error.code != "ItemNotFound":
                    raise
                gone.add(item_id)
        return gone
