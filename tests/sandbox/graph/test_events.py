"""Events over Graph: singles and series masters, calendarView expanding a series into occurrences,
instances, create and PATCH, and calendarView/delta carrying its window through its tokens."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 12, 7, 9, tzinfo=UTC)
WINDOW = "startDateTime=2026-12-07T00:00:00Z&endDateTime=2026-12-10T00:00:00Z"


def test_events_list_masters_and_calendar_view_expands_occurrences(client, sandbox, user):
    single = sandbox.add_calendar_item(user, subject="Review", start=START + timedelta(hours=4),
                                       end=START + timedelta(hours=5), location="Room 1", organizer=user,
                                       attendees=["dana@x.test"])
    series = sandbox.add_calendar_item(user, subject="Stand-up", start=START, end=START + timedelta(minutes=15),
                                       daily_occurrences=5)
    listed = {e["id"]: e for e in client.get(f"/users/{user}/events", "page:graph.event").json()["value"]}
    assert (listed[single]["type"], listed[series]["type"]) == ("singleInstance", "seriesMaster")
    assert listed[series]["recurrence"]["range"] == {"type": "numbered", "startDate": "2026-12-07",
                                                     "recurrenceTimeZone": "UTC", "numberOfOccurrences": 5}
    assert listed[single]["attendees"][0]["emailAddress"]["address"] == "dana@x.test"
    view = client.get(f"/users/{user}/calendarView?{WINDOW}", "page:graph.event").json()["value"]
    assert [(e["subject"], e["type"], e["start"]["dateTime"][:16]) for e in view] == [
        ("Stand-up", "occurrence", "2026-12-07T09:00"), ("Review", "singleInstance", "2026-12-07T13:00"),
        ("Stand-up", "occurrence", "2026-12-08T09:00"), ("Stand-up", "occurrence", "2026-12-09T09:00")]
    assert {e["seriesMasterId"] for e in view if e["type"] == "occurrence"} == {series}
    instances = client.get(f"/users/{user}/events/{series}/instances?{WINDOW}", "page:graph.event").json()
    assert len(instances["value"]) == 3
    missing = client.get(f"/users/{user}/calendarView")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "ErrorInvalidParameter"


def test_create_patch_and_calendar_view_delta(client, sandbox, user):
    made = client.call("POST", f"/users/{user}/events", "graph.event", {
        "subject": "Visit", "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-08T11:00:00", "timeZone": "UTC"}, "location": {"displayName": "Site"}},
        sends="graph.event").json()
    assert made["type"] == "singleInstance" and [i["subject"] for i in sandbox.items(user, "calendar")] == ["Visit"]
    url = f"/users/{user}/calendarView/delta?{WINDOW}"
    first = client.get(url, "delta:graph.event").json()
    assert [e["id"] for e in first["value"]] == [made["id"]]
    series = sandbox.add_calendar_item(user, subject="Daily", start=START, end=START + timedelta(minutes=30),
                                       daily_occurrences=2)
    client.call("PATCH", f"/users/{user}/events/{made['id']}", "graph.event", {"subject": "Visit (moved)"},
                sends="graph.event", headers={"If-Match": made["@odata.etag"]})
    changes = client.get(first["@odata.deltaLink"], "delta:graph.event").json()["value"]
    assert sorted((e["subject"], e["type"]) for e in changes) == [
        ("Daily", "occurrence"), ("Daily", "occurrence"), ("Visit (moved)", "singleInstance")]
    assert {e.get("seriesMasterId") for e in changes} == {None, series}


def test_weekly_and_monthly_series_optional_attendees_and_delete(client, sandbox, user):
    weekly = {"pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "thursday"],
                          "firstDayOfWeek": "monday"},
              "range": {"type": "endDate", "startDate": "2026-12-07", "endDate": "2027-01-31",
                        "recurrenceTimeZone": "UTC"}}
    made = client.call("POST", f"/users/{user}/events", "graph.event", {
        "subject": "Sync", "start": {"dateTime": "2026-12-07T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-07T09:30:00", "timeZone": "UTC"}, "recurrence": weekly,
        "attendees": [{"type": "required", "emailAddress": {"address": "dana@x.test"}},
                      {"type": "optional", "emailAddress": {"address": "eli@x.test", "name": "Eli"}}]},
        sends="graph.event").json()
    assert made["recurrence"]["pattern"] == {**weekly["pattern"]} and made["recurrence"]["range"]["type"] == "endDate"
    assert [(a["type"], a["emailAddress"]["address"]) for a in made["attendees"]] == [
        ("required", "dana@x.test"), ("optional", "eli@x.test")]
    view = client.get(f"/users/{user}/calendarView?{WINDOW}", "page:graph.event").json()["value"]
    assert [e["start"]["dateTime"][:10] for e in view] == ["2026-12-07"]  # Thursday the 10th is past the window
    monthly = client.call("PATCH", f"/users/{user}/events/{made['id']}", "graph.event", {"recurrence": {
        "pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 7},
        "range": {"type": "noEnd", "startDate": "2026-12-07", "recurrenceTimeZone": "UTC"}}},
        sends="graph.event", headers={"If-Match": made["@odata.etag"]}).json()
    assert (monthly["recurrence"]["pattern"]["dayOfMonth"], monthly["recurrence"]["range"]["type"]) == (7, "noEnd")
    first = client.get(f"/users/{user}/calendarView/delta?{WINDOW}", "delta:graph.event").json()
    gone = client.call("DELETE", f"/users/{user}/events/{made['id']}")
    assert gone.status_code == 204 and gone.content == b""
    assert sandbox.items(user, "calendar") == [] and [i["subject"] for i in sandbox.items(user, "deleteditems")] == [
        "Sync"]
    removed = client.get(first["@odata.deltaLink"], "delta:graph.event").json()["value"]
    assert removed == [{"@odata.type": "#microsoft.graph.event", "id": made["id"], "@removed": {"reason": "deleted"}}]


def test_a_moved_and_a_cancelled_occurrence_are_the_series_exceptions(client, sandbox, user):
    """A PATCH of one occurrence makes it an exception, a DELETE cancels it; calendarView shows the exception
    where it is now and not the cancelled one; the master tells both (cancelledOccurrences on $select,
    exceptionOccurrences on $expand); the store keeps them as EWS's modified and deleted occurrences."""
    series = sandbox.add_calendar_item(user, subject="Stand-up", start=START, end=START + timedelta(minutes=15),
                                       daily_occurrences=5)
    view = client.get(f"/users/{user}/calendarView?{WINDOW}", "page:graph.event").json()["value"]
    second, third = view[1]["id"], view[2]["id"]
    assert view[1]["originalStart"] == "2026-12-08T09:00:00Z"
    moved = client.call("PATCH", f"/users/{user}/events/{second}", "graph.event", {
        "start": {"dateTime": "2026-12-08T11:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-08T11:30:00", "timeZone": "UTC"}}, sends="graph.event").json()
    assert (moved["type"], moved["seriesMasterId"], moved["start"]["dateTime"][:16]) == (
        "exception", series, "2026-12-08T11:00")
    assert client.call("DELETE", f"/users/{user}/events/{third}").status_code == 204
    view = client.get(f"/users/{user}/calendarView?{WINDOW}", "page:graph.event").json()["value"]
    assert [(e["type"], e["start"]["dateTime"][:16], e["originalStart"]) for e in view] == [
        ("occurrence", "2026-12-07T09:00", "2026-12-07T09:00:00Z"),
        ("exception", "2026-12-08T11:00", "2026-12-08T09:00:00Z")]
    master = client.get(f"/users/{user}/events/{series}?$select=subject,cancelledOccurrences&"
                        "$expand=exceptionOccurrences($select=start,end,originalStart)", "graph.event").json()
    assert master["cancelledOccurrences"] == [f"OID.{series}.2026-12-09"]
    assert [(e["id"], e["end"]["dateTime"][:16], e["originalStart"]) for e in master["exceptionOccurrences"]] == [
        (second, "2026-12-08T11:30", "2026-12-08T09:00:00Z")]
    assert "cancelledOccurrences" not in client.get(f"/users/{user}/events/{series}", "graph.event").json()
    gone = client.get(f"/users/{user}/events/{third}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"
    refused = client.call("PATCH", f"/users/{user}/events/{second}", None, {"recurrence": None}, sends="graph.event")
    assert refused.status_code == 400
    stored = sandbox.store.get(user).items[series]
    assert stored.exceptions[3] is None and set(stored.exceptions[2]) >= {"Start", "End"}


def test_an_event_with_attendees_is_a_meeting_graph_runs(client, sandbox, user):
    """POST invites the attendees (a MeetingRequest in each sandbox inbox, the meeting in their calendar), their
    answers show as each attendee's status on the organizer's event, a PATCH updates them, a DELETE cancels it."""
    dana = f"dana-{user}"
    sandbox.add_mailbox(dana, "pw", name="Dana")
    made = client.call("POST", f"/users/{user}/events", "graph.event", {
        "subject": "Review", "start": {"dateTime": "2026-12-08T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-08T11:00:00", "timeZone": "UTC"},
        "attendees": [{"type": "required", "emailAddress": {"address": dana}},
                      {"type": "optional", "emailAddress": {"address": "eve@elsewhere.test"}}]},
        sends="graph.event").json()
    assert made["isOrganizer"] and [a["status"]["response"] for a in made["attendees"]] == ["none", "none"]
    assert [i["type"] for i in sandbox.items(dana)] == ["MeetingRequest"]
    [copy] = client.get(f"/users/{dana}/events", "page:graph.event").json()["value"]
    assert (copy["isOrganizer"], copy["responseStatus"]["response"], copy["iCalUId"]) == (
        False, "notResponded", made["iCalUId"])
    assert client.call("POST", f"/users/{dana}/events/{copy['id']}/accept", None, {"sendResponse": True},
                       sends="action:accept@graph.event").status_code == 202
    mine = client.get(f"/users/{user}/events/{made['id']}", "graph.event").json()
    assert {a["emailAddress"]["address"]: a["status"]["response"] for a in mine["attendees"]} == {
        dana: "accepted", "eve@elsewhere.test": "none"}
    client.call("PATCH", f"/users/{user}/events/{made['id']}", "graph.event", {"location": {"displayName": "Room 2"}},
                sends="graph.event")
    assert [i["subject"] for i in sandbox.items(dana) if i["type"] == "MeetingRequest"] == ["Review"]  # the update
    assert client.call("DELETE", f"/users/{user}/events/{made['id']}").status_code == 204
    assert "MeetingCancellation" in [i["type"] for i in sandbox.items(dana)]
    assert client.get(f"/users/{dana}/events/{copy['id']}", "graph.event").json()["isCancelled"] is True


def test_a_series_keeps_its_local_time_across_a_daylight_saving_change(client, sandbox, user):
    """As Exchange Online expands a series on the clock of its start zone: a weekly 09:00 Berlin meeting stays
    09:00 local across the last Sunday of March 2027 (the 28th), so its UTC start moves from 08:00 to 07:00."""
    weekly = {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
              "range": {"type": "numbered", "startDate": "2027-03-15", "numberOfOccurrences": 4,
                        "recurrenceTimeZone": "Europe/Berlin"}}
    made = client.call("POST", f"/users/{user}/events", "graph.event", {
        "subject": "Jour fixe", "start": {"dateTime": "2027-03-15T09:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2027-03-15T10:00:00", "timeZone": "Europe/Berlin"}, "recurrence": weekly},
        sends="graph.event").json()
    window = "startDateTime=2027-03-01T00:00:00Z&endDateTime=2027-04-30T00:00:00Z"
    in_utc = ["2027-03-15T08:00", "2027-03-22T08:00", "2027-03-29T07:00", "2027-04-05T07:00"]
    for url in (f"/users/{user}/calendarView?{window}", f"/users/{user}/events/{made['id']}/instances?{window}"):
        shown = client.get(url, "page:graph.event").json()["value"]
        assert [(e["start"]["dateTime"][:16], e["end"]["dateTime"][:16]) for e in shown] == [
            (start, start[:11] + f"{int(start[11:13]) + 1:02}:00") for start in in_utc]
        local = client.get(url, "page:graph.event", headers={"Prefer": 'outlook.timezone="Europe/Berlin"'})
        assert {e["start"]["dateTime"][11:16] for e in local.json()["value"]} == {"09:00"}
    third = client.get(f"/users/{user}/events/{made['id']}~3", "graph.event").json()
    assert (third["start"]["dateTime"][:16], third["originalStart"]) == ("2027-03-29T07:00", "2027-03-29T07:00:00Z")
