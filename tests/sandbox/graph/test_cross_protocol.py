"""One store, two protocols: what exchangelib makes over EWS (a message, an event, a contact) is read over
Graph with the same Message-ID and categories, and translateExchangeIds maps the EWS ids to the ids Graph
lists; Graph's changes reach EWS."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
