"""ACT planning and execution against the store, with an in-memory folder standing in for Exchange.

The folder enforces change keys the way EWS NeverOverwrite does; the EWS side itself is tested
against the sandbox in tests/connectors.
"""
import asyncio
import itertools
import json
from datetime import datetime

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store.models import Activity, ActivityParty, Contact, ItemMap, OrganizationSettings
from crmsync_gui.core.sync import act

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

Entity = codes.SyncEntity


class Folder:
    """Items by id with change keys; update with a stale key raises act.Conflict."""

    def __init__(self):
        self.items: dict[str, act.RemoteItem] = {}
        self._ids = itertools.count(1)
        self.calls = []

    def _key(self):
        return f"ck{next(self._ids)}"

    def add(self, values, tracked=False, ref=None) -> act.RemoteItem:
        item = act.RemoteItem(f"item{next(self._ids)}", self._key(), dict(values), tracked, ref=ref)
        self.items[item.item_id] = item
        return item

    def edit(self, item_id, **values):
        item = self.items[item_id]
        item.values.update(values)
        item.change_key = self._key()

    def snapshot(self):
        return {i: act.RemoteItem(x.item_id, x.change_key, dict(x.values), x.tracked, ref=x.ref)
                for i, x in self.items.items()}

    async def create(self, entity, values, ref, invite):
        self.calls.append(("create", values))
        item = self.add(values, ref=ref)
        return item.item_id, item.change_key

    async def update(self, entity, item_id, change_key, values, invite):
        self.calls.append(("update", item_id))
        item = self.items[item_id]
        if item.change_key != change_key:
            raise act.Conflict(item_id)
        self.edit(item_id, **values)
        return item.change_key

    async def delete(self, entity, item_id, invite):
        self.calls.append(("delete", item_id))
        self.items.pop(item_id, None)


@pytest.fixture
def ann(db):
    user = admin.add_user("Ann Lee", "ann@contoso.com")
    admin.copy_templates_to_user(user)
    mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@contoso.com"), user)
    return mailbox.__class__.get_by_id(mailbox.id)


def cycle(mailbox, folder, entity=Entity.CONTACT):
    plan = act.make_plan(mailbox, entity, folder.snapshot())
    asyncio.run(act.execute(mailbox, plan, folder))
    return plan


def actions(plan):
    return sorted((s.action, s.side) for s in plan if s.action != "skip")


def contact(mailbox, **fields):
    base = dict(first_name="Bo", last_name="Berg", email="bo@fabrikam.com", owner=mailbox.owner_user)
    return Contact.create(**{**base, **fields})


def test_records_in_the_filter_are_created_then_left_alone(ann):
    mine = contact(ann)
    contact(ann, email="other@x.org", owner=admin.add_user("Cy", "cy@contoso.com"))  # not in Ann's filter
    folder = Folder()
    plan = cycle(ann, folder)
    assert actions(plan) == [("create", "exchange")] and "sync filters" in plan[0].reason
    [item] = folder.items.values()
    assert item.values["email"] == "bo@fabrikam.com"
    assert ItemMap.get(record_id=mine.id).item_id == item.item_id
    second = cycle(ann, folder)
    assert actions(second) == [] and second[0].reason == "unchanged on both sides"


def test_first_sync_matches_existing_items_and_creates_no_duplicates(ann):
    contact(ann)
    appointment = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review",
                                  starts_at=datetime(2030, 1, 2, 9), ends_at=datetime(2030, 1, 2, 10),
                                  owner_user=ann.owner_user)
    folder = Folder()
    folder.add({"email": "BO@fabrikam.com", "first_name": "Bo"})
    folder.add({"subject": "review", "starts_at": datetime(2030, 1, 2, 9)})
    plan = cycle(ann, folder)
    assert actions(plan) == [("match", "map")] and "not duplicated" in plan[0].reason
    assert actions(cycle(ann, folder, Entity.APPOINTMENT)) == [("match", "map")]
    assert len(folder.items) == 2 and not any(c[0] == "create" for c in folder.calls)
    assert ItemMap.get(record_type="appointment").record_id == appointment.id


def test_a_crash_between_create_and_commit_repeats_nothing(ann, monkeypatch):
    contact(ann)
    folder = Folder()

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(act, "_save_map", crash)
    with pytest.raises(RuntimeError):
        cycle(ann, folder)
    monkeypatch.undo()
    assert len(folder.items) == 1 and ItemMap.select().count() == 0
    assert actions(cycle(ann, folder)) == [("update", "exchange")] and len(folder.items) == 1
    assert actions(cycle(ann, folder)) == []


