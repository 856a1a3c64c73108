"""Appointments, contacts and tasks (ACT) sync: prepare → plan → execute, independent of the protocol.

The connector lists the mailbox folder (`RemoteItem`s with change keys); `make_plan` compares it
with the CRM records in the owner's sync filters and the item map, and returns steps (create,
update, delete, match, skip, conflict — each with a reason) before anything is touched;
`execute` carries them out through a `RemoteSide` (the connector) and commits each step's item
map row and CRM change in one transaction.

Rules:
- CRM → Exchange only for records in the owner's sync filters; Exchange → CRM only for items the
  user tracked (the "Tracked to CRM" category). Then changes flow both ways, field by field, as
  the organization's field directions say (default: both ways).
- First sync matches before it creates: an unmapped item with the same email address (contacts)
  or the same subject and start/due time (appointments, tasks) is mapped, not duplicated.
- Journal-first, as outgoing email: before each create or delete on the server, an `ActJournal`
  row says what is about to happen, in a committed transaction; the step's result and the row's
  removal commit together. A create stamps the row's `ref` on the new item, so a run replayed after
  a crash maps the item carrying that ref, whatever the record's fields (a contact without an email
  address, a start time Exchange rounded), and writes the record to it again. A removal journaled for a record that left the filter
  is finished on replay; the CRM record is never taken for "deleted in Exchange".
- Deletes propagate both ways; a record that leaves the filter loses only its Exchange copy.
- Meetings: an appointment with attendees, created, changed or deleted in the CRM by its owner's mailbox,
  reaches the attendees as an invitation, an update or a cancellation, as Outlook's would (a removal because
  it left the filter sends nothing: the meeting still stands in the CRM). Each appointment crmsync creates
  carries an iCalendar UID (Activity.meeting_uid, committed before the journal row); a calendar item with a
  CRM appointment's UID is that appointment's invitation, and a CRM meeting the user is invited to (its
  organizer's mailbox syncs) is not copied to the user's calendar: both are skipped with the reason, never
  mapped (an attendee's decline or delete must not delete the CRM meeting) and never a second appointment.
  The attendees' answers, read from the organizer's item, become their parties' responses
  (ActivityParty.response).
- An appointment keeps the time zones of its start and end (IANA names) and whether it is all-day,
  both ways; a zone the other side cannot know is a skip step with the reason.
- A recurring appointment is one series on both sides (its pattern is a field like the others);
  a pattern one side cannot take is a skip step with the reason, and neither side is changed.
- A side that suddenly looks empty while several mapped items exist never wipes the other: the job
  stops with an error for the administrator. One synced item deleted is an ordinary delete.
- Conflict (both sides changed since the last sync): fields that flow to Exchange take the CRM
  value, fields that flow only to CRM take the Exchange value. Exchange updates carry the change
  key read this cycle (NeverOverwrite), so an edit made after that read is never overwritten: the
  step is skipped and redone next cycle with fresh data.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from peewee import fn

from crmsync_gui.core import codes
from crmsync_gui.core.domain import time_zones
from crmsync_gui.core.domain.recurrence import Recurrence, RecurrenceError
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store import filter_queries
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    Activity,
    ActivityParty,
    ActJournal,
    Contact,
    CrmUser,
    FolderSyncState,
    ItemMap,
    Mailbox,
    OrganizationSettings,
    SyncFilter,
)
from crmsync_gui.core.sync import tracking

log = logging.getLogger(__name__)
Entity = codes.SyncEntity
Direction = codes.FieldDirection

FIELDS = {
    Entity.CONTACT: ("first_name", "last_name", "email", "phone", "company", "job_title"),
    Entity.APPOINTMENT: ("subject", "location", "starts_at", "ends_at", "body", "recurrence", "required_attendees",
                         "optional_attendees", "is_all_day", "start_time_zone", "end_time_zone"),
    Entity.TASK: ("subject", "due_at", "percent_complete", "is_completed", "body"),
}
RECORD_TYPE = {Entity.CONTACT: "contact", Entity.APPOINTMENT: "appointment", Entity.TASK: "task"}
FOLDER = {Entity.CONTACT: "contacts", Entity.APPOINTMENT: "calendar", Entity.TASK: "tasks"}  # each one's cursor
SETTLE_ROUNDS = 3  # reads of a folder per run, at most, to take in our own writes
# Attendees are ActivityParty rows; as values, sorted [address, display name] pairs (lower-case addresses).
ATTENDEE_ROLES = {"required_attendees": codes.PartyRole.REQUIRED, "optional_attendees": codes.PartyRole.OPTIONAL}
_ACTIVITY_TYPE = {Entity.APPOINTMENT: codes.ActivityType.APPOINTMENT, Entity.TASK: codes.ActivityType.TASK}


class Conflict(Exception):
    """The Exchange item changed after this cycle read it (stale change key); retry next cycle."""


@dataclass
class RemoteItem:
    item_id: str
    change_key: str
    values: dict  # FIELDS[entity] names → values (naive UTC datetimes, an appointment's zones as IANA names);
    # a name left out is not carried
    tracked: bool = False  # the user marked it for the CRM
    unsupported: str | None = None  # why the CRM cannot represent it (e.g. a yearly series); then skipped
    ref: str | None = None  # the ref RemoteSide.create stamped on it, read back (None: not ours, or no stamp)
    left_out: str | None = None  # what of it the CRM cannot hold while the rest syncs; the plan says so
    uid: str | None = None  # an appointment's iCalendar UID (shared by the organizer's and attendees' copies)
    responses: dict[str, codes.MeetingResponse] | None = None  # the organizer's item: attendee address → answer


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MATCH = "match"  # an unmapped pair found on both sides: only the item map changes
    SKIP = "skip"
    CONFLICT = "conflict"  # changed on both sides: an update of each, by the field directions


class Side(StrEnum):
    """Where a step acts."""

    EXCHANGE = "exchange"  # the mail server's folder (Exchange, whatever the protocol)
    CRM = "crm"
    MAP = "map"  # the item map only
    BOTH = "both"
    NEITHER = ""  # a skip


@dataclass
class Step:
    action: Action
    side: Side
    entity: codes.SyncEntity
    reason: str
    record_id: int | None = None
    item_id: str | None = None
    change_key: str | None = None
    to_exchange: dict = field(default_factory=dict)
    to_crm: dict = field(default_factory=dict)
    meeting_uid: str | None = None  # the item's UID, for the record to keep
    responses: dict[str, codes.MeetingResponse] | None = None  # attendees' answers, for the record's parties

    def describe(self) -> str:
        target = f"record #{self.record_id}" if self.record_id else f"item {self.item_id}"
        return f"{self.action} {RECORD_TYPE[self.entity]} ({target}) on {self.side or 'neither side'}: {self.reason}"


class RemoteSide(Protocol):
    """One mailbox's appointments, contacts and tasks on the server (an adapter below the ACT pipeline).

    The journal asks two things of a side: `create` stores `ref` on the new item (EWS: an extended
    property; Graph: a singleValueExtendedProperty, on a To Do task a linkedResource) and `changes` returns
    it as `RemoteItem.ref` on the items carrying one of `refs` (the creates journaled and not recorded: EWS
    reads every item's ref, Graph's delta cannot, so it looks those refs up); and `delete` of an item
    already gone is not an error. A side that cannot store a ref leaves `ref` None, and a replayed create
    then falls back to the first-sync match (email, subject and time).

    Appointments: `is_all_day`, `start_time_zone` and `end_time_zone` (IANA names) ride in the values, and
    the series' single occurrences in its `recurrence` JSON (`cancelled`, `moved`), which `create` and
    `update` write and `changes` reads back; a side that cannot carry them leaves the names out.

    Meetings: `create` gets the appointment's iCalendar UID as values["meeting_uid"] and `changes` reads it
    back as `RemoteItem.uid`, with the attendees' answers (`responses`) when the mailbox organizes the
    meeting. `invite` asks that attendees hear of the change as Outlook's would tell them: an invitation,
    an update, a cancellation."""

    async def changes(self, entity: codes.SyncEntity, state: str | None, refs: frozenset[str] = frozenset()
                      ) -> tuple[dict[str, RemoteItem], set[str], str | None]:
        """Every change since `state` (all pages): ({item id: RemoteItem}, {deleted item ids}, new state); an
        item carrying one of `refs` has its `ref`. An item made since `state` is among the changes, so the item
        of a create a stopped run made (its state was not saved) is too."""

    async def create(self, entity: codes.SyncEntity, values: dict, ref: str, invite: bool) -> tuple[str, str]:
        """Create the item carrying `ref`; return (item id, change key)."""

    async def update(self, entity: codes.SyncEntity, item_id: str, change_key: str, values: dict,
                     invite: bool) -> str:
        """Update with NeverOverwrite; raise Conflict on a stale change key; return the new change key."""

    async def delete(self, entity: codes.SyncEntity, item_id: str, invite: bool) -> None:
        """Delete the item; one already gone counts as deleted."""

    async def gone(self, entity: codes.SyncEntity, item_ids: set[str]) -> set[str]:
        """Which of these items are no longer in the entity's folder."""


