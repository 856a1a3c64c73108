"""ACT through EWS: contacts, calendar and tasks folders as act.RemoteItems, and act.RemoteSide on exchangelib.

Each folder is read with SyncFolderItems and a stored SyncState, so an idle cycle costs one
request per folder. Items not in this cycle's changes are known by their item map row (id and
change key); a delete in the changes removes them. The new SyncState is saved only after the plan
ran, so a crash replays the same changes; every item crmsync creates carries the journal's ref in
an extended property (`CrmsyncRef`), so the replay knows its own work.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import exchangelib
from exchangelib import ExtendedProperty
from exchangelib import errors as ews
from exchangelib.indexed_properties import EmailAddress, PhoneNumber
from exchangelib.items import (
    ID_ONLY,
    NEVER_OVERWRITE,
    SEND_TO_ALL_AND_SAVE_COPY,
    SEND_TO_CHANGED_AND_SAVE_COPY,
    SEND_TO_NONE,
)
from exchangelib.properties import Attendee
from exchangelib.services import SyncFolderItems

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _ews_recurrence as recurrence
from crmsync_gui.core.domain import time_zones
from crmsync_gui.core.domain.recurrence import Recurrence as CrmRecurrence
from crmsync_gui.core.domain.recurrence import RecurrenceError
from crmsync_gui.core.sync import act

Entity = codes.SyncEntity
TRACKED_CATEGORY = "Tracked to CRM"
ITEM_CLASS = {Entity.CONTACT: exchangelib.Contact, Entity.APPOINTMENT: exchangelib.CalendarItem,
              Entity.TASK: exchangelib.Task}
EWS_FIELDS = {
    Entity.CONTACT: ("given_name", "surname", "display_name", "email_addresses", "phone_numbers", "company_name",
                     "job_title", "categories", "crmsync_ref"),
    Entity.APPOINTMENT: ("subject", "location", "start", "end", "body", "recurrence", "required_attendees",
                         "optional_attendees", "categories", "crmsync_ref", "is_all_day", "_start_timezone",
                         "_end_timezone", "modified_occurrences", "deleted_occurrences", "uid", "my_response_type"),
    Entity.TASK: ("subject", "due_date", "percent_complete", "status", "body", "categories", "crmsync_ref"),
}
PAGE_SIZE = 200
# an attendee's ResponseType on the organizer's item → the CRM's answer (Unknown, NoResponseReceived: none yet)
ANSWERS = {"Accept": codes.MeetingResponse.ACCEPTED, "Tentative": codes.MeetingResponse.TENTATIVE,
           "Decline": codes.MeetingResponse.DECLINED}


class CrmsyncRef(ExtendedProperty):
    """act.ActJournal's ref on an item crmsync created (a named MAPI property in crmsync's own set)."""

    property_set_id = "5d1b3c4e-7f0a-4c59-9a53-2e6f1c8b0a71"
    property_name = "crmsyncRef"
    property_type = "String"


for _item_class in ITEM_CLASS.values():
    _item_class.register("crmsync_ref", CrmsyncRef)


def _ews_zone(name: str | None) -> exchangelib.EWSTimeZone:
    return exchangelib.EWSTimeZone(name or "UTC")


def _ews_time(value: datetime | None, zone: str | None = None):
    """A naive UTC time as an exchangelib time in the zone (so Exchange records the zone with it)."""
    if not value:
        return None
    return exchangelib.EWSDateTime.from_datetime(value.replace(tzinfo=UTC)).astimezone(_ews_zone(zone))


def _plain_time(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):  # a date (task due date)
        return datetime(value.year, value.month, value.day)
    return datetime.fromtimestamp(value.timestamp(), UTC).replace(tzinfo=None)


def _pairs(attendees) -> list:
    """Sorted [address, name] pairs, as act keeps attendees."""
    return sorted([a.mailbox.email_address.strip().lower(), a.mailbox.name or None]
                  for a in attendees or [] if a.mailbox and a.mailbox.email_address)


def _zone_name(zone) -> str | None:
    return zone.key if zone is not None else None


def _ews_times(values: dict) -> dict:
    """start, end, is_all_day and the zones in exchangelib's terms; an all-day event as its first and last day."""
    out = {}
    start_zone = values.get("start_time_zone")
    end_zone = values.get("end_time_zone") or start_zone
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if "is_all_day" in values:
        out["is_all_day"] = bool(values["is_all_day"])
    if values.get("is_all_day") and starts_at and ends_at:
        first, last = time_zones.all_day_dates(starts_at, ends_at, start_zone, end_zone)
        out["start"], out["end"] = (exchangelib.EWSDate(d.year, d.month, d.day) for d in (first, last))
    else:
        out.update({name: _ews_time(values[key], zone) for name, key, zone in
                    (("start", "starts_at", start_zone), ("end", "ends_at", end_zone)) if key in values})
    if "start_time_zone" in values:
        out["_start_timezone"], out["_end_timezone"] = _ews_zone(start_zone), _ews_zone(end_zone)
    return out


