"""ACT sync end to end over both Exchange protocols, on the same store and the same mailbox: EWS (the Exchange
connector, exchangelib over HTTPS to the EWS sandbox) and Microsoft Graph (the Graph connector's GraphActSide, its
GraphSession over HTTPS to the Graph sandbox beside the EWS one). What a user does in Outlook is done over EWS
(exchangelib) in both. Tests only one protocol can show are in test_graph_act.py (delta tokens, series over
Graph) and test_exchange_series.py (series over EWS); the `ews` fixture marks the few below that are EWS's own."""
import asyncio
from datetime import datetime
from decimal import Decimal

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import _ews_act as ews_act
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store.models import Activity, Contact, ItemMap
from crmsync_gui.core.sync import act
from tests.connectors.act_steps import contact, ews_item, on_server, sync
from tests.connectors.exchange_world import exchange_world
from tests.connectors.graph_act_world import both_world

Entity = codes.SyncEntity
IDLE = {"ews": {"SyncFolderItems": 3},  # one request per folder
        "graph": {"contacts_delta": 1, "view_delta": 1, "tasks_delta": 1}}


@pytest.fixture(params=["ews", "graph"])
def protocol(request):
    return request.param


@pytest.fixture
def world(request, db, sandbox, protocol):
    if protocol == "ews":
        world = exchange_world(sandbox, "act", sync_filter_templates=True)
    else:  # the module's Graph sandbox (tests/connectors/conftest.py) over this EWS sandbox
        world = both_world(sandbox, request.getfixturevalue("graph"), "gact")
    yield world
    world.close()


@pytest.fixture
def ews(protocol):
    """For a test of something only EWS has: it runs once, over EWS."""
    if protocol != "ews":
        pytest.skip("EWS only")


def side(world):
    return world.connector.act_side(world.job)


def requests_of_an_idle_sync(world) -> dict:
    server = world.sandbox if isinstance(side(world), ews_act.EwsActSide) else world.graph
    server.stats.reset()
    assert sync(world) == 0
    return dict(server.requests_by_operation(world.address))


def test_crm_records_in_the_filters_reach_exchange_and_idle_costs_one_request_per_folder(world, protocol):
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
    assert requests_of_an_idle_sync(world) == IDLE[protocol]

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
    changed, deleted, _state = asyncio.run(side(world).changes(Entity.CONTACT, None))
    plan = act.make_plan(world.mailbox, Entity.CONTACT, act.snapshot(world.mailbox, Entity.CONTACT, changed, deleted))
    fetched = ews_item(world, item_id)
    fetched.job_title = "Chief of Outlook"
    fetched.save(update_fields=["job_title"])  # lands between our read and our write
    done = asyncio.run(act.execute(world.mailbox, plan, side(world)))
    assert done.get("conflict-retry") == 1  # EWS: ErrorIrresolvableConflict; Graph: the PATCH's If-Match got 412
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

def test_a_crash_between_creating_in_exchange_and_recording_it_duplicates_nothing(world, protocol, monkeypatch):
    """Neither has a first-sync match key Exchange keeps: no email address; a start Exchange rounds to the second.
    The journal's ref, an extended property on the item (over Graph a singleValueExtendedProperty, the same MAPI
    property), is how the replay knows them: the read looks the journaled refs up."""
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
    assert requests_of_an_idle_sync(world) == IDLE[protocol]  # no journal left, no look-up

def test_a_create_that_never_reached_the_server_is_made_once_on_the_next_run(world, monkeypatch):
    """A journaled create whose call failed: the look-up finds nothing and the next run creates it, once."""
    nameless = contact(world, email=None, first_name="", last_name="Nameless")

    async def killed(self, entity, values, ref, invite):
        raise RuntimeError("killed before the request")

    monkeypatch.setattr(type(side(world)), "create", killed)
    with pytest.raises(RuntimeError):
        sync(world)
    monkeypatch.undo()
    assert act.unrecorded_refs(world.mailbox, Entity.CONTACT) and on_server(world) == []
    sync(world)
    assert len(on_server(world)) == 1 and ItemMap.get(record_type="contact").record_id == nameless.id
    assert not act.unrecorded_refs(world.mailbox, Entity.CONTACT)


def test_a_percentage_set_in_outlook_reaches_the_crm(world, ews):
    """To Do tasks have no percentage; Outlook's tasks over EWS do."""
    task = Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", owner_user=world.user,
                           due_at=datetime(2030, 3, 2), percent_complete=0)
    sync(world)
    fetched = ews_item(world, ItemMap.get(record_type="task").item_id, Entity.TASK)
    fetched.percent_complete = Decimal(50)
    fetched.status = "InProgress"
    fetched.save(update_fields=["percent_complete", "status"])
    sync(world)
    assert Activity.get_by_id(task.id).percent_complete == 50


def crash_before_recording(monkeypatch, name):
    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(act, name, crash)

def test_a_crash_after_removing_the_exchange_copy_of_a_record_that_left_the_filter_keeps_it(world, monkeypatch):
    leaving = contact(world)
    sync(world)
    leaving.is_active = False  # no longer in "My contacts"
    leaving.save()
    crash_before_recording(monkeypatch, "_drop_map")
    with pytest.raises(RuntimeError):
        sync(world)
    monkeypatch.undo()
    assert on_server(world) == [] and ItemMap.select().count() == 1
    sync(world)
    assert Contact.get_or_none(id=leaving.id) is not None and ItemMap.select().count() == 0