class ActSource(Protocol):
    def act_side(self, job) -> RemoteSide:
        """The mailbox's ACT folders; raises PermanentError (NotSupported) where the protocol has none."""


async def run(job, connector: ActSource) -> int:
    """Contacts, appointments and tasks of the job's mailbox both ways; return how many steps did something."""
    mailbox = job.mailbox
    if mailbox.owner_user_id is None:  # a queue's mailbox never runs ACT (direction.uses_server_side_sync)
        raise PermanentError("NoOwner", f"Mailbox {mailbox.name} has no owner; appointments, contacts and tasks "
                             "sync with a CRM user's.")
    side = connector.act_side(job)
    processed = 0
    for entity in codes.SyncEntity:
        if not covers(mailbox, entity):
            continue
        row, _ = FolderSyncState.get_or_create(mailbox=mailbox, folder=FOLDER[entity], direction=codes.Direction.ACT)
        # Our own writes happen after the read, so the next read must see them (else an item we created and
        # the user then deleted would never show up as deleted): read again until a round writes nothing to
        # the server. An idle cycle is one read per folder.
        # A run that stopped before a read that wrote nothing (killed, or out of rounds) left a cursor read
        # before its own writes: Exchange never reports the deletion of an item made after the cursor, so the
        # next run reads the folder whole once, and a mapped item not in it is gone.
        # For the same reason an item the last round created and the user deleted before this read is in
        # neither its changes nor its deletions: the side is asked about those missing from the changes. A
        # whole read may miss a mapped item that is there (Graph's calendar view lists only its window), so the
        # side is asked about every mapped item missing from it, and only those gone are deleted.
        whole, made = not row.settled, set()
        for _round in range(SETTLE_ROUNDS):
            changed, deleted, state = await side.changes(entity, None if whole else row.state,
                                                         unrecorded_refs(mailbox, entity))
            missing = (mapped_items(mailbox, entity) if whole else made) - changed.keys()
            if missing:
                deleted = deleted | await side.gone(entity, missing)
            plan = make_plan(mailbox, entity, snapshot(mailbox, entity, changed, deleted))
            record_plan(mailbox, entity, plan)  # what the console shows before anything is done
            done = await execute(mailbox, plan, side)
            processed += sum(count for action, count in done.items() if action != Action.SKIP)
            wrote, made = writes_exchange(plan), created_items(mailbox, entity, plan)
            with database_proxy.atomic():  # only after the plan ran: a crash replays the same changes
                row.state, row.settled, row.updated_at = state, not wrote, utcnow()
                row.save()
            whole = False
            if not wrote:
                break
    return processed


