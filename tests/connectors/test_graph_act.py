"""ACT sync end to end over Microsoft Graph: the Graph connector's GraphActSide, its GraphSession over HTTPS to the
Graph sandbox, the store; the mailbox is the EWS sandbox's too, so what a user does in Outlook is done over EWS
(exchangelib), as test_exchange_act does."""
import asyncio
import json
from datetime import datetime

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import _ews_act as ews_act
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.connectors._graph_act import GraphActSide
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store.models import Activity, Contact, ItemMap
from crmsync_gui.core.sync import act
from crmsync_gui.sandbox.graph import linked
from tests.connectors.graph_act_world import both_world
from tests.connectors.graph_world import graph_sandbox

Entity = codes.SyncEntity
IDLE = {"contacts_delta": 1, "view_delta": 1, "tasks_delta": 1}  # one delta request per folder


@pytest.fixture(scope="module")
def graph(sandbox):
    server = graph_sandbox(sandbox)
    yield server
    server.stop()


@pytest.fixture
def world(db, sandbox, graph):
    world = both_world(sandbox, graph, "gact")
    yield world
    world.close()


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def contact(world, **fields):
    return Contact.create(**{"first_name": "Bo", "last_name": "Berg", "email": "bo@fabrikam.com",
                             "owner": world.user, **fields})


def on_server(world, folder="contacts"):
    return world.sandbox.items(world.address, folder)


def ews_item(world, item_id, entity=Entity.CONTACT):
    return ews_act.folder_of(world.account, entity).get(id=item_id)


def test_crm_records_reach_exchange_over_graph_and_idle_costs_one_request_per_folder(world):
    record = contact(world, company="Fabrikam", job_title="CEO", phone="+1 555 0100")
    contact(world, email="not-mine@x.org", owner=admin.add_user("Cy", "cy@contoso.com"))
    Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review", owner_user=world.user,
                    starts_at=datetime(2027, 3, 1, 9), ends_at=datetime(2027, 3, 1, 10), location="Room 1",
                    body="Agenda")
    Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", owner_user=world.user,
                    due_at=datetime(2027, 3, 2), percent_complete=30)
    assert sync(world) == 3
    [item] = on_server(world)
    fetched = ews_item(world, item["id"])  # what Outlook sees over EWS
    assert ews_act.values_of(Entity.CONTACT, fetched)["email"] == "bo@fabrikam.com"
    assert (fetched.company_name, fetched.job_title, fetched.display_name) == ("Fabrikam", "CEO", "Bo Berg")
    assert ItemMap.get(record_type="contact").record_id == record.id
    meeting = ews_item(world, ItemMap.get(record_type="appointment").item_id, Entity.APPOINTMENT)
    assert (meeting.subject, meeting.location, str(meeting.body)) == ("Review", "Room 1", "Agenda")
    assert meeting.start.astimezone().replace(tzinfo=None) == datetime(2027, 3, 1, 9).astimezone().replace(tzinfo=None)
    task = ews_item(world, ItemMap.get(record_type="task").item_id, Entity.TASK)
    assert (task.subject, task.status) == ("Call Bo", "InProgress")
    assert sync(world) == 0  # our own writes come back unchanged
    world.graph.stats.requests.clear(), world.graph.stats.requests_by_mailbox.clear()
    assert sync(world) == 0
    assert world.graph.requests_by_operation(world.address) == IDLE


def test_first_sync_matches_existing_items_and_creates_no_duplicates(world):
    contact(world)
    Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review", owner_user=world.user,
                    starts_at=datetime(2027, 3, 1, 9), ends_at=datetime(2027, 3, 1, 10))
    world.sandbox.add_contact(world.address, given_name="Bo", surname="Berg", email="Bo@Fabrikam.com")
    world.sandbox.add_calendar_item(world.address, subject="Review", start=datetime(2027, 3, 1, 9),
                                    end=datetime(2027, 3, 1, 10))
    sync(world)
    assert len(on_server(world)) == 1 and len(on_server(world, "calendar")) == 1
    assert ItemMap.select().count() == 2