def _indexed(values, label: str):
    return next((v for v in values or [] if v.label == label), None)


def values_of(entity: codes.SyncEntity, item) -> dict:
    """CRM field names → values of an EWS item (naive UTC datetimes, plain numbers)."""
    if entity == Entity.CONTACT:
        email = _indexed(item.email_addresses, "EmailAddress1")
        phone = _indexed(item.phone_numbers, "BusinessPhone")
        return {"first_name": item.given_name or "", "last_name": item.surname or "",
                "email": (email.email.lower() if email and email.email else None),
                "phone": phone.phone_number if phone else None, "company": item.company_name,
                "job_title": item.job_title}
    if entity == Entity.APPOINTMENT:
        start_zone, end_zone = _zone_name(item._start_timezone), _zone_name(item._end_timezone)
        starts_at, ends_at = _plain_time(item.start), _plain_time(item.end)
        if item.is_all_day and item.start is not None and item.end is not None and not isinstance(item.start,
                                                                                                     datetime):
            # exchangelib hands an all-day event's first and last day, read in its zones
            starts_at, ends_at = time_zones.all_day_times(item.start, item.end, start_zone, end_zone)
        return {"subject": item.subject or "", "location": item.location, "starts_at": starts_at,
                "ends_at": ends_at, "body": str(item.body or ""), "is_all_day": bool(item.is_all_day),
                "start_time_zone": start_zone, "end_time_zone": end_zone,
                "required_attendees": _pairs(item.required_attendees),
                "optional_attendees": _pairs(item.optional_attendees),
                "recurrence": recurrence.from_ews(item.recurrence, item, start_zone)}  # raises recurrence.Unsupported
    percent = item.percent_complete
    return {"subject": item.subject or "", "due_at": _plain_time(item.due_date),
            "percent_complete": int(percent) if percent is not None else None,
            "is_completed": item.status == exchangelib.Task.COMPLETED, "body": str(item.body or "")}


