"""Events over Graph: a calendar's events (single ones and series masters, filtered on an extended property),
one event, create, PATCH, DELETE, calendarView (series expanded into occurrences in a window) and its delta;
$expand shows single-value extended properties. Times are shown in the zone `Prefer: outlook.timezone` names
(UTC by default), with the zones they were set in as originalStartTimeZone/originalEndTimeZone; an all-day
event shows its days as midnights. Occurrences are computed from the
master's recurrence as the EWS sandbox's CalendarView computes them, with the same ids (master~index); a
series' exceptions and cancelled occurrences are the store's, read and written through series.py. An event
with attendees is a meeting the mailbox organizes, run by the EWS sandbox's meetings.py as Graph runs one:
its POST invites the attendees, a PATCH tells them what changed (one occurrence's, that occurrence's), a
DELETE cancels it for them; each attendee's answer shows as its `status`."""
from __future__ import annotations

import copy
from datetime import datetime

from .. import items as it
from .. import meetings
from ..recurrence import master_times
from ..soap import T_NS, parse_time, sub, t, xml_time
from ..store import Folder, Item, new_id
from . import extended, series, zones
from .call import Call
from .delta import delta
from .mail import check_change_key
from .messages import categories
from .replies import GraphError, etag, graph_time

NOT_FOUND = "The specified object was not found in the store."
PATTERNS = {"DailyRecurrence": "daily", "WeeklyRecurrence": "weekly", "AbsoluteMonthlyRecurrence": "absoluteMonthly"}
RANGES = {"numbered": "NumberedRecurrence", "endDate": "EndDateRecurrence", "noEnd": "NoEndRecurrence"}
ATTENDEES = {"required": "RequiredAttendees", "optional": "OptionalAttendees"}  # Graph's type → EWS's field
# EWS's ResponseType → Graph's responseType
RESPONSES = {"Unknown": "none", "Organizer": "organizer", "Tentative": "tentativelyAccepted", "Accept": "accepted",
             "Decline": "declined", "NoResponseReceived": "notResponded"}
SENT = "SendToChangedAndSaveCopy"  # Graph tells a meeting's attendees of each change, keeping a copy in Sent Items


def _own_zones(item: Item) -> tuple[str, str]:
    """The Windows ids of the zones the event's start and end were set in (UTC when none)."""
    start, end = item.fields.get("StartTimeZone"), item.fields.get("EndTimeZone")
    start_id = start.get("Id") if start is not None and start.get("Id") else "UTC"
    return start_id, end.get("Id") if end is not None and end.get("Id") else start_id