def test_a_crash_after_a_create_maps_its_item_whatever_the_record_fields(ann, monkeypatch):
    """No email address, so no first-sync match key: the journal's ref on the item is what recognizes it."""
    record = contact(ann, email=None, first_name="", last_name="Nameless")
    folder = Folder()

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(act, "_save_map", crash)
    with pytest.raises(RuntimeError):
        cycle(ann, folder)
    monkeypatch.undo()
    [made] = folder.items.values()
    assert ItemMap.select().count() == 0
    plan = cycle(ann, folder)
    assert actions(plan) == [("update", "exchange")]
    assert "stopped before recording it: mapped and written again" in plan[0].reason
    assert len(folder.items) == 1 and ItemMap.get(record_id=record.id).item_id == made.item_id
    assert actions(cycle(ann, folder)) == []


def test_a_record_changed_between_a_crash_and_its_replay_reaches_exchange(ann, monkeypatch):
    """The item holds what the stopped run wrote; the record changed since. Mapping the item as it is would
    take today's record as synced, and the change would never reach Exchange."""
    record = contact(ann, email=None, first_name="", last_name="Nameless")
    folder = Folder()

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(act, "_save_map", crash)
    with pytest.raises(RuntimeError):
        cycle(ann, folder)
    monkeypatch.undo()
    record.job_title = "Buyer"
    record.save()
    cycle(ann, folder)
    [made] = folder.items.values()
    assert made.values["job_title"] == "Buyer" and ItemMap.get(record_id=record.id).item_id == made.item_id
    assert actions(cycle(ann, folder)) == []


def test_a_crash_before_a_journaled_create_reaches_exchange_creates_it_once(ann, monkeypatch):
    contact(ann, email=None, last_name="Nameless")
    folder = Folder()

    async def unreachable(*args, **kwargs):
        raise RuntimeError("killed before the request")

    monkeypatch.setattr(folder, "create", unreachable)
    with pytest.raises(RuntimeError):
        cycle(ann, folder)
    monkeypatch.undo()
    assert actions(cycle(ann, folder)) == [("create", "exchange")]
    assert len(folder.items) == 1 and ItemMap.select().count() == 1
    assert actions(cycle(ann, folder)) == []


def leave_the_filter_and_die_before_dropping_the_map(ann, folder, record, monkeypatch) -> None:
    """The record leaves the sync filters; the run removes its Exchange copy and dies before dropping its map row."""
    record.is_active = False
    record.save()

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(act, "_drop_map", crash)
    with pytest.raises(RuntimeError):
        cycle(ann, folder)
    monkeypatch.undo()


def test_a_crash_after_removing_a_record_that_left_the_filter_keeps_the_crm_record(ann, monkeypatch):
    leaving = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    leave_the_filter_and_die_before_dropping_the_map(ann, folder, leaving, monkeypatch)
    assert folder.items == {} and ItemMap.select().count() == 1
    plan = cycle(ann, folder)
    assert actions(plan) == [("delete", "map")] and "the CRM record stays" in plan[0].reason
    assert Contact.get_or_none(id=leaving.id) is not None and ItemMap.select().count() == 0


def test_changes_flow_both_ways(ann):
    record = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    record.job_title = "CTO"
    record.save()
    assert actions(cycle(ann, folder)) == [("update", "exchange")]
    item_id = ItemMap.get().item_id
    assert folder.items[item_id].values["job_title"] == "CTO"
    folder.edit(item_id, phone="+1 555")
    assert actions(cycle(ann, folder)) == [("update", "crm")]
    assert Contact.get_by_id(record.id).phone == "+1 555"
    assert actions(cycle(ann, folder)) == []  # nothing bounces back


def test_field_directions_limit_what_flows(ann):
    settings = OrganizationSettings.get_by_id(1)
    settings.act_field_directions = json.dumps({"contact.phone": int(codes.FieldDirection.TO_CRM),
                                                "contact.job_title": int(codes.FieldDirection.NONE)})
    settings.save()
    record = contact(ann, phone="111", job_title="CEO")
    folder = Folder()
    cycle(ann, folder)
    item_id = ItemMap.get().item_id
    assert "phone" not in folder.items[item_id].values and "job_title" not in folder.items[item_id].values
    folder.edit(item_id, phone="222", job_title="Intern")
    cycle(ann, folder)
    record = Contact.get_by_id(record.id)
    assert record.phone == "222" and record.job_title == "CEO"


def test_conflict_rule_crm_wins_for_fields_to_exchange(ann):
    settings = OrganizationSettings.get_by_id(1)
    settings.act_field_directions = json.dumps({"contact.phone": int(codes.FieldDirection.TO_CRM)})
    settings.save()
    record = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    item_id = ItemMap.get().item_id
    record.last_name = "Crm-side"
    record.save()
    folder.edit(item_id, last_name="Exchange-side", phone="999")
    plan = cycle(ann, folder)
    assert actions(plan) == [("conflict", "both")]
    assert folder.items[item_id].values["last_name"] == "Crm-side"
    assert Contact.get_by_id(record.id).phone == "999"