def _ews_values(entity: codes.SyncEntity, values: dict) -> dict:
    """EWS field names → values, for the CRM fields given."""
    out = {}
    if entity == Entity.CONTACT:
        names = {"first_name": "given_name", "last_name": "surname", "company": "company_name",
                 "job_title": "job_title"}
        out.update({names[k]: v for k, v in values.items() if k in names})
        if "email" in values:
            out["email_addresses"] = ([EmailAddress(email=values["email"], label="EmailAddress1")]
                                      if values["email"] else None)
        if "phone" in values:
            out["phone_numbers"] = ([PhoneNumber(label="BusinessPhone", phone_number=values["phone"])]
                                    if values["phone"] else None)
        if "first_name" in values or "last_name" in values:
            out["display_name"] = " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p) or None
    elif entity == Entity.APPOINTMENT:
        names = {"subject": "subject", "location": "location", "body": "body"}
        out.update({names[k]: v for k, v in values.items() if k in names})
        out.update(_ews_times(values))
        for name in act.ATTENDEE_ROLES:
            if name in values:
                out[name] = [Attendee(mailbox=exchangelib.Mailbox(email_address=address, name=display),
                                      response_type="Unknown") for address, display in values[name] or []] or None
        if values.get("meeting_uid"):
            out["uid"] = values["meeting_uid"]
        if "recurrence" in values:  # one recurring master, its pattern anchored by the plan
            out["recurrence"] = recurrence.to_ews(values["recurrence"]) if values["recurrence"] else None
    else:
        names = {"subject": "subject", "body": "body"}
        out.update({names[k]: v for k, v in values.items() if k in names})
        if "due_at" in values:
            due = values["due_at"]
            out["due_date"] = exchangelib.EWSDate(due.year, due.month, due.day) if isinstance(due, date) else None
        if "percent_complete" in values:
            out["percent_complete"] = (Decimal(values["percent_complete"])
                                       if values["percent_complete"] is not None else None)
        if "is_completed" in values or "percent_complete" in values:
            percent = values.get("percent_complete") or 0
            out["status"] = (exchangelib.Task.COMPLETED if values.get("is_completed") else
                             "InProgress" if percent else exchangelib.Task.NOT_STARTED)
            if values.get("is_completed"):
                out["percent_complete"] = Decimal(100)
    return out


def _own_fields(master) -> str | None:
    """Which of a series' single occurrences have their own subject or location, which the CRM does not keep
    (one GetItem for the modified occurrences of a master that has any)."""
    modified = [o for o in master.modified_occurrences or [] if o.id]
    if not modified:
        return None
    days = []
    fetched = master.account.fetch(ids=[(o.id, o.changekey) for o in modified], folder=master.account.calendar,
                                   only_fields=["subject", "location"])
    for entry, occurrence in zip(modified, fetched, strict=True):
        if isinstance(occurrence, Exception):
            raise occurrence
        if (occurrence.subject, occurrence.location) != (master.subject, master.location):
            days.append(time_zones.local(_plain_time(entry.original_start), _zone_name(master._start_timezone)).date())
    if not days:
        return None
    return (f"the occurrence of {', '.join(str(d) for d in sorted(days))} has its own subject or location in "
            "Exchange, which stays there: the CRM keeps a single occurrence's times only")


def _answers(item) -> dict | None:
    """The attendees' answers on a meeting the mailbox organizes (an attendee's copy does not know them)."""
    if item.my_response_type != "Organizer":
        return None
    return {a.mailbox.email_address.strip().lower(): ANSWERS.get(a.response_type, codes.MeetingResponse.NONE)
            for a in [*(item.required_attendees or []), *(item.optional_attendees or [])]
            if a.mailbox and a.mailbox.email_address}


def remote_item(entity: codes.SyncEntity, item) -> act.RemoteItem:
    tracked = TRACKED_CATEGORY in (item.categories or [])
    try:
        if entity == Entity.APPOINTMENT:
            return act.RemoteItem(item.id, item.changekey, values_of(entity, item), tracked, ref=item.crmsync_ref,
                                  left_out=_own_fields(item), uid=item.uid, responses=_answers(item))
        return act.RemoteItem(item.id, item.changekey, values_of(entity, item), tracked, ref=item.crmsync_ref)
    except recurrence.Unsupported as why:
        return act.RemoteItem(item.id, item.changekey, {}, tracked, unsupported=str(why), ref=item.crmsync_ref)


def folder_of(account, entity: codes.SyncEntity):
    return getattr(account, act.FOLDER[entity])