def _when(moment: datetime, view: str, all_day_in: str | None) -> dict:
    """A dateTimeTimeZone in the zone the client asked for (Prefer: outlook.timezone, else UTC); an all-day
    event's day shows as that day's midnight whatever the zone, as Graph shows it."""
    if all_day_in is not None:
        clock = datetime.combine(zones.wall_clock(moment, all_day_in).date(), datetime.min.time())
    else:
        clock = zones.wall_clock(moment, view)
    return {"dateTime": clock.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": view}


def _recurrence(item: Item) -> dict | None:
    rec = item.fields.get("Recurrence")
    if rec is None:
        return None
    pattern = next((c for c in rec if isinstance(c.tag, str) and c.tag.split("}")[1] in PATTERNS), None)
    if pattern is None:
        return None
    kind = pattern.tag.split("}")[1]
    graph_pattern = {"type": PATTERNS[kind], "interval": int(pattern.findtext(f"{{{T_NS}}}Interval") or "1")}
    if kind == "WeeklyRecurrence":
        graph_pattern["daysOfWeek"] = [d.lower() for d in (pattern.findtext(f"{{{T_NS}}}DaysOfWeek") or "").split()]
        graph_pattern["firstDayOfWeek"] = (pattern.findtext(f"{{{T_NS}}}FirstDayOfWeek") or "Sunday").lower()
    if kind == "AbsoluteMonthlyRecurrence":
        graph_pattern["dayOfMonth"] = int(pattern.findtext(f"{{{T_NS}}}DayOfMonth") or "1")
    start = (rec.findtext(f".//{{{T_NS}}}StartDate") or "")[:10]
    number, end = rec.findtext(f".//{{{T_NS}}}NumberOfOccurrences"), rec.findtext(f".//{{{T_NS}}}EndDate")
    graph_range = {"type": "numbered" if number else "endDate" if end else "noEnd", "startDate": start,
                   "recurrenceTimeZone": _own_zones(item)[0]}
    if number:
        graph_range["numberOfOccurrences"] = int(number)
    if end:
        graph_range["endDate"] = end[:10]
    return {"pattern": graph_pattern, "range": graph_range}


def event_json(item: Item, call: Call, kind: str | None = None, master_id: str | None = None,
               original_start: datetime | None = None) -> dict:
    """An event's JSON: a single one or a master (kind None), or an occurrence or exception of master_id."""
    times = master_times(item.fields)
    body = item.fields.get("Body")
    organizer = it.addresses(item, "Organizer")
    is_master = kind is None and "Recurrence" in item.fields
    view, all_day = call.prefer("outlook.timezone") or "UTC", item.text("IsAllDayEvent") == "true"
    start_zone, end_zone = _own_zones(item)
    values = {
        "id": item.id, "changeKey": item.change_key, "createdDateTime": graph_time(item.created),
        "lastModifiedDateTime": graph_time(item.modified), "categories": categories(item),
        "subject": item.text("Subject") or "", "iCalUId": item.text("UID"),
        "body": {"contentType": "html" if body is not None and body.get("BodyType") == "HTML" else "text",
                 "content": body.text or "" if body is not None else ""},
        "start": _when(times[0], view, start_zone if all_day else None) if times else None,
        "end": _when(times[1], view, end_zone if all_day else None) if times else None,
        "originalStartTimeZone": start_zone, "originalEndTimeZone": end_zone,
        "location": {"displayName": item.text("Location") or ""},
        "organizer": {"emailAddress": {"name": organizer[0][0] or organizer[0][1], "address": organizer[0][1]}}
        if organizer else None,
        "attendees": _attendees(item),
        "isOrganizer": not organizer or organizer[0][1].lower() == call.mailbox.address.lower(),
        "responseStatus": {"response": RESPONSES.get(item.text("MyResponseType") or "", "none")},
        "type": kind or ("seriesMaster" if is_master else "singleInstance"),
        "seriesMasterId": master_id, "isAllDay": all_day, "isCancelled": item.text("IsCancelled") == "true",
        "recurrence": _recurrence(item) if is_master else None,
    }
    if original_start is not None:
        values["originalStart"] = graph_time(original_start)
    select = call.select()
    if is_master and select and "cancelledOccurrences" in select:  # as Graph: on $select only
        values["cancelledOccurrences"] = series.cancelled(item, start_zone)
    wanted = set(select) | {"id"} if select else set(values)
    return {"@odata.etag": etag(item.change_key), **{k: v for k, v in values.items() if k in wanted}}


def _attendees(item: Item) -> list[dict]:
    """Graph's attendees, each with the answer the organizer's item keeps (EWS's ResponseType)."""
    out = []
    for kind, name in ATTENDEES.items():
        holder = item.fields.get(name)
        for attendee in holder.iter(f"{{{T_NS}}}Attendee") if holder is not None else ():
            address = attendee.findtext(f"{{{T_NS}}}Mailbox/{{{T_NS}}}EmailAddress") or ""
            shown = attendee.findtext(f"{{{T_NS}}}Mailbox/{{{T_NS}}}Name") or address
            status = {"response": RESPONSES.get(attendee.findtext(f"{{{T_NS}}}ResponseType") or "", "none")}
            if attendee.findtext(f"{{{T_NS}}}LastResponseTime"):
                status["time"] = attendee.findtext(f"{{{T_NS}}}LastResponseTime")
            out.append({"type": kind, "emailAddress": {"name": shown, "address": address}, "status": status})
    return out


def _window(call: Call) -> tuple[datetime, datetime]:
    try:
        return parse_time(call.query["startDateTime"]), parse_time(call.query["endDateTime"])
    except (KeyError, ValueError):
        raise GraphError(400, "ErrorInvalidParameter", "This request requires a time window specified by the "
                         "query string parameters StartDateTime and EndDateTime.") from None


def in_view(item: Item, call: Call) -> list[dict]:
    """What calendarView shows of an item in the window: it, or its occurrences there."""
    window_start, window_end = _window(call)
    times = master_times(item.fields)
    if times is None:
        return []
    if "Recurrence" not in item.fields:
        return [event_json(item, call)] if times[0] < window_end and times[1] > window_start else []
    return [_instance_json(item, occurrence, index, original, call)
            for occurrence, index, original in series.in_window(item, window_start, window_end)]


def _instance_json(master: Item, occurrence: Item, index: int, original: datetime, call: Call) -> dict:
    kind = "exception" if master.exceptions.get(index) else "occurrence"
    return event_json(occurrence, call, kind, master.id, original)


def _calendar(call: Call) -> Folder:
    folder = call.folder(call.params.get("folder", "calendar"))
    if folder.element != "CalendarFolder":
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return folder


def _events(call: Call) -> list[Item]:
    return sorted((i for i in call.mailbox.items_in(_calendar(call)) if i.element == "CalendarItem"),
                  key=lambda i: i.created_seq)


def list_events(call: Call) -> tuple[int, dict]:
    keep = extended.carrying(call.query.get("$filter"))
    return 200, {"@odata.context": call.context("Collection(event)"),
                 "value": [extended.expand(event_json(i, call), i, call) for i in _events(call) if keep(i)]}


def calendar_view(call: Call) -> tuple[int, dict]:
    value = [entry for i in _events(call) for entry in in_view(i, call)]
    value.sort(key=lambda e: e["start"]["dateTime"])
    return 200, {"@odata.context": call.context("Collection(event)"), "value": value}


def _find(call: Call) -> Item:
    item = call.mailbox.items.get(call.params["event"])
    if item is None or item.element != "CalendarItem":
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return item


def get_event(call: Call) -> tuple[int, dict]:
    found = series.occurrence_of(call.mailbox, call.params["event"])
    if found is not None:
        master, index, original = found
        entry = _instance_json(master, series.shown(master, index, original), index, original[0], call)
        return 200, {"@odata.context": call.context("events/$entity"), **entry}
    item = _find(call)
    wanted = series.expanded(call.query.get("$expand"))
    if wanted is None:
        return 200, {"@odata.context": call.context("events/$entity"),
                     **extended.expand(event_json(item, call), item, call)}
    reply = event_json(item, call)
    if "Recurrence" in item.fields:  # $expand=exceptionOccurrences($select=...)
        inner = Call(call.store, call.base, call.method, call.path, {**call.query, "$select": ",".join(wanted)},
                     call.headers, mailbox=call.mailbox)
        reply["exceptionOccurrences"] = [_instance_json(item, occurrence, index, original, inner)
                                         for occurrence, index, original in series.exceptions(item)]
    return 200, {"@odata.context": call.context("events/$entity"), **reply}


def instances(call: Call) -> tuple[int, dict]:
    master = _find(call)
    return 200, {"@odata.context": call.context("Collection(event)"), "value": in_view(master, call)
                 if "Recurrence" in master.fields else []}


def _apply(item: Item, body: dict) -> None:
    unknown = set(body) - {"subject", "body", "start", "end", "isAllDay", "location", "categories", "recurrence",
                           "attendees", "@odata.type", extended.NAME}
    if unknown:
        raise GraphError(501, "NotImplemented", f"The Graph sandbox does not implement writing "
                         f"'{sorted(unknown)[0]}' of an event.")
    f = item.fields
    if "subject" in body:
        f["Subject"] = t("Subject", body["subject"] or "")
    if "body" in body:
        content = body["body"] or {}
        f["Body"] = t("Body", content.get("content") or "",
                      BodyType="HTML" if (content.get("contentType") or "").lower() == "html" else "Text")
    for name in ("Start", "End"):  # an instant, and the zone it was set in as EWS keeps it
        if name.lower() in body:
            when = body[name.lower()] or {}
            f[name] = t(name, xml_time(zones.instant(when)))
            f[f"{name}TimeZone"] = t(f"{name}TimeZone", Id=zones.windows_id(when.get("timeZone")))
    if "isAllDay" in body:
        f["IsAllDayEvent"] = t("IsAllDayEvent", "true" if body["isAllDay"] else "false")
    if "location" in body:
        f["Location"] = t("Location", (body["location"] or {}).get("displayName") or "")
    if "categories" in body:
        holder = t("Categories")
        for c in body["categories"] or []:
            sub(holder, "t", "String", c)
        f["Categories"] = holder
    if "attendees" in body:
        holders = {name: t(name) for name in ATTENDEES.values()}
        for who in body["attendees"] or []:
            box = who.get("emailAddress") or {}
            holder = holders[ATTENDEES.get(who.get("type") or "required", "RequiredAttendees")]
            it.mailbox_xml(sub(holder, "t", "Attendee"), box.get("name"), box.get("address", ""))
        for name, holder in holders.items():  # EWS has no empty attendee list: none is no element
            if len(holder):
                f[name] = holder
            else:
                f.pop(name, None)
    if "recurrence" in body:
        if body["recurrence"]:
            f["Recurrence"] = _ews_recurrence(body["recurrence"])
        else:
            f.pop("Recurrence", None)
    extended.write(item, body.get(extended.NAME))
    times = master_times(f)
    if item.text("IsAllDayEvent") == "true" and times is not None and any(
            zones.wall_clock(moment, zone).time() != datetime.min.time() for moment, zone in zip(
                times, _own_zones(item), strict=True)):
        raise GraphError(400, "ErrorInvalidRequest", "An all-day event's start and end must be at midnight in "
                         "their time zone.")


def _ews_recurrence(graph: dict):
    """EWS's Recurrence element of a Graph patternedRecurrence (the patterns and ranges _recurrence reads)."""
    pattern, rng = graph.get("pattern") or {}, graph.get("range") or {}
    kind = {v: k for k, v in PATTERNS.items()}.get(pattern.get("type"))
    if kind is None or rng.get("type") not in RANGES:
        raise GraphError(501, "NotImplemented", "The Graph sandbox keeps daily, weekly and absoluteMonthly "
                         "series with a numbered, endDate or noEnd range only.")
    rec = t("Recurrence")
    ews_pattern = sub(rec, "t", kind)
    sub(ews_pattern, "t", "Interval", str(pattern.get("interval", 1)))
    if kind == "WeeklyRecurrence":
        sub(ews_pattern, "t", "DaysOfWeek", " ".join(d.capitalize() for d in pattern.get("daysOfWeek") or []))
        sub(ews_pattern, "t", "FirstDayOfWeek", (pattern.get("firstDayOfWeek") or "sunday").capitalize())
    if kind == "AbsoluteMonthlyRecurrence":
        sub(ews_pattern, "t", "DayOfMonth", str(pattern.get("dayOfMonth", 1)))
    ews_range = sub(rec, "t", RANGES[rng["type"]])
    sub(ews_range, "t", "StartDate", f"{rng['startDate']}Z")  # xs:date with its zone, as EWS clients write it
    if rng["type"] == "numbered":
        sub(ews_range, "t", "NumberOfOccurrences", str(rng["numberOfOccurrences"]))
    if rng["type"] == "endDate":
        sub(ews_range, "t", "EndDate", f"{rng['endDate']}Z")
    return rec


def create_event(call: Call) -> tuple[int, dict]:
    mailbox = call.mailbox
    item = Item(new_id("AAMkI", mailbox.tag), "CalendarItem", "", {})
    _apply(item, call.json_body())
    if master_times(item.fields) is None:
        raise GraphError(400, "ErrorInvalidRequest", "An event needs its start and end.")
    item.fields["UID"] = t("UID", item.id)
    holder = t("Organizer")
    it.mailbox_xml(holder, mailbox.name, mailbox.address)
    item.fields["Organizer"] = holder
    to = meetings.attendees(item)
    if to:  # an event with attendees is a meeting: Graph sends the invitations
        meetings.organize(item, mailbox)
    mailbox.put_item(item, _calendar(call))
    if to:
        meetings.invite(call.store, mailbox, item, to, "NewMeetingRequest", True)
    return 201, {"@odata.context": call.context("events/$entity"), **event_json(item, call)}


def patch_event(call: Call) -> tuple[int, dict]:
    found = series.occurrence_of(call.mailbox, call.params["event"])
    if found is not None:  # one occurrence: it becomes an exception of its series
        master, index, original = found
        changed = series.change(call.mailbox, master, index, original, call.json_body(), _apply)
        if meetings.organized_by(master, call.mailbox):  # the attendees hear of that occurrence alone
            meetings.occurrence_changed(call.store, call.mailbox, master, index, True)
        return 200, {"@odata.context": call.context("events/$entity"),
                     **_instance_json(master, changed, index, original[0], call)}
    item = _find(call)
    check_change_key(call, item)
    before = copy.deepcopy(item)
    _apply(item, call.json_body())
    if meetings.organized_by(before, call.mailbox):  # Graph tells the attendees what changed for them
        meetings.updated(call.store, call.mailbox, before, item, SENT)
    elif before.text("IsMeeting") != "true" and (to := meetings.attendees(item)):  # attendees make it a meeting
        meetings.organize(item, call.mailbox)
        meetings.invite(call.store, call.mailbox, item, to, "NewMeetingRequest", True)
    call.mailbox.touch_item(item)
    return 200, {"@odata.context": call.context("events/$entity"), **event_json(item, call)}


def delete_event(call: Call) -> tuple[int, None]:
    """As Exchange Online does: the event moves to Deleted Items (its calendar syncs a delete); one occurrence
    is cancelled in its series."""
    found = series.occurrence_of(call.mailbox, call.params["event"])
    if found is not None:
        if meetings.organized_by(found[0], call.mailbox):
            meetings.occurrence_cancelled(call.store, call.mailbox, found[0], found[1], True)
        series.cancel(call.mailbox, found[0], found[1])
        return 204, None
    item = _find(call)
    if meetings.organized_by(item, call.mailbox):  # as Graph: the organizer's delete cancels the meeting
        meetings.cancel(call.store, call.mailbox, item, meetings.attendees(item), True)
    call.mailbox.move_item(item, call.folder("deleteditems"))
    return 204, None


ANSWERS = {"accept": "AcceptItem", "tentativelyAccept": "TentativelyAcceptItem", "decline": "DeclineItem"}


def answer(call: Call, action: str) -> tuple[int, None]:
    """An attendee's accept, tentativelyAccept or decline of a meeting in their calendar, sent to the organizer
    (with a copy in Sent Items) unless sendResponse is false."""
    body = call.json_body() if call.body is not None else {}
    send = body.get("sendResponse", body.get("SendResponse", True))
    try:
        meetings.respond(call.store, call.mailbox, _find(call), ANSWERS[action],
                         call.folder("sentitems") if send else None)
    except it.ItemError as error:
        raise GraphError(400, "ErrorInvalidRequest", str(error)) from None
    return 202, None


def accept_event(call: Call) -> tuple[int, None]:
    return answer(call, "accept")


def tentatively_accept_event(call: Call) -> tuple[int, None]:
    return answer(call, "tentativelyAccept")


def decline_event(call: Call) -> tuple[int, None]:
    return answer(call, "decline")


def view_delta(call: Call):
    if "$expand" in call.query:  # as Graph: delta returns no extended properties (a client looks them up)
        raise GraphError(400, "ErrorInvalidUrlQuery", "The following parameters are not supported with change "
                         "tracking over the 'CalendarView' resource: '$expand'.")
    if "$deltatoken" not in call.query and "$skiptoken" not in call.query:
        _window(call)  # the round's first request names the window; its tokens carry it on
    return delta(call, _calendar, "event", lambda item: in_view(item, call), lambda i: i.element == "CalendarItem")
