"""ACT sync end to end over Microsoft Graph: the Graph connector's GraphActSide, its GraphSession over HTTPS to the
Graph sandbox, the store; the mailbox is the EWS sandbox's too, so what a user does in Outlook is done over EWS
(exchangelib). What both protocols do alike is tested over both in test_exchange_act.py; here is what only Graph
shows: its delta tokens, a series read through calendarView, a To Do task's ref as a linkedResource."""
import json
from datetime import datetime

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ItemMap
from crmsync_gui.core.sync import act
from crmsync_gui.sandbox.graph import linked
from tests.connectors.act_steps import contact, ews_item, on_server, sync
from tests.connectors.graph_act_world import both_world

Entity = codes.SyncEntity
IDLE = {"contacts_delta": 1, "view_delta": 1, "tasks_delta": 1}  # one delta request per folder


@pytest.fixture
def world(db, sandbox, graph):
    world = both_world(sandbox, graph, "gact")
    yield world
    world.close()


def test_a_series_is_one_item_on_both_sides(world):
    weekly = json.dumps({"pattern": "weekly", "interval": 2, "days_of_week": ["monday", "thursday"],
                         "occurrences": 6})
    record = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Stand-up", owner_user=world.user,
                             starts_at=datetime(2027, 3, 1, 9), ends_at=datetime(2027, 3, 1, 9, 15),
                             recurrence=weekly, required_attendees=None)
    world.sandbox.add_calendar_item(world.address, subject="Daily check", start=datetime(2027, 2, 1, 8),
                                    end=datetime(2027, 2, 1, 8, 30), daily_occurrences=5,
                                    categories=[TRACKED_CATEGORY])
    sync(world)
    assert len(on_server(world, "calendar")) == 2  # two masters, no occurrences as items
    master = ews_item(world, ItemMap.get(record_id=record.id, record_type="appointment").item_id, Entity.APPOINTMENT)
    assert master.recurrence is not None and master.recurrence.boundary.number == 6
    back = Activity.get(subject="Daily check")
    assert json.loads(back.recurrence) == {"pattern": "daily", "interval": 1, "occurrences": 5,
                                           "starts_on": "2027-02-01"}
    assert Activity.select().where(Activity.activity_type == codes.ActivityType.APPOINTMENT).count() == 2
    assert sync(world) == 0  # the series' occurrences, listed again, change nothing

def test_a_forgotten_delta_token_reads_the_folders_again_and_duplicates_nothing(world):
    contact(world)
    Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", owner_user=world.user)
    sync(world)
    world.graph.expire_delta_tokens(world.address)  # 410 SyncStateNotFound on every stored state
    world.sandbox.add_contact(world.address, given_name="Lee", email="lee@prospect.com", categories=[TRACKED_CATEGORY])
    assert sync(world) == 1  # the tracked contact, nothing else
    assert len(on_server(world)) == 2 and len(on_server(world, "tasks")) == 1
    assert ItemMap.select().count() == 3


def test_a_crash_between_creating_a_task_over_graph_and_recording_it_duplicates_nothing(world, monkeypatch):
    """The task is renamed in the CRM before the replay, so the first-sync match (subject and due date) cannot
    know it: the journal's ref, the task's linkedResource, is how the replay does; and the rename reaches it."""
    task = Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", owner_user=world.user,
                           due_at=datetime(2030, 3, 2))
    save_map = act._save_map

    def killed(*args):
        raise RuntimeError("killed")  # the process dies after the task reached Exchange

    monkeypatch.setattr(act, "_save_map", killed)
    with pytest.raises(RuntimeError):
        sync(world)
    monkeypatch.setattr(act, "_save_map", save_map)
    [ref] = act.unrecorded_refs(world.mailbox, Entity.TASK)
    task.subject = "Call Bo back"
    task.save()
    sync(world)
    [made] = on_server(world, "tasks")
    assert ItemMap.get(record_type="task").item_id == made["id"] and made["subject"] == "Call Bo back"
    with world.sandbox.store.lock:
        stored = world.sandbox.store.get(world.address).items[made["id"]]
        assert [(r["applicationName"], r["externalId"]) for r in linked.of(stored)] == [("crmsync", ref)]
    world.graph.stats.requests.clear(), world.graph.stats.requests_by_mailbox.clear()
    assert sync(world) == 0
    assert world.graph.requests_by_operation(world.address) == IDLE  # no journal left, no look-up