def fetch_changes(account, entity: codes.SyncEntity, sync_state: str | None):
    """Every change since sync_state (all pages): ({item id: RemoteItem}, {deleted ids}, new state)."""
    folder = folder_of(account, entity)
    fields = {f for f in folder.normalize_fields(fields=list(EWS_FIELDS[entity])) if not f.field.is_attribute}
    changed: dict[str, act.RemoteItem] = {}
    deleted: set[str] = set()
    while True:
        service = SyncFolderItems(account=account)
        for change in service.call(folder=folder, shape=ID_ONLY, additional_fields=fields, sync_state=sync_state,
                                   ignore=None, max_changes_returned=PAGE_SIZE, sync_scope=None):
            if isinstance(change, Exception):
                raise change
            change_type, item = change
            if change_type == service.DELETE:
                deleted.add(item.id)
                changed.pop(item.id, None)
            elif change_type in (service.CREATE, service.UPDATE) and isinstance(item, ITEM_CLASS[entity]):
                changed[item.id] = remote_item(entity, item)
                deleted.discard(item.id)
        new_state = service.sync_state
        if service.includes_last_item_in_range or new_state == sync_state:
            return changed, deleted, new_state
        sync_state = new_state


class EwsActSide:
    """act.RemoteSide on one mailbox; every call runs in the connector's threads with a connection slot."""

    def __init__(self, session, job):
        self.session, self.job = session, job
        self.account = session.account(job)

    async def changes(self, entity, state, refs=frozenset()):
        del refs  # every item's ref is read with it
        return await self.session.call(self.job, f"reading the {act.FOLDER[entity]} folder of {self.job.mailbox.email}",
                                       fetch_changes, self.account, entity, state)

    async def create(self, entity, values, ref, invite):
        return await self.session.call(self.job, f"creating a {act.RECORD_TYPE[entity]} in Exchange",
                                       _create, self.account, entity, values, ref, invite)

    async def update(self, entity, item_id, change_key, values, invite):
        return await self.session.call(self.job, f"updating a {act.RECORD_TYPE[entity]} in Exchange",
                                         _update, self.account, entity, item_id, change_key, values, invite)

    async def delete(self, entity, item_id, invite):
        await self.session.call(self.job, f"deleting a {act.RECORD_TYPE[entity]} in Exchange",
                                  _delete, self.account, item_id, invite)

    async def gone(self, entity, item_ids):
        return await self.session.call(self.job, f"checking which synced {act.FOLDER[entity]} are still in "
                                       f"{self.job.mailbox.email}", _gone, self.account, entity, item_ids)


def _create(account, entity, values, ref: str, invite: bool) -> tuple[str, str]:
    fields = {k: v for k, v in _ews_values(entity, values).items() if v is not None}
    fields["crmsync_ref"] = ref
    if entity == Entity.CONTACT:
        fields.setdefault("display_name", fields.get("email_addresses", [None])[0].email
                          if fields.get("email_addresses") else "(no name)")
    item = ITEM_CLASS[entity](account=account, folder=folder_of(account, entity), **fields)
    # an appointment with attendees is a meeting: they get the invitation Outlook would send
    item.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY if invite and entity == Entity.APPOINTMENT
              else SEND_TO_NONE)
    if values.get("recurrence"):
        return item.id, _write_exceptions(account, item.id, values, invite)
    return item.id, item.changekey


def _gone(account, entity, item_ids) -> set[str]:
    """The items not found, or found in another folder (Deleted Items)."""
    folder, ids = folder_of(account, entity), sorted(item_ids)
    found = account.fetch(ids=[(i, None) for i in ids], folder=folder, only_fields=["parent_folder_id"])
    gone = set()
    for item_id, result in zip(ids, found, strict=True):
        if isinstance(result, ews.ErrorItemNotFound) or (
                not isinstance(result, Exception) and result.parent_folder_id.id != folder.id):
            gone.add(item_id)
        elif isinstance(result, Exception):
            raise result
    return gone


