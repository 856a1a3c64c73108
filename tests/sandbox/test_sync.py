"""sync_items / sync_hierarchy: states survive a new client, paging, creates/updates/deletes."""
from __future__ import annotations

from exchangelib import Folder, Message


def _sync(folder, state, max_changes=100):
    changes = list(folder.sync_items(sync_state=state, max_changes_returned=max_changes, only_fields=["subject"]))
    return changes, folder.item_sync_state


def test_sync_items_pages_and_resumes_across_clients(sandbox, ann, connect):
    for i in range(7):
        sandbox.add_message(ann.primary_smtp_address, subject=f"seed {i}", body="x")
    changes, state = _sync(ann.inbox, None, max_changes=3)
    assert [(kind, item.subject) for kind, item in changes] == [("create", f"seed {i}") for i in range(7)]
    assert sandbox.requests_by_operation()["SyncFolderItems"] == 3  # pages of 3, 3 and 1

    # a new client (as after a restart) resumes from the stored state
    other = connect(ann.primary_smtp_address, "ann-pw")
    first = other.inbox.get(subject="seed 0")
    first.subject = "seed 0 (edited)"
    first.save(update_fields=["subject"])
    other.inbox.get(subject="seed 1").delete()
    Message(account=other, folder=other.inbox, subject="new one", body="y").save()
    changes, state2 = _sync(other.inbox, state)
    kinds = [(kind, getattr(item, "subject", None)) for kind, item in changes]
    assert kinds[0] == ("update", "seed 0 (edited)")
    assert kinds[1][0] == "delete"
    assert kinds[2] == ("create", "new one")
    assert len(kinds) == 3
    assert _sync(other.inbox, state2)[0] == []


def test_item_created_and_deleted_between_syncs_is_not_reported(sandbox, ann):
    _changes, state = _sync(ann.inbox, None)
    m = Message(account=ann, folder=ann.inbox, subject="brief", body="x")
    m.save()
    m.delete()
    assert _sync(ann.inbox, state)[0] == []


def test_sync_hierarchy(ann):
    list(ann.msg_folder_root.sync_hierarchy())
    state = ann.msg_folder_root.folder_sync_state
    f = Folder(parent=ann.inbox, name="Customers")
    f.save()
    changes = list(ann.msg_folder_root.sync_hierarchy(sync_state=state))
    # the parent changed too (one more child folder), as Exchange reports it
    assert sorted((kind, folder.name) for kind, folder in changes) == [("create", "Customers"), ("update", "Inbox")]
    state = ann.msg_folder_root.folder_sync_state
    f.delete()
    changes = list(ann.msg_folder_root.sync_hierarchy(sync_state=state))
    assert [kind for kind, _ in changes] == ["delete"]


def test_sync_hierarchy_resumes_across_clients(ann, connect):
    list(ann.msg_folder_root.sync_hierarchy())
    state = ann.msg_folder_root.folder_sync_state
    # a new client (as after a restart) creates a folder and resumes from the first client's state
    other = connect(ann.primary_smtp_address, "ann-pw")
    Folder(parent=other.inbox, name="Projects").save()
    changes = list(other.msg_folder_root.sync_hierarchy(sync_state=state))
    assert sorted((kind, folder.name) for kind, folder in changes) == [("create", "Projects"), ("update", "Inbox")]
    assert list(other.msg_folder_root.sync_hierarchy(sync_state=other.msg_folder_root.folder_sync_state)) == []


def test_pull_subscription_get_events(sandbox, ann):
    sub_id, watermark = ann.inbox.subscribe_to_pull()
    sandbox.add_message(ann.primary_smtp_address, subject="news", body="x")
    notification = next(ann.inbox.get_events(sub_id, watermark))
    kinds = [type(e).__name__ for e in notification.events]
    assert kinds == ["CreatedEvent", "NewMailEvent"]
    assert notification.events[0].item_id.id == sandbox.items(ann.primary_smtp_address)[0]["id"]
    again = next(ann.inbox.get_events(sub_id, notification.events[-1].watermark))
    assert [type(e).__name__ for e in again.events] == ["StatusEvent"]
    ann.inbox.unsubscribe(sub_id)


def test_streaming_subscription(sandbox, ann):
    sandbox.streaming_limit = 0.5
    sub_id = ann.inbox.subscribe_to_streaming()
    sandbox.add_message(ann.primary_smtp_address, subject="live", body="x")
    notifications = list(ann.inbox.get_streaming_events(sub_id, connection_timeout=1))
    events = [type(e).__name__ for n in notifications for e in n.events]
    assert events == ["CreatedEvent", "NewMailEvent"]
    ann.inbox.unsubscribe(sub_id)