def created_items(mailbox, entity: codes.SyncEntity, steps: list[Step]) -> set[str]:
    """The items the plan's creates on the server made (as mapped now)."""
    records = [s.record_id for s in steps if s.action == Action.CREATE and s.side == Side.EXCHANGE]
    return {item_id for (item_id,) in ItemMap.select(ItemMap.item_id).where(
        ItemMap.mailbox == mailbox, ItemMap.record_type == RECORD_TYPE[entity],
        ItemMap.record_id.in_(records)).tuples()} if records else set()


def mapped_items(mailbox, entity: codes.SyncEntity) -> set[str]:
    return {item_id for (item_id,) in ItemMap.select(ItemMap.item_id).where(
        ItemMap.mailbox == mailbox, ItemMap.record_type == RECORD_TYPE[entity]).tuples()}


def unrecorded_refs(mailbox, entity: codes.SyncEntity) -> frozenset[str]:
    """The refs of creates journaled and not recorded: each on an item a stopped run made, or on none."""
    return frozenset(ref for (ref,) in ActJournal.select(ActJournal.ref).where(
        ActJournal.mailbox == mailbox, ActJournal.record_type == RECORD_TYPE[entity],
        ActJournal.action == "create").tuples())


def snapshot(mailbox, entity: codes.SyncEntity, changed: dict, deleted: set) -> dict[str, RemoteItem]:
    """The folder as the planner sees it: mapped items (unchanged unless in the changes), plus the changes."""
    remote = {m.item_id: RemoteItem(m.item_id, m.change_key, {})
              for m in ItemMap.select().where(ItemMap.mailbox == mailbox, ItemMap.record_type == RECORD_TYPE[entity])
              if m.item_id not in deleted}
    remote.update(changed)
    return remote


def directions(settings: OrganizationSettings | None = None) -> dict[str, codes.FieldDirection]:
    """Field directions, "contact.email" → direction; the org's choices over the default (both ways)."""
    settings = settings or OrganizationSettings.get_or_create(id=1)[0]
    chosen = json.loads(settings.act_field_directions or "{}")
    return {f"{RECORD_TYPE[e]}.{name}": Direction(int(chosen.get(f"{RECORD_TYPE[e]}.{name}", Direction.BOTH)))
            for e, names in FIELDS.items() for name in names}


def covers(mailbox: Mailbox, entity: codes.SyncEntity) -> bool:
    """Whether ACT sync has anything to do for this entity: an active sync filter, or items synced before."""
    has_filter = SyncFilter.select().where(SyncFilter.user == mailbox.owner_user_id, SyncFilter.entity == int(entity),
                                           SyncFilter.is_active == True).exists()  # noqa: E712 (peewee)
    return has_filter or ItemMap.select().where(ItemMap.mailbox == mailbox,
                                                ItemMap.record_type == RECORD_TYPE[entity]).exists()


def writes_exchange(steps: list[Step]) -> bool:
    return any(s.side in (Side.EXCHANGE, Side.BOTH) and s.action != Action.SKIP for s in steps)


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def values_of(record, entity: codes.SyncEntity, parties: dict | None = None) -> dict:
    """A record's sync values; `parties` (from attendees_of) spares a query per appointment."""
    values = {name: getattr(record, name) for name in FIELDS[entity] if name not in ATTENDEE_ROLES}
    if entity == Entity.APPOINTMENT:
        parties = attendees_of([record.id]) if parties is None else parties
        values.update({name: parties.get((record.id, int(role)), []) for name, role in ATTENDEE_ROLES.items()})
    return values