def test_a_mailbox_whose_owner_was_deleted_fails_as_having_no_owner_and_exchange_is_untouched(world):
    from crmsync_gui.core.admin.removal import delete_record
    from crmsync_gui.core.store.models import Mailbox
    from crmsync_gui.core.sync import trace

    contact(world)
    delete_record(world.user)
    world.job.mailbox = Mailbox.get_by_id(world.mailbox.id)
    assert world.job.mailbox.owner_user_id is None and world.job.mailbox.owner_queue_id is None
    with pytest.raises(PermanentError) as caught:
        sync(world)
    assert caught.value.code == "NoOwner" and "has no owner" in str(caught.value)
    assert "queue" not in str(caught.value), "an ownerless mailbox does not belong to a queue"
    assert "Choose the mailbox's owner" in trace.hint_for("NoOwner")
    assert on_server(world) == []

def test_a_run_that_dies_before_reading_its_own_creates_back_still_sees_outlook_delete_them(world, monkeypatch):
    """The cursor a round commits was read before the round's writes: a run killed before its next read leaves
    a cursor that never saw the items it created, and Exchange reports no deletion of an item the cursor never
    saw. The crash harness found the Outlook deletion lost (the CRM record kept, its map row pointing at nothing)."""
    contact(world), contact(world, email="b2@x.org")
    sync(world)
    made = contact(world, email="new@x.org")
    reads, act_side = [], type(side(world))
    changes = act_side.changes

    async def dies_on_the_second_read(self, entity, state, refs=frozenset()):
        reads.append(entity)
        if entity == Entity.CONTACT and reads.count(Entity.CONTACT) == 2:
            raise KeyboardInterrupt  # the process dies here
        return await changes(self, entity, state, refs)

    monkeypatch.setattr(act_side, "changes", dies_on_the_second_read)
    with pytest.raises(KeyboardInterrupt):
        sync(world)
    monkeypatch.undo()
    item_id = ItemMap.get(record_type="contact", record_id=made.id).item_id
    world.account.bulk_delete(ids=[(item_id, None)])  # the user deletes it in Outlook
    sync(world)
    assert Contact.get_or_none(id=made.id) is None, "deleted in Exchange: deleted in the CRM"
    assert not ItemMap.select().where(ItemMap.item_id == item_id).exists()
    assert len(on_server(world)) == 2 and ItemMap.select().count() == 2

def test_a_dry_run_of_an_ownership_change_lists_what_the_next_sync_creates_and_deletes_in_exchange(world):
    from crmsync_gui.core.admin import exchange_changes
    from crmsync_gui.core.store.models import Mailbox

    contact(world, first_name="Ada", last_name="Ames"), contact(world, first_name="Bea", last_name="Berg")
    Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Ada", owner_user=world.user)
    assert sync(world) == 3
    bob = admin.add_user("Bob Ray", "bob@contoso.com")
    admin.copy_templates_to_user(bob)
    contact(world, first_name="Cy", last_name="Cole", owner=bob)
    before = {f: [i["id"] for i in on_server(world, f)] for f in ("contacts", "tasks")}
    changes = exchange_changes.of_ownership(world.mailbox, bob, act_syncs=True)
    assert changes.created == {Entity.CONTACT: ["Cy Cole"], Entity.APPOINTMENT: [], Entity.TASK: []}
    assert changes.deleted == {Entity.CONTACT: ["Ada Ames", "Bea Berg"], Entity.APPOINTMENT: [],
                               Entity.TASK: ["Call Ada"]}
    assert changes.lines() == ["Contacts created in Exchange (1): Cy Cole",
                               "Contacts deleted from Exchange (2): Ada Ames, Bea Berg",
                               "Tasks deleted from Exchange (1): Call Ada"]
    assert changes.lines(limit=1)[1] == "Contacts deleted from Exchange (2): Ada Ames and 1 more"
    assert {f: [i["id"] for i in on_server(world, f)] for f in ("contacts", "tasks")} == before, \
        "a dry run changes nothing"
    assert ItemMap.select().count() == 3
    admin.map_mailbox(world.mailbox, bob, confirm=True)  # now for real: the next sync does what it said
    world.job.mailbox = Mailbox.get_by_id(world.mailbox.id)
    sync(world)
    assert len(on_server(world)) == 1 and on_server(world, "tasks") == []
    assert [ItemMap.get().record_id] == [c.id for c in Contact.select().where(Contact.first_name == "Cy")]


def test_an_item_the_user_deletes_in_outlook_before_the_run_reads_its_create_back_is_deleted_in_the_crm(world,
                                                                                                        monkeypatch):
    """The cursor a round commits was read before the round's creates, and Exchange never reports the deletion of
    an item made after a cursor: a user deleting the new item in Outlook before the next read (the two-worker crash
    harness found it, deleting while a worker ran) left the CRM record and a map row pointing at nothing."""
    contact(world), contact(world, email="b2@x.org")
    sync(world)
    made = contact(world, email="new@x.org")
    reads, act_side = [], type(side(world))
    changes = act_side.changes

    async def user_deletes_it_before_the_read_back(self, entity, state, refs=frozenset()):
        reads.append(entity)
        if entity == Entity.CONTACT and reads.count(Entity.CONTACT) == 2:
            item_id = ItemMap.get(record_type="contact", record_id=made.id).item_id
            world.account.bulk_delete(ids=[(item_id, None)])  # in Outlook
        return await changes(self, entity, state, refs)

    monkeypatch.setattr(act_side, "changes", user_deletes_it_before_the_read_back)
    sync(world)
    monkeypatch.undo()
    assert reads.count(Entity.CONTACT) == 2, "the run read its creates back"
    assert Contact.get_or_none(id=made.id) is None, "deleted in Exchange: deleted in the CRM"
    assert ItemMap.select().count() == 2 and len(on_server(world)) == 2
    assert sync(world) == 0