def _update(account, entity, item_id, change_key, values, invite: bool) -> str:
    fields = _ews_values(entity, values)
    item = ITEM_CLASS[entity](account=account, folder=folder_of(account, entity), id=item_id, changekey=change_key,
                              **fields)
    try:  # a meeting's attendees hear of what changed for them, as Outlook's "send update" tells them
        item.save(update_fields=list(fields), conflict_resolution=NEVER_OVERWRITE,
                  send_meeting_invitations=SEND_TO_CHANGED_AND_SAVE_COPY if invite and entity == Entity.APPOINTMENT
                  else SEND_TO_NONE)
    except (ews.ErrorIrresolvableConflict, ews.ErrorStaleObject) as exc:
        raise act.Conflict(item_id) from exc
    if entity == Entity.APPOINTMENT and values.get("recurrence"):
        return _write_exceptions(account, item_id, values, invite)
    return item.changekey


_SERIES_FIELDS = ("start", "end", "is_all_day", "_start_timezone", "modified_occurrences", "deleted_occurrences")


def _write_exceptions(account, item_id: str, values: dict, invite: bool) -> str:
    """Give the series in Exchange the CRM's cancelled and moved occurrences (the master's pattern is written);
    return the master's change key after. A cancelled occurrence Exchange has and the CRM not stays: Exchange
    cannot bring one back (the plan says so). `invite`: a meeting's attendees hear of each one, as Outlook
    tells them of a single occurrence moved or cancelled."""
    cancellations, updates = (SEND_TO_ALL_AND_SAVE_COPY, SEND_TO_CHANGED_AND_SAVE_COPY) if invite else (
        SEND_TO_NONE, SEND_TO_NONE)
    rule, zone = CrmRecurrence.from_json(values["recurrence"]), values.get("start_time_zone")
    [master] = account.fetch(ids=[(item_id, None)], folder=account.calendar, only_fields=_SERIES_FIELDS)
    cancelled, moved = recurrence.exceptions_of(master, zone)
    length = _plain_time(master.end) - _plain_time(master.start)
    wanted = {m.on: m for m in rule.moved}
    for day in sorted(set(rule.cancelled) - cancelled):
        _occurrence(master, rule.index_of(day)).delete(send_meeting_cancellations=cancellations)
    for day in sorted(set(wanted) | set(moved)):
        if moved.get(day) != wanted.get(day):  # moved, moved elsewhere, or back to its place
            try:
                index = rule.index_of(day)  # the plan checked the CRM's days
            except RecurrenceError:  # an exception left from an earlier pattern: no occurrence of this one
                continue
            occurrence = _occurrence(master, index)
            start, end = ((wanted[day].starts_at, wanted[day].ends_at) if day in wanted else
                          _original_times(day, master, zone, length))
            occurrence.start, occurrence.end = _ews_time(start, zone), _ews_time(end, values.get("end_time_zone") or zone)
            occurrence.save(update_fields=["start", "end"], conflict_resolution=NEVER_OVERWRITE,
                            send_meeting_invitations=updates)
    [master] = account.fetch(ids=[(item_id, None)], folder=account.calendar, only_fields=["subject"])
    return master.changekey


def _occurrence(master, index: int):
    occurrence = master.occurrence(index)
    occurrence.refresh()  # its own item id: a delete or update by the master's would hit the whole series
    return occurrence


def _original_times(day: date, master, zone, length) -> tuple[datetime, datetime]:
    """Where the occurrence of `day` sits in the series: the master's local time of day on that day."""
    wall = time_zones.local(_plain_time(master.start), zone)
    start = time_zones.utc(datetime.combine(day, wall.time()), zone)
    return start, start + length


def _delete(account, item_id, invite: bool) -> None:
    """Delete the item; a meeting the mailbox organizes is cancelled for its attendees when `invite`."""
    for result in account.bulk_delete(ids=[(item_id, None)], send_meeting_cancellations=SEND_TO_ALL_AND_SAVE_COPY
                                       if invite else SEND_TO_NONE):
        if isinstance(result, Exception) and not isinstance(result, ews.ErrorItemNotFound):
            raise result