def attendees_of(record_ids) -> dict[tuple[int, int], list]:
    """(activity id, role) → sorted [address, name] pairs, for these appointments in one query per 500."""
    found: dict[tuple[int, int], list] = {}
    record_ids = list(record_ids)
    roles = [int(r) for r in ATTENDEE_ROLES.values()]
    for start in range(0, len(record_ids), 500):
        query = (ActivityParty.select(ActivityParty.activity, ActivityParty.role, ActivityParty.address,
                                      ActivityParty.display_name)
                 .where(ActivityParty.activity.in_(record_ids[start:start + 500]), ActivityParty.role.in_(roles)))
        for activity_id, role, address, name in query.tuples():
            found.setdefault((activity_id, role), []).append([address.strip().lower(), name or None])
    return {key: sorted(pairs) for key, pairs in found.items()}


# Fields added after release hash only when set, so items synced before keep their hash (no update storm).
_LATER_FIELDS = {"recurrence", "required_attendees", "optional_attendees", "is_all_day", "start_time_zone",
                 "end_time_zone"}


def content_hash(values: dict) -> str:
    return hashlib.sha256(json.dumps({k: _plain(v) for k, v in sorted(values.items())
                                      if v or k not in _LATER_FIELDS}).encode()).hexdigest()


def _match_key(entity: codes.SyncEntity, values: dict):
    if entity == Entity.CONTACT:
        email = (values.get("email") or "").strip().lower()
        return ("email", email) if email else None
    when = values.get("starts_at" if entity == Entity.APPOINTMENT else "due_at")
    if entity == Entity.TASK and when is not None:
        when = when.date()  # Exchange keeps a task's due date without a time
    subject = (values.get("subject") or "").strip().lower()
    return ("subject", subject, _plain(when)) if subject else None


def _model(entity):
    return Contact if entity == Entity.CONTACT else Activity


# all of this many synced items gone at once looks like a broken folder or query; the only one gone is a delete
MASS_DISAPPEARANCE = 2


