"""Change kinds and notifications as Exchange gives them (issue 21, items 3 and 6): a read flag alone is a
ReadFlagChange; a streaming subscription's watermark moves only once its events were written to an open
connection, so a reconnect delivers every event once."""
from __future__ import annotations

import asyncio
import base64
import socket
import ssl

from exchangelib import Message
from exchangelib.folders import FolderCollection

from tests.waiting import until


def _sync(folder, state):
    changes = list(folder.sync_items(sync_state=state, only_fields=["subject"]))
    return [(kind, item[1] if kind == "read_flag_change" else item.subject) for kind, item in changes], \
        folder.item_sync_state


def test_a_read_flag_alone_is_a_read_flag_change(sandbox, ann):
    sandbox.add_message(ann.primary_smtp_address, subject="mail", body="x")
    _, state = _sync(ann.inbox, None)
    message = ann.inbox.get(subject="mail")
    message.is_read = True
    message.save(update_fields=["is_read"])
    changes, state = _sync(ann.inbox, state)
    assert changes == [("read_flag_change", True)]
    message = ann.inbox.get(subject="mail")
    message.is_read, message.subject = False, "mail, renamed"
    message.save(update_fields=["is_read", "subject"])
    changes, state = _sync(ann.inbox, state)
    assert changes == [("update", "mail, renamed")]
    assert _sync(ann.inbox, state)[0] == []


def _streaming_request(sub_id: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
  xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
<s:Header><t:RequestServerVersion Version="Exchange2016"/></s:Header>
<s:Body><m:GetStreamingEvents><m:SubscriptionIds><t:SubscriptionId>{sub_id}</t:SubscriptionId></m:SubscriptionIds>
<m:ConnectionTimeout>1</m:ConnectionTimeout></m:GetStreamingEvents></s:Body></s:Envelope>""".encode()


def _open_stream_and_hang_up(sandbox, address: str, password: str, sub_id: str) -> None:
    """A client that starts GetStreamingEvents, reads the reply's headers and goes away."""
    body = _streaming_request(sub_id)
    auth = base64.b64encode(f"{address}:{password}".encode()).decode()
    context = ssl.create_default_context(cafile=sandbox.ca_file)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=sandbox.host) as tls:
        tls.sendall(b"POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\n"
                    b"Content-Type: text/xml; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s"
                    % (sandbox.host.encode(), auth.encode(), len(body), body))
        head = b""
        while b"\r\n\r\n" not in head:
            head += tls.recv(4096)
        assert head.startswith(b"HTTP/1.1 200")


def _wait_for(condition, what: str) -> None:
    asyncio.run(until(condition, what))


def test_events_written_to_a_closed_connection_come_on_the_next(sandbox, ann):
    sandbox.streaming_limit = 0.5
    sub_id = ann.inbox.subscribe_to_streaming()
    before = sandbox.open_connections()  # exchangelib's own, kept alive
    _open_stream_and_hang_up(sandbox, ann.primary_smtp_address, "ann-pw", sub_id)
    _wait_for(lambda: sandbox.open_connections() <= before, "the server to see the hang-up")
    sandbox.add_message(ann.primary_smtp_address, subject="while away", body="x")
    _wait_for(lambda: sandbox.open_streams == 0, "the abandoned stream to end on writing the event")
    events = [(type(e).__name__, e.item_id.id) for n in ann.inbox.get_streaming_events(sub_id, connection_timeout=1)
              for e in n.events]
    item_id = sandbox.items(ann.primary_smtp_address)[0]["id"]
    assert events == [("CreatedEvent", item_id), ("NewMailEvent", item_id)]
    assert [e for n in ann.inbox.get_streaming_events(sub_id, connection_timeout=1) for e in n.events] == []
    ann.inbox.unsubscribe(sub_id)


def test_reconnects_deliver_each_event_once(sandbox, ann):
    sandbox.streaming_limit = 0.3
    sub_id = ann.inbox.subscribe_to_streaming()
    seen = []
    for round_ in range(3):
        Message(account=ann, folder=ann.inbox, subject=f"round {round_}", body="x").save()
        seen += [type(e).__name__ for n in ann.inbox.get_streaming_events(sub_id, connection_timeout=1)
                 for e in n.events]
    assert seen == ["CreatedEvent", "NewMailEvent"] * 3
    ann.inbox.unsubscribe(sub_id)



def test_a_move_is_one_moved_event_to_a_subscription_on_either_folder(sandbox, ann):
    """Exchange reports a moved item as one MovedEvent (its new id and folder, its old id and folder), to a
    subscription on the folder it left or the one it entered, not as a delete and a create."""
    address = ann.primary_smtp_address
    projects_id = sandbox.add_folder(address, "Projects")
    old_id = sandbox.add_message(address, subject="to file", body="x")
    projects = ann.inbox / "Projects"
    subscriptions = {"both": FolderCollection(account=ann, folders=[ann.inbox, projects]).subscribe_to_pull(
                         event_types=["MovedEvent", "CreatedEvent", "DeletedEvent", "NewMailEvent"]),
                     "left": ann.inbox.subscribe_to_pull(event_types=["MovedEvent", "DeletedEvent"]),
                     "entered": projects.subscribe_to_pull(event_types=["MovedEvent", "CreatedEvent"])}
    ann.inbox.get(subject="to file").move(projects)
    new_id = sandbox.items(address, projects_id)[0]["id"]
    for name, (sub_id, watermark) in subscriptions.items():
        events = next(ann.inbox.get_events(sub_id, watermark)).events
        assert [(type(e).__name__, e.item_id.id, e.parent_folder_id.id, e.old_item_id.id,
                 e.old_parent_folder_id.id) for e in events] == [
            ("MovedEvent", new_id, projects_id, old_id, ann.inbox.id)], name
        ann.inbox.unsubscribe(sub_id)
