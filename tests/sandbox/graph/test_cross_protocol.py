"""One store, two protocols: what exchangelib makes over EWS (a message, an event, a contact) is read over
Graph with the same Message-ID and categories, and translateExchangeIds maps the EWS ids to the ids Graph
lists; Graph's changes reach EWS, and so do the extended properties Graph writes on contacts and events."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from exchangelib import CalendarItem, Contact, EWSDateTime, Message


def test_items_made_over_ews_are_read_over_graph_and_ids_translate(ann, client):
    address = ann.primary_smtp_address
    message = Message(account=ann, folder=ann.inbox, subject="Made over EWS", body="hello",
                      categories=["CRM"], to_recipients=[address])
    message.save()
    contact = Contact(account=ann, folder=ann.contacts, given_name="Fay", surname="Ola", display_name="Fay Ola")
    contact.save()
    start = EWSDateTime.from_datetime(datetime(2026, 12, 9, 14, tzinfo=UTC))
    event = CalendarItem(account=ann, folder=ann.calendar, subject="Made over EWS too", start=start,
                         end=start + timedelta(hours=1))
    event.save()
    message.refresh()
    listed = client.get(f"/users/{address}/mailFolders/inbox/messages", "page:graph.message").json()["value"]
    [seen] = listed
    assert (seen["subject"], seen["categories"], seen["internetMessageId"]) == (
        "Made over EWS", ["CRM"], message.message_id)
    [graph_contact] = client.get(f"/users/{address}/contacts", "page:graph.contact").json()["value"]
    [graph_event] = client.get(f"/users/{address}/events", "page:graph.event").json()["value"]
    assert (graph_event["subject"], graph_event["start"]["dateTime"][:16]) == ("Made over EWS too", "2026-12-09T14:00")
    translated = client.call("POST", f"/users/{address}/translateExchangeIds", "page:graph.convertIdResult",
                             {"inputIds": [message.id, event.id, contact.id], "sourceIdType": "ewsId",
                              "targetIdType": "restId"}, sends="action:translateExchangeIds@graph.user").json()
    assert [r["targetId"] for r in translated["value"]] == [seen["id"], graph_event["id"], graph_contact["id"]]


def test_a_graph_change_is_seen_over_ews_with_a_new_change_key(ann, client):
    address = ann.primary_smtp_address
    message = Message(account=ann, folder=ann.inbox, subject="Both ways", body="x", to_recipients=[address])
    message.save()
    before = message.changekey
    client.call("PATCH", f"/users/{address}/messages/{message.id}", "graph.message", {"categories": ["Tracked"]},
                headers={"If-Match": f'W/"{before}"'})
    message.refresh()
    assert message.categories == ["Tracked"] and message.changekey != before


REF = "String {5d1b3c4e-7f0a-4c59-9a53-2e6f1c8b0a71} Name crmsyncRef"
FILTER = "singleValueExtendedProperties/Any(ep: ep/id eq '{}' and ep/value eq '{}')"


def _carrying(client, collection: str, kind: str, value: str) -> list[dict]:
    query = f"$filter={FILTER.format(REF, value)}&$expand=singleValueExtendedProperties($filter=id eq '{REF}')"
    return client.get(f"{collection}?{query}", f"page:{kind}").json()["value"]


def test_contacts_and_events_carry_an_extended_property_found_by_filter_and_seen_over_ews(client, sandbox, user):
    """As Graph documents it: written with the item, listed by $filter on its id and value, shown by $expand."""
    stamp = [{"id": REF, "value": "ref-1"}]
    contact = client.call("POST", f"/users/{user}/contacts", "graph.contact", {
        "displayName": "Nameless", "singleValueExtendedProperties": stamp}, sends="graph.contact").json()
    client.call("POST", f"/users/{user}/contacts", "graph.contact", {"displayName": "Other"}, sends="graph.contact")
    event = client.call("POST", f"/users/{user}/events", "graph.event", {
        "subject": "Review", "start": {"dateTime": "2030-03-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-01T10:00:00", "timeZone": "UTC"}, "singleValueExtendedProperties": stamp},
        sends="graph.event").json()
    [found] = _carrying(client, f"/users/{user}/contacts", "graph.contact", "ref-1")
    assert (found["id"], found["singleValueExtendedProperties"]) == (contact["id"], stamp)
    [found] = _carrying(client, f"/users/{user}/events", "graph.event", "ref-1")
    assert (found["id"], found["singleValueExtendedProperties"]) == (event["id"], stamp)
    assert _carrying(client, f"/users/{user}/contacts", "graph.contact", "ref-2") == []
    assert "singleValueExtendedProperties" not in client.get(f"/users/{user}/contacts/{contact['id']}",
                                                             "graph.contact").json()
    expanded = client.get(f"/users/{user}/events/{event['id']}?$expand=singleValueExtendedProperties", "graph.event")
    assert expanded.json()["singleValueExtendedProperties"] == stamp
    assert sorted(i["extended_properties"] for i in sandbox.items(user, "contacts")) == [0, 1]
    refused = client.get(f"/users/{user}/contacts?$filter=displayName eq 'Other'")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest"
    window = "startDateTime=2030-03-01T00:00:00Z&endDateTime=2030-03-02T00:00:00Z"
    in_delta = client.get(f"/users/{user}/calendarView/delta?{window}&$expand=singleValueExtendedProperties")
    assert in_delta.status_code == 400  # delta cannot show them: the connector looks its refs up instead


def test_event_time_zones_and_all_day_events_as_graph_shows_them_and_ews_sees_them(ann, client):
    """Graph takes a time in its zone (IANA or Windows name) and shows times in the zone `Prefer: outlook.timezone`
    asks (UTC by default) with the zones they were set in; an all-day event's days are midnights in any zone."""
    address = ann.primary_smtp_address
    events = f"/users/{address}/events"
    made = client.call("POST", events, "graph.event", {
        "subject": "Flight", "start": {"dateTime": "2030-03-04T08:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2030-03-04T14:00:00", "timeZone": "Eastern Standard Time"}}, sends="graph.event").json()
    assert (made["start"], made["end"]) == ({"dateTime": "2030-03-04T07:00:00.0000000", "timeZone": "UTC"},
                                            {"dateTime": "2030-03-04T19:00:00.0000000", "timeZone": "UTC"})
    assert (made["originalStartTimeZone"], made["originalEndTimeZone"]) == ("W. Europe Standard Time",
                                                                             "Eastern Standard Time")
    in_tokyo = client.get(f"{events}/{made['id']}", "graph.event",
                          headers={"Prefer": 'outlook.timezone="Asia/Tokyo"'}).json()
    assert in_tokyo["start"] == {"dateTime": "2030-03-04T16:00:00.0000000", "timeZone": "Asia/Tokyo"}
    fair = client.call("POST", events, "graph.event", {
        "subject": "Trade fair", "isAllDay": True, "start": {"dateTime": "2030-03-04T00:00:00", "timeZone": "Europe/Berlin"},
        "end": {"dateTime": "2030-03-06T00:00:00", "timeZone": "Europe/Berlin"}}, sends="graph.event").json()
    for prefer in ({}, {"Prefer": 'outlook.timezone="Pacific Standard Time"'}):
        shown = client.get(f"{events}/{fair['id']}", "graph.event", headers=prefer).json()
        assert shown["isAllDay"] and (shown["start"]["dateTime"], shown["end"]["dateTime"]) == (
            "2030-03-04T00:00:00.0000000", "2030-03-06T00:00:00.0000000")
    flight, trade_fair = (ann.calendar.get(id=made["id"]), ann.calendar.get(id=fair["id"]))  # over EWS
    assert (flight._start_timezone.key, flight._end_timezone.key) == ("Europe/Berlin", "America/New_York")
    assert flight.start == datetime(2030, 3, 4, 7, tzinfo=UTC)
    assert trade_fair.is_all_day and (trade_fair.start, trade_fair.end) == (date(2030, 3, 4), date(2030, 3, 5))
    refused = client.call("POST", events, None, {
        "subject": "Half day", "isAllDay": True, "start": {"dateTime": "2030-03-04T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-05T00:00:00", "timeZone": "UTC"}}, sends="graph.event")
    assert refused.status_code == 400
    unknown = client.call("POST", events, None, {
        "subject": "Somewhere", "start": {"dateTime": "2030-03-04T09:00:00", "timeZone": "Mars/Olympus_Mons"},
        "end": {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"}}, sends="graph.event")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "TimeZoneNotSupportedException"