def make_plan(mailbox: Mailbox, entity: codes.SyncEntity, remote: dict[str, RemoteItem],
              field_directions: dict | None = None) -> list[Step]:
    """What this cycle will do for one entity of one mailbox, each step with its reason. Touches nothing."""
    user = CrmUser.get_by_id(mailbox.owner_user_id)
    field_directions = field_directions or directions()
    kind = RECORD_TYPE[entity]
    out_fields = [n for n in FIELDS[entity] if field_directions[f"{kind}.{n}"] in (Direction.TO_EXCHANGE, Direction.BOTH)]
    in_fields = [n for n in FIELDS[entity] if field_directions[f"{kind}.{n}"] in (Direction.TO_CRM, Direction.BOTH)]
    only_in = [n for n in in_fields if n not in out_fields]
    in_filter = {r.id: r for r in filter_queries.matching_query(user, entity)}
    maps = list(ItemMap.select().where(ItemMap.mailbox == mailbox, ItemMap.record_type == kind))
    model = _model(entity)
    existing = {r.id: r for r in model.select().where(model.id.in_([m.record_id for m in maps]))} if maps else {}
    parties = attendees_of({*in_filter, *existing}) if entity == Entity.APPOINTMENT else None
    journal = {j.record_id: j for j in ActJournal.select().where(ActJournal.mailbox == mailbox,
                                                                 ActJournal.record_type == kind)}

    expected = [m for m in maps if not _journaled(journal, m.record_id, "remove")]  # not ours to miss
    if len(expected) >= MASS_DISAPPEARANCE and not remote:
        raise PermanentError("ActFolderEmpty", f"The Exchange {kind} folder of {mailbox.email} looks empty "
                             f"although {len(expected)} {kind}s were synced; nothing was deleted in the CRM.",
                             action="Check the mailbox. If the items were really deleted, clear the mailbox's "
                                    f"{kind} item map, then run the sync again.")
    if len(maps) >= MASS_DISAPPEARANCE and not existing and not in_filter:
        raise PermanentError("ActCrmEmpty", f"No synced {kind} of {mailbox.email} is left in the CRM although "
                             f"{len(maps)} were synced; nothing was deleted in Exchange.",
                             action="Check the CRM data and the user's sync filters, then run the sync again.")

    steps: list[Step] = []
    mapped_records = {m.record_id for m in maps}
    mapped_items = {m.item_id for m in maps}
    for m in maps:
        record, item = existing.get(m.record_id), remote.get(m.item_id)
        if record is None and item is None:
            steps.append(Step(Action.DELETE, Side.MAP, entity, "deleted on both sides", m.record_id, m.item_id))
        elif record is None:
            steps.append(Step(Action.DELETE, Side.EXCHANGE, entity, "deleted in the CRM", m.record_id, m.item_id))
        elif item is None and _journaled(journal, m.record_id, "remove"):
            steps.append(Step(Action.DELETE, Side.MAP, entity, "its Exchange copy was removed when it left the "
                              "user's sync filters (the CRM record stays)", m.record_id, m.item_id))
        elif item is None:
            steps.append(Step(Action.DELETE, Side.CRM, entity, "deleted in Exchange", m.record_id, m.item_id))
        elif m.record_id not in in_filter:
            steps.append(Step(Action.DELETE, Side.EXCHANGE, entity, "left the user's sync filters (the CRM record stays)",
                              m.record_id, m.item_id))
        else:
            steps.append(_guard(_keep_cancelled(_compare(entity, m, record, item, out_fields, in_fields, only_in,
                                                         parties), m), record, item))

    # Creates a run began and did not record: the item carrying the journal's ref is that run's work.
    by_ref = {item.ref: item for item in remote.values() if item.ref and item.item_id not in mapped_items}
    matched_items: set[str] = set()
    for record_id, entry in journal.items():
        if entry.action != "create" or record_id in mapped_records:
            continue
        made = by_ref.get(entry.ref)
        if made is not None and record_id in in_filter:
            matched_items.add(made.item_id)
            mapped_records.add(record_id)
            # Written again: the record may have changed since that run read it (its map would otherwise take
            # today's values as synced), and a series may lack the single occurrences the run did not get to.
            values = values_of(in_filter[record_id], entity, parties)
            why = ", maybe before its single occurrences" if _has_exceptions(values.get("recurrence")) else ""
            steps.append(_guard(Step(Action.UPDATE, Side.EXCHANGE, entity, f"created in Exchange by a run that "
                                     f"stopped before recording it{why}: mapped and written again", record_id,
                                     made.item_id, made.change_key, to_exchange={n: values[n] for n in out_fields}),
                                in_filter[record_id], None))
        elif made is not None:
            matched_items.add(made.item_id)
            steps.append(Step(Action.DELETE, Side.EXCHANGE, entity, "created in Exchange by a run that stopped; "
                              "the record has left the user's sync filters since", record_id, made.item_id))
        elif record_id not in in_filter:
            steps.append(Step(Action.DELETE, Side.MAP, entity, "a create begun by a run that stopped never reached "
                              "Exchange, and the record has left the user's sync filters since", record_id))

    by_key: dict = {}
    for item in remote.values():
        if item.item_id not in mapped_items and item.item_id not in matched_items:
            key = _match_key(entity, item.values)
            if key is not None:
                by_key.setdefault(key, item)
    for record_id, record in in_filter.items():
        if record_id in mapped_records:
            continue
        if entity == Entity.APPOINTMENT and _invited(mailbox, record, parties):
            steps.append(Step(Action.SKIP, Side.NEITHER, entity, "the user is invited to this meeting: the invitation "
                              "its organizer's mailbox sends stands for it in this calendar, not a second copy",
                              record_id))
            continue
        values = values_of(record, entity, parties)
        twin = by_key.get(_match_key(entity, values))
        if twin is not None and twin.item_id not in matched_items:
            matched_items.add(twin.item_id)
            steps.append(Step(Action.MATCH, Side.MAP, entity, "an item with the same "
                              f"{'email address' if entity == Entity.CONTACT else 'subject and time'} already exists "
                              "in Exchange: mapped, not duplicated", record_id, twin.item_id, twin.change_key))
        else:
            steps.append(_guard(Step(Action.CREATE, Side.EXCHANGE, entity, "in the user's sync filters", record_id,
                                     to_exchange={n: values[n] for n in out_fields}), record, None))
    invited = _appointments_of_uids({i.uid for i in remote.values() if i.uid and i.item_id not in mapped_items})
    for item in remote.values():
        if item.item_id in mapped_items or item.item_id in matched_items:
            continue
        if item.uid in invited:
            steps.append(Step(Action.SKIP, Side.NEITHER, entity, f"the invitation to CRM appointment "
                              f"#{invited[item.uid]} (the same iCalendar UID), which syncs through its organizer's "
                              "mailbox: not a second appointment", None, item.item_id))
        elif item.tracked:
            steps.append(_guard(Step(Action.CREATE, Side.CRM, entity, "tracked by the user in Exchange", None, item.item_id,
                                     item.change_key, to_crm=_from_exchange(item, in_fields)), None, item))
        else:
            steps.append(Step(Action.SKIP, Side.NEITHER, entity, "not tracked by the user", None, item.item_id))
    for step in steps:  # what the Exchange item read this cycle says of its meeting, for the record
        item = remote.get(step.item_id) if step.item_id else None
        if item is not None and step.action in (Action.CREATE, Action.UPDATE, Action.CONFLICT, Action.MATCH):
            step.meeting_uid, step.responses = item.uid, item.responses
        elif (item is not None and item.uid and step.action == Action.SKIP and step.record_id in existing
              and existing[step.record_id].meeting_uid != item.uid):
            step.meeting_uid = item.uid  # a UID the server made for our create (Graph's iCalUId), read back
    return steps


def _invited(mailbox: Mailbox, record, parties: dict) -> bool:
    """Whether the mailbox's user is an attendee of someone else's meeting whose organizer's mailbox sends it
    (then the invitation is this calendar's copy: never mapped, so an attendee's decline or delete cannot
    take the meeting out of the CRM)."""
    if record.owner_user_id in (None, mailbox.owner_user_id):
        return False
    invited = {address for role in ATTENDEE_ROLES.values() for address, _name in parties.get((record.id, int(role)), [])}
    return mailbox.email.strip().lower() in invited and Mailbox.select().where(
        Mailbox.owner_user == record.owner_user_id, Mailbox.act_method == int(codes.ActMethod.SERVER_SIDE_SYNC)).exists()