def test_exchange_items_reach_the_crm_only_when_tracked(world):
    world.sandbox.add_contact(world.address, given_name="Lee", surname="Lead", email="lee@prospect.com",
                              categories=[TRACKED_CATEGORY])
    world.sandbox.add_contact(world.address, given_name="Pat", email="pat@friend.org")
    world.sandbox.add_task(world.address, subject="Send the quote", categories=[TRACKED_CATEGORY])
    sync(world)
    created = Contact.get(email="lee@prospect.com")
    assert (created.first_name, created.last_name, created.owner_id) == ("Lee", "Lead", world.user.id)
    assert Contact.get_or_none(email="pat@friend.org") is None
    assert Activity.get(subject="Send the quote").activity_type == codes.ActivityType.TASK


def test_changes_flow_both_ways(world):
    record = contact(world)
    sync(world)
    record.job_title = "CTO"
    record.save()
    sync(world)
    item_id = ItemMap.get().item_id
    fetched = ews_item(world, item_id)
    assert fetched.job_title == "CTO"
    fetched.company_name = "Fabrikam Inc"
    fetched.save(update_fields=["company_name"])  # the user edits it in Outlook
    sync(world)
    assert Contact.get_by_id(record.id).company == "Fabrikam Inc"


def test_a_concurrent_outlook_edit_is_never_overwritten(world):
    record = contact(world)
    sync(world)
    item_id = ItemMap.get().item_id
    record.job_title = "CTO"
    record.save()
    changed, deleted, _state = asyncio.run(world.side.changes(Entity.CONTACT, None))
    plan = act.make_plan(world.mailbox, Entity.CONTACT, act.snapshot(world.mailbox, Entity.CONTACT, changed, deleted))
    fetched = ews_item(world, item_id)
    fetched.job_title = "Chief of Outlook"
    fetched.save(update_fields=["job_title"])  # lands between our read and our write
    done = asyncio.run(act.execute(world.mailbox, plan, world.side))
    assert done.get("conflict-retry") == 1  # the PATCH's If-Match got 412
    assert ews_item(world, item_id).job_title == "Chief of Outlook"
    sync(world)  # next cycle, with fresh data: the CRM wins for fields that flow to Exchange
    assert ews_item(world, item_id).job_title == "CTO"


def test_deletes_and_leaving_the_filter(world):
    kept, leaving, doomed = contact(world), contact(world, email="l@x.org"), contact(world, email="d@x.org")
    task = Activity.create(activity_type=codes.ActivityType.TASK, subject="Doomed task", owner_user=world.user)
    sync(world)
    ids = {m.record_id: m.item_id for m in ItemMap.select().where(ItemMap.record_type == "contact")}
    world.account.bulk_delete(ids=[(ids[kept.id], None)])  # deleted in Outlook
    doomed.delete_instance()  # deleted in the CRM
    task.delete_instance()
    leaving.is_active = False  # no longer in "My contacts"
    leaving.save()
    sync(world)
    assert Contact.get_or_none(id=kept.id) is None
    assert Contact.get_or_none(id=leaving.id) is not None
    assert on_server(world) == [] and on_server(world, "tasks") == [] and ItemMap.select().count() == 0


def test_a_folder_that_suddenly_looks_empty_never_wipes_the_crm(world):
    first, second = contact(world), contact(world, email="b2@x.org")
    sync(world)
    world.account.bulk_delete(ids=[(m.item_id, None) for m in ItemMap.select()])
    with pytest.raises(PermanentError) as caught:
        sync(world)
    assert caught.value.code == "ActFolderEmpty"
    assert Contact.select().where(Contact.id.in_([first.id, second.id])).count() == 2