def test_stale_change_key_is_never_overwritten(ann):
    record = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    item_id = ItemMap.get().item_id
    record.job_title = "CTO"
    record.save()
    plan = act.make_plan(ann, Entity.CONTACT, folder.snapshot())
    folder.edit(item_id, job_title="Edited in Outlook just now")  # between our read and our write
    done = asyncio.run(act.execute(ann, plan, folder))
    assert done == {"conflict-retry": 1}
    assert folder.items[item_id].values["job_title"] == "Edited in Outlook just now"
    cycle(ann, folder)  # next cycle sees both changes: the documented rule decides
    assert folder.items[item_id].values["job_title"] == "CTO"


def test_deletes_propagate_both_ways(ann):
    kept, doomed_in_crm = contact(ann), contact(ann, email="x@fabrikam.com")
    folder = Folder()
    cycle(ann, folder)
    doomed_item = ItemMap.get(record_id=doomed_in_crm.id).item_id
    doomed_in_crm.delete_instance()
    assert actions(cycle(ann, folder)) == [("delete", "exchange")] and doomed_item not in folder.items
    folder.items.pop(ItemMap.get(record_id=kept.id).item_id)
    folder.add({"email": "unrelated@x.org"})  # so the folder does not look empty
    assert actions(cycle(ann, folder)) == [("delete", "crm")]
    assert Contact.get_or_none(id=kept.id) is None and ItemMap.select().count() == 0


def test_leaving_the_filter_removes_only_the_exchange_copy(ann):
    record = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    record.is_active = False  # "My contacts" wants active ones
    record.save()
    plan = cycle(ann, folder)
    assert actions(plan) == [("delete", "exchange")] and "CRM record stays" in plan[0].reason
    assert folder.items == {} and Contact.get_by_id(record.id).is_active is False


def test_exchange_items_reach_the_crm_only_when_tracked(ann):
    folder = Folder()
    folder.add({"email": "new@lead.com", "first_name": "New"}, tracked=True)
    folder.add({"email": "private@friend.com", "first_name": "Pat"})
    plan = cycle(ann, folder)
    assert actions(plan) == [("create", "crm")]
    assert [s.reason for s in plan if s.action == "skip"] == ["not tracked by the user"]
    created = Contact.get(email="new@lead.com")
    assert created.owner_id == ann.owner_user_id and Contact.get_or_none(email="private@friend.com") is None
    assert actions(cycle(ann, folder)) == []


def test_an_empty_looking_side_never_wipes_the_other(ann):
    record = contact(ann)
    contact(ann, email="cy@fabrikam.com")  # several synced items gone at once, not one delete
    folder = Folder()
    cycle(ann, folder)
    folder.items.clear()
    with pytest.raises(PermanentError, match="looks empty"):
        act.make_plan(ann, Entity.CONTACT, folder.snapshot())
    assert Contact.get_or_none(id=record.id) is not None
    folder.add({"email": "bo@fabrikam.com"})
    Contact.delete().execute()
    with pytest.raises(PermanentError, match="left in the CRM"):
        act.make_plan(ann, Entity.CONTACT, folder.snapshot())


def test_deleting_the_only_synced_contact_is_a_delete_not_an_empty_side(ann):
    """The guard disabled ACT when a user deleted their only synced contact, in Outlook or in the CRM."""
    record = contact(ann)
    folder = Folder()
    cycle(ann, folder)
    folder.items.clear()
    assert actions(cycle(ann, folder)) == [("delete", "crm")]
    assert Contact.get_or_none(id=record.id) is None and ItemMap.select().count() == 0
    record = contact(ann)
    cycle(ann, folder)
    record.delete_instance()
    assert actions(cycle(ann, folder)) == [("delete", "exchange")]
    assert folder.items == {} and ItemMap.select().count() == 0


def test_a_removal_a_stopped_run_made_is_not_a_sudden_disappearance(ann, monkeypatch):
    """One contact left the filters (its Exchange copy removed, then the run died), the other the user deleted in
    Outlook: the folder is empty, but only one synced item disappeared (the property-based test found the
    empty-side guard stopping ACT for good here)."""
    leaving, deleted = contact(ann), contact(ann, email="cy@fabrikam.com")
    folder = Folder()
    cycle(ann, folder)
    leave_the_filter_and_die_before_dropping_the_map(ann, folder, leaving, monkeypatch)
    folder.items.clear()  # the user deletes the other one in Outlook
    assert actions(cycle(ann, folder)) == [("delete", "crm"), ("delete", "map")]
    assert Contact.get_or_none(id=leaving.id) is not None and Contact.get_or_none(id=deleted.id) is None
    assert ItemMap.select().count() == 0