def _appointments_of_uids(uids: set[str]) -> dict[str, int]:
    """iCalendar UID → the CRM appointment that has it."""
    if not uids:
        return {}
    query = Activity.select(Activity.id, Activity.meeting_uid).where(Activity.meeting_uid.in_(list(uids)))
    return {uid: record_id for record_id, uid in query.tuples()}


def _compare(entity, m: ItemMap, record, item: RemoteItem, out_fields, in_fields, only_in, parties) -> Step:
    values = values_of(record, entity, parties)
    crm_changed = content_hash(values) != m.content_hash
    exchange_changed = item.change_key != m.change_key
    if not crm_changed and not exchange_changed:
        return Step(Action.SKIP, Side.NEITHER, entity, "unchanged on both sides", m.record_id, m.item_id, item.change_key)
    if crm_changed and not exchange_changed:
        return Step(Action.UPDATE, Side.EXCHANGE, entity, "changed in the CRM", m.record_id, m.item_id, item.change_key,
                    to_exchange={n: values[n] for n in out_fields})
    if exchange_changed and not crm_changed:
        return Step(Action.UPDATE, Side.CRM, entity, "changed in Exchange", m.record_id, m.item_id, item.change_key,
                    to_crm=_from_exchange(item, in_fields))
    return Step(Action.CONFLICT, Side.BOTH, entity, "changed on both sides: the CRM wins for fields that flow to "
                "Exchange, Exchange for fields that flow only to the CRM", m.record_id, m.item_id, item.change_key,
                to_exchange={n: values[n] for n in out_fields}, to_crm=_from_exchange(item, only_in))


def _from_exchange(item: RemoteItem, names) -> dict:
    """The item's values of these fields; a field its protocol does not carry (a To Do task's percentage) is
    left as the CRM has it."""
    return {n: item.values[n] for n in names if n in item.values}


def _has_exceptions(text: str | None) -> bool:
    try:
        rule = Recurrence.from_json(text) if text else None
    except RecurrenceError:
        return False
    return bool(rule and (rule.cancelled or rule.moved))


def _keep_cancelled(step: Step, m: ItemMap) -> Step:
    """Exchange cannot bring back a deleted occurrence: one the CRM no longer cancels stays cancelled on both sides."""
    text = step.to_exchange.get("recurrence")
    if step.entity != Entity.APPOINTMENT or not text or not m.synced_recurrence:
        return step
    try:
        before, now = Recurrence.from_json(m.synced_recurrence), Recurrence.from_json(text)
    except RecurrenceError:
        return step  # a pattern the guard refuses, with its own reason
    lost = sorted(set(before.cancelled) - set(now.cancelled))
    if not lost:
        return step
    kept = now.with_exceptions((*now.cancelled, *lost), [x for x in now.moved if x.on not in lost])
    step.to_exchange["recurrence"] = step.to_crm["recurrence"] = kept.to_json()
    step.side = Side.BOTH
    step.reason += (f"; the occurrence of {', '.join(map(str, lost))} stays cancelled, since Exchange cannot bring "
                    "back a deleted occurrence (make a new appointment for it)")
    return step


def _guard(step: Step, record, item: RemoteItem | None) -> Step:
    """A step that would carry a series one side cannot take becomes a skip with the reason (never mangled).

    A CRM pattern sent to Exchange is validated and anchored on the appointment's start date."""
    if step.entity != Entity.APPOINTMENT or step.action in (Action.SKIP, Action.DELETE, Action.MATCH):
        return step
    if item is not None and item.unsupported:
        return Step(Action.SKIP, Side.NEITHER, step.entity, f"the Exchange series cannot be synced: {item.unsupported}",
                    step.record_id, step.item_id, step.change_key)
    if item is not None and item.left_out and step.side in (Side.CRM, Side.BOTH):
        step.reason += f"; {item.left_out}"
    for name in ("start_time_zone", "end_time_zone"):
        try:
            time_zones.zone(step.to_exchange.get(name))
        except time_zones.TimeZoneError as error:
            return Step(Action.SKIP, Side.NEITHER, step.entity, f"its time zone cannot be synced: {error}",
                        step.record_id, step.item_id, step.change_key)
    text = step.to_exchange.get("recurrence")
    if text:
        try:
            if record.starts_at is None:
                raise RecurrenceError("a series needs the appointment's start time")
            start = time_zones.local(record.starts_at, record.start_time_zone)  # the series' days are local days
            rule = Recurrence.from_json(text).anchored(start)
            rule.check_exceptions(lambda at: time_zones.local(at, record.start_time_zone).date())
            step.to_exchange["recurrence"] = rule.to_json()
        except RecurrenceError as error:
            return Step(Action.SKIP, Side.NEITHER, step.entity, f"its recurrence cannot be synced to Exchange: {error}",
                        step.record_id, step.item_id, step.change_key)
    return step


# Skips an administrator needs to see in the plan; the rest are routine ("unchanged", "not tracked").
ROUTINE_SKIPS = ("unchanged on both sides", "not tracked by the user")