def test_tasks_come_back_from_exchange_and_keep_the_crm_percentage(world):
    task = Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", owner_user=world.user,
                           due_at=datetime(2027, 3, 2), percent_complete=40)
    sync(world)
    fetched = ews_item(world, ItemMap.get(record_type="task").item_id, Entity.TASK)
    fetched.subject = "Call Bo back"
    fetched.save(update_fields=["subject"])
    sync(world)
    again = Activity.get_by_id(task.id)
    assert (again.subject, again.percent_complete, again.is_completed) == ("Call Bo back", 40, False)
    fetched = ews_item(world, fetched.id, Entity.TASK)
    fetched.status = "Completed"
    fetched.save(update_fields=["status"])
    sync(world)
    assert Activity.get_by_id(task.id).is_completed is True


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


def test_a_crash_between_creating_over_graph_and_recording_it_duplicates_nothing(world, monkeypatch):
    """Neither has a first-sync match key Exchange keeps: no email address; a start Exchange rounds to the second.
    The journal's ref, a singleValueExtendedProperty on the item, is how the replay knows them (delta cannot
    show it: the read looks the journaled refs up)."""
    nameless = contact(world, email=None, first_name="", last_name="Nameless")
    meeting = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review", owner_user=world.user,
                              starts_at=datetime(2030, 3, 1, 9, 0, 0, 500000), ends_at=datetime(2030, 3, 1, 10))
    crashed, save_map = set(), act._save_map

    def crash_once_per_record(mailbox, entity, record, item_id, change_key):
        if (entity, record.id) not in crashed:  # the process dies after the item reached Exchange
            crashed.add((entity, record.id))
            raise RuntimeError("killed")
        save_map(mailbox, entity, record, item_id, change_key)

    monkeypatch.setattr(act, "_save_map", crash_once_per_record)
    for _run in range(2):
        with pytest.raises(RuntimeError):
            sync(world)
    sync(world)
    assert crashed == {(Entity.CONTACT, nameless.id), (Entity.APPOINTMENT, meeting.id)}
    assert len(on_server(world)) == 1 and len(on_server(world, "calendar")) == 1
    assert {(m.record_type, m.record_id) for m in ItemMap.select()} == {("contact", nameless.id),
                                                                         ("appointment", meeting.id)}
    stamped = ews_item(world, ItemMap.get(record_type="contact").item_id)  # the same property EWS writes
    assert stamped.crmsync_ref is not None
    assert sync(world) == 0
    world.graph.stats.requests.clear(), world.graph.stats.requests_by_mailbox.clear()
    assert sync(world) == 0
    assert world.graph.requests_by_operation(world.address) == IDLE  # no journal left, no look-up


def test_a_create_that_never_reached_the_server_is_made_once_on_the_next_run(world, monkeypatch):
    """A journaled create whose call failed: the look-up finds nothing and the next run creates it, once."""
    nameless = contact(world, email=None, first_name="", last_name="Nameless")

    async def killed(self, entity, values, ref, invite):
        raise RuntimeError("killed before the request")

    monkeypatch.setattr(GraphActSide, "create", killed)
    with pytest.raises(RuntimeError):
        sync(world)
    monkeypatch.undo()
    assert act.unrecorded_refs(world.mailbox, Entity.CONTACT) and on_server(world) == []
    sync(world)
    assert len(on_server(world)) == 1 and ItemMap.get(record_type="contact").record_id == nameless.id
    assert not act.unrecorded_refs(world.mailbox, Entity.CONTACT)


def test_a_crash_between_creating_a_task_over_graph_and_recording_it_duplicates_nothing(world, monkeypatch):
    """The task is renamed in the CRM before the replay, so the first-sync match (subject and due date) cannot
    know it: the journal's ref, the task's linkedResource, is how the replay does."""
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
    assert ItemMap.get(record_type="task").item_id == made["id"]
    with world.sandbox.store.lock:
        stored = world.sandbox.store.get(world.address).items[made["id"]]
        assert [(r["applicationName"], r["externalId"]) for r in linked.of(stored)] == [("crmsync", ref)]
    world.graph.stats.requests.clear(), world.graph.stats.requests_by_mailbox.clear()
    assert sync(world) == 0
    assert world.graph.requests_by_operation(world.address) == IDLE  # no journal left, no look-up