def test_a_new_record_never_takes_the_exchange_item_of_a_deleted_one(ann):
    """SQLite gave a deleted row's id to the next one: deleted on both sides, the newest contact's item map row
    then belonged to the next contact, which ACT deleted from the CRM as "deleted in Exchange"."""
    contact(ann, email="keep@x.org")
    gone = contact(ann, email="gone@x.org")
    folder = Folder()
    cycle(ann, folder)
    folder.items.pop(ItemMap.get(record_id=gone.id).item_id)  # deleted in Outlook
    gone.delete_instance()  # and in the CRM
    new = contact(ann, email="new@x.org", last_name="New")
    assert new.id != gone.id
    assert actions(cycle(ann, folder)) == [("create", "exchange"), ("delete", "map")]
    assert Contact.get_or_none(id=new.id) is not None and ItemMap.select().count() == 2


def test_tasks_sync_with_their_fields(ann):
    task = Activity.create(activity_type=codes.ActivityType.TASK, subject="Call Bo", due_at=datetime(2030, 1, 5),
                           percent_complete=20, owner_user=ann.owner_user)
    folder = Folder()
    cycle(ann, folder, Entity.TASK)
    item_id = ItemMap.get(record_type="task").item_id
    assert folder.items[item_id].values["percent_complete"] == 20
    folder.edit(item_id, percent_complete=60)
    cycle(ann, folder, Entity.TASK)
    assert Activity.get_by_id(task.id).percent_complete == 60


def test_the_plan_goes_to_the_trace_log_with_its_reasons(ann):
    from crmsync_gui.core.store.models import TraceLog

    contact(ann)
    folder = Folder()
    folder.add({"email": "pat@friend.org"})
    plan = act.make_plan(ann, Entity.CONTACT, folder.snapshot())
    act.record_plan(ann, Entity.CONTACT, plan)
    row = TraceLog.get(code="ActPlanContact")
    assert row.level == codes.TraceLevel.INFORMATION and row.mailbox_id == ann.id
    assert "1 create (exchange)" in row.message and "in the user's sync filters" in row.message
    assert "1 unchanged or skipped" in row.message
    idle = [act.Step("skip", "", Entity.CONTACT, "unchanged on both sides", 1, "x")]
    act.record_plan(ann, Entity.CONTACT, idle)
    assert TraceLog.get(code="ActPlanContact").count == 1  # idle cycles write nothing


def test_a_series_pattern_follows_its_field_direction(ann):
    settings = OrganizationSettings.get_by_id(1)
    settings.act_field_directions = json.dumps({"appointment.recurrence": int(codes.FieldDirection.TO_CRM)})
    settings.save()
    daily = json.dumps({"pattern": "daily", "occurrences": 3})
    meeting = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Stand-up", recurrence=daily,
                              starts_at=datetime(2030, 3, 4, 9), ends_at=datetime(2030, 3, 4, 9, 15),
                              owner_user=ann.owner_user)
    folder = Folder()
    cycle(ann, folder, Entity.APPOINTMENT)
    item_id = ItemMap.get(record_type="appointment").item_id
    assert "recurrence" not in folder.items[item_id].values  # the CRM's pattern does not go out
    weekly = json.dumps({"pattern": "weekly", "days_of_week": ["monday"], "starts_on": "2030-03-04", "interval": 1})
    folder.edit(item_id, recurrence=weekly)
    cycle(ann, folder, Entity.APPOINTMENT)
    assert Activity.get_by_id(meeting.id).recurrence == weekly  # Exchange's comes in


def test_an_exchange_change_read_without_answers_keeps_the_attendees_answers(ann):
    meeting = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Review", owner_user=ann.owner_user,
                              starts_at=datetime(2030, 3, 1, 9), ends_at=datetime(2030, 3, 1, 10))
    ActivityParty.create(activity=meeting, role=int(codes.PartyRole.REQUIRED), address="Bo@Fabrikam.com",
                         response=int(codes.MeetingResponse.ACCEPTED))
    folder = Folder()
    cycle(ann, folder, Entity.APPOINTMENT)
    [item] = folder.items.values()
    folder.edit(item.item_id, subject="Review (moved)")  # a side that reads no answers (responses None)
    plan = cycle(ann, folder, Entity.APPOINTMENT)
    assert actions(plan) == [("update", "crm")]
    [party] = ActivityParty.select().where(ActivityParty.activity == meeting)
    assert (party.address, party.response) == ("bo@fabrikam.com", codes.MeetingResponse.ACCEPTED)