def _shown(step: Step) -> bool:
    return step.action != Action.SKIP or step.reason not in ROUTINE_SKIPS


_NOT_NULL = {"first_name": "", "last_name": "", "subject": "", "body": "", "is_completed": False, "is_all_day": False}


def summary(entity: codes.SyncEntity, steps: list[Step], *, limit: int = 20) -> str:
    """The plan in the administrator's words: counts, then the steps that change something, each with its reason."""
    counts: dict[str, int] = {}
    for step in steps:
        key = "unchanged or skipped" if step.action == Action.SKIP else f"{step.action} ({step.side})"
        counts[key] = counts.get(key, 0) + 1
    acting = [s for s in steps if _shown(s)]
    lines = [f"{entity.label}: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))]
    lines += [f"- {s.describe()}" for s in acting[:limit]]
    if len(acting) > limit:
        lines.append(f"- ... and {len(acting) - limit} more")
    return "\n".join(lines)


def record_plan(mailbox: Mailbox, entity: codes.SyncEntity, steps: list[Step]) -> None:
    """Put a plan that changes something in the trace log (one row per mailbox and entity, kept current)."""
    if not any(_shown(s) for s in steps):
        return  # an idle cycle writes nothing
    from crmsync_gui.core.sync import trace

    trace.record(f"ActPlan{entity.name.title()}", summary(entity, steps), at=utcnow(),
                 level=codes.TraceLevel.INFORMATION, mailbox_id=mailbox.id, remediation="No action needed.")


def _write_crm(entity, record_id: int | None, values: dict, owner: CrmUser):
    model = _model(entity)
    attendees = {k: v for k, v in values.items() if k in ATTENDEE_ROLES}
    values = {k: (_NOT_NULL[k] if v is None and k in _NOT_NULL else v) for k, v in values.items()
              if k not in ATTENDEE_ROLES}
    if record_id is None:
        extra = {"owner": owner} if entity == Entity.CONTACT else {
            "owner_user": owner, "activity_type": _ACTIVITY_TYPE[entity]}
        record = model.create(**extra, **values)
    else:
        record = model.get_by_id(record_id)
        for name, value in values.items():
            setattr(record, name, value)
        record.modified_at = utcnow()
        record.save()
    for name, pairs in attendees.items():
        _write_attendees(record, ATTENDEE_ROLES[name], pairs or [])
    return record


def _write_attendees(record, role: codes.PartyRole, pairs: list) -> None:
    """Replace the appointment's attendees of this role; addresses resolve to CRM records as email senders do.
    An attendee who stays keeps their answer (a side that reads no answers must not wipe them)."""
    book: dict = {}
    tracking.resolve_addresses([address for address, _name in pairs], book)
    answers = {address.strip().lower(): response for address, response in ActivityParty.select(
        ActivityParty.address, ActivityParty.response).where(ActivityParty.activity == record,
                                                             ActivityParty.response.is_null(False)).tuples()}
    ActivityParty.delete().where(ActivityParty.activity == record, ActivityParty.role == int(role)).execute()
    rows = []
    for address, name in pairs:
        party = book.get(address.strip().lower())
        rows.append({"activity": record.id, "role": int(role), "address": address, "display_name": name,
                     "party_type": party.party_type if party else None, "party_id": party.party_id if party else None,
                     "response": answers.get(address.strip().lower())})
    if rows:
        ActivityParty.insert_many(rows).execute()


def _save_map(mailbox, entity, record, item_id: str, change_key: str) -> None:
    kind = RECORD_TYPE[entity]
    row = ItemMap.get_or_none(mailbox=mailbox, record_type=kind, record_id=record.id) or ItemMap(
        mailbox=mailbox, record_type=kind, record_id=record.id)
    row.item_id, row.change_key = item_id, change_key
    values = values_of(record, entity)
    row.content_hash, row.folder, row.updated_at = content_hash(values), kind, utcnow()
    row.synced_recurrence = values.get("recurrence")
    row.save()


def _drop_map(mailbox, entity, item_id: str | None) -> None:
    if item_id is not None:
        ItemMap.delete().where(ItemMap.mailbox == mailbox, ItemMap.record_type == RECORD_TYPE[entity],
                               ItemMap.item_id == item_id).execute()


def _organizes(mailbox, record) -> bool:
    """Whether writes of this record from this mailbox are the organizer's: an appointment its owner's mailbox
    holds (an attendee's copy never sends anything)."""
    return (isinstance(record, Activity) and record.activity_type == codes.ActivityType.APPOINTMENT
            and record.owner_user_id == mailbox.owner_user_id)


def _meeting_uid(record: Activity) -> str:
    """The appointment's iCalendar UID, made and committed before its first Exchange copy is."""
    if not record.meeting_uid:
        with database_proxy.atomic():
            record.meeting_uid = str(uuid.uuid4())
            Activity.update(meeting_uid=record.meeting_uid).where(Activity.id == record.id).execute()
    return record.meeting_uid


def _keep_meeting(record, step: Step) -> None:
    """What the Exchange item says of its meeting: the UID the record keeps, the answers of its attendees."""
    if not isinstance(record, Activity):
        return
    if step.meeting_uid and record.meeting_uid != step.meeting_uid:
        record.meeting_uid = step.meeting_uid
        Activity.update(meeting_uid=step.meeting_uid).where(Activity.id == record.id).execute()
    roles = [int(r) for r in ATTENDEE_ROLES.values()]
    for address, answer in (step.responses or {}).items():
        (ActivityParty.update(response=int(answer))
         .where(ActivityParty.activity == record.id, ActivityParty.role.in_(roles),
                fn.LOWER(ActivityParty.address) == address.lower()).execute())


def _journaled(journal: dict, record_id: int, action: str) -> bool:
    entry = journal.get(record_id)
    return entry is not None and entry.action == action


def _journal(mailbox, entity, record_id: int, action: str, item_id: str | None = None) -> str:
    """Commit what is about to be done on the server; return the ref a create stamps on its item.

    A create begun before keeps its ref: its item never reached the server (the plan would have
    mapped it), so the ref is still unused."""
    with database_proxy.atomic():
        entry = ActJournal.get_or_none(mailbox=mailbox, record_type=RECORD_TYPE[entity], record_id=record_id)
        if entry is None:
            entry = ActJournal(mailbox=mailbox, record_type=RECORD_TYPE[entity], record_id=record_id,
                               ref=uuid.uuid4().hex)
        elif entry.action != action:
            entry.ref = uuid.uuid4().hex
        entry.action, entry.item_id, entry.created_at = action, item_id, utcnow()
        entry.save()
    return entry.ref


def _unjournal(mailbox, entity, record_id: int | None) -> None:
    if record_id is not None:
        ActJournal.delete().where(ActJournal.mailbox == mailbox, ActJournal.record_type == RECORD_TYPE[entity],
                                  ActJournal.record_id == record_id).execute()


async def execute(mailbox: Mailbox, steps: list[Step], remote_side: RemoteSide) -> dict[str, int]:
    """Carry out a plan; each step's CRM change and item map row commit together. Returns counts by action."""
    owner = CrmUser.get_by_id(mailbox.owner_user_id)
    done: dict[str, int] = {}
    for step in steps:
        log.info("ACT %s: %s", mailbox.email, step.describe())
        e = step.entity
        try:
            if step.action == Action.SKIP:
                if step.meeting_uid:
                    _keep_meeting(_model(e).get_by_id(step.record_id), step)
            elif step.action == Action.MATCH:
                with database_proxy.atomic():
                    record = _model(e).get_by_id(step.record_id)
                    _keep_meeting(record, step)
                    _save_map(mailbox, e, record, step.item_id, step.change_key)
                    _unjournal(mailbox, e, step.record_id)
            elif step.action == Action.CREATE and step.side == Side.EXCHANGE:
                record, values = _model(e).get_by_id(step.record_id), step.to_exchange
                if e == Entity.APPOINTMENT:
                    values = {**values, "meeting_uid": _meeting_uid(record)}
                ref = _journal(mailbox, e, step.record_id, "create")
                item_id, change_key = await remote_side.create(e, values, ref, invite=_organizes(mailbox, record))
                with database_proxy.atomic():
                    _save_map(mailbox, e, record, item_id, change_key)
                    _unjournal(mailbox, e, step.record_id)
            elif step.action == Action.CREATE:  # tracked in Exchange → CRM
                with database_proxy.atomic():
                    record = _write_crm(e, None, step.to_crm, owner)
                    _keep_meeting(record, step)
                    _save_map(mailbox, e, record, step.item_id, step.change_key)
            elif step.action == Action.DELETE:
                if step.side == Side.EXCHANGE:
                    # deleted in the CRM, a meeting is called off; one that left the filters still stands
                    called_off = e == Entity.APPOINTMENT and not Activity.select().where(
                        Activity.id == step.record_id).exists()
                    _journal(mailbox, e, step.record_id, "remove", step.item_id)
                    await remote_side.delete(e, step.item_id, invite=called_off)
                with database_proxy.atomic():
                    if step.side == Side.CRM:
                        _model(e).delete().where(_model(e).id == step.record_id).execute()
                    _drop_map(mailbox, e, step.item_id)
                    _unjournal(mailbox, e, step.record_id)
            elif step.action in (Action.UPDATE, Action.CONFLICT):
                change_key = step.change_key
                if step.to_exchange:
                    invite = _organizes(mailbox, _model(e).get_by_id(step.record_id))
                    change_key = await remote_side.update(e, step.item_id, step.change_key, step.to_exchange,
                                                          invite=invite)
                with database_proxy.atomic():
                    record = _write_crm(e, step.record_id, step.to_crm, owner)
                    _keep_meeting(record, step)
                    _save_map(mailbox, e, record, step.item_id, change_key)
                    _unjournal(mailbox, e, step.record_id)  # a removal begun before never happened
        except Conflict:
            log.info("ACT %s: %s changed again in Exchange meanwhile; retried next cycle", mailbox.email,
                     step.item_id)
            done["conflict-retry"] = done.get("conflict-retry", 0) + 1
            continue
        done[step.action] = done.get(step.action, 0) + 1
    return done
