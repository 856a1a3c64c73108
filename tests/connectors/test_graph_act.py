"""ACT sync end to end over Microsoft Graph: the Graph connector's GraphActSide, its GraphSession over HTTPS to the
Graph sandbox, the store; the mailbox is the EWS sandbox's too, so what a user does in Outlook is done over EWS
(exchangelib). What both protocols do alike is tested over both in test_exchange_act.py; here is what only Graph
shows: its delta tokens, a series read through calendarView with its single occurrences, a To Do task's ref as a
linkedResource."""
import json
from datetime import date, datetime, timedelta

import pytest
from exchangelib import UTC, EWSDateTime

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ItemMap, SyncFilter, TraceLog
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


def stand_up(world, rule: dict) -> Activity:
    return Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Stand-up", owner_user=world.user,
                           starts_at=datetime(2030, 3, 4, 9), ends_at=datetime(2030, 3, 4, 9, 15),  # a Monday
                           recurrence=json.dumps(rule))


def outlook_master(world):
    return world.account.calendar.get(id=ItemMap.get(record_type="appointment").item_id)


def outlook_occurrence(world, index):
    found = outlook_master(world).occurrence(index)
    found.refresh()
    return found


def test_a_moved_and_a_cancelled_outlook_occurrence_reach_the_crm_series_over_graph(world):
    record = stand_up(world, {"pattern": "daily", "occurrences": 5})
    sync(world)
    moved = outlook_occurrence(world, 2)  # Tuesday's stand-up moves to 11:00, Wednesday's is cancelled
    moved.start, moved.end = moved.start + timedelta(hours=2), moved.end + timedelta(hours=2)
    moved.save(update_fields=["start", "end"])
    outlook_occurrence(world, 3).delete()
    assert sync(world) == 1
    assert json.loads(Activity.get_by_id(record.id).recurrence) == {
        "pattern": "daily", "interval": 1, "occurrences": 5, "starts_on": "2030-03-04", "cancelled": ["2030-03-06"],
        "moved": {"2030-03-05": {"starts_at": "2030-03-05T11:00:00", "ends_at": "2030-03-05T11:15:00"}}}
    assert len(on_server(world, "calendar")) == 1  # still one series
    assert sync(world) == 0


def test_crm_cancelled_and_moved_occurrences_reach_exchange_over_graph_and_a_move_back_too(world):
    rule = {"pattern": "daily", "occurrences": 5}
    record = stand_up(world, {**rule, "cancelled": ["2030-03-05"]})  # a new series with one already cancelled
    sync(world)
    assert [d.start.date() for d in outlook_master(world).deleted_occurrences] == [date(2030, 3, 5)]
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-05", "2030-03-06"], "moved": {
        "2030-03-07": {"starts_at": "2030-03-07T14:00:00", "ends_at": "2030-03-07T14:30:00"}}})
    record.save()
    assert sync(world) == 1
    start = EWSDateTime(2030, 3, 4, tzinfo=UTC)
    shown = [(i.start.astimezone(UTC).replace(tzinfo=None), i.end - i.start, i.type)
             for i in world.account.calendar.view(start=start, end=start + timedelta(days=10))]
    quarter, half = timedelta(minutes=15), timedelta(minutes=30)
    assert shown == [(datetime(2030, 3, 4, 9), quarter, "Occurrence"), (datetime(2030, 3, 7, 14), half, "Exception"),
                     (datetime(2030, 3, 8, 9), quarter, "Occurrence")]
    assert sync(world) == 0  # what we wrote reads back as the CRM has it
    record = Activity.get_by_id(record.id)
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-05", "2030-03-06"]})  # the CRM moves it back
    record.save()
    sync(world)
    assert [o.start for o in outlook_master(world).modified_occurrences or [] if o.start != o.original_start] == []
    assert sync(world) == 0


def test_an_outlook_occurrence_with_its_own_subject_syncs_its_time_over_graph_and_the_plan_says_what_stays(world):
    record = stand_up(world, {"pattern": "daily", "occurrences": 5})
    sync(world)
    changed = outlook_occurrence(world, 2)
    changed.subject, changed.start, changed.end = "Stand-up with the auditors", changed.start + timedelta(hours=1), \
        changed.end + timedelta(hours=1)
    changed.save(update_fields=["subject", "start", "end"])
    sync(world)
    record = Activity.get_by_id(record.id)
    assert record.subject == "Stand-up" and json.loads(record.recurrence)["moved"] == {
        "2030-03-05": {"starts_at": "2030-03-05T10:00:00", "ends_at": "2030-03-05T10:15:00"}}
    plan = TraceLog.get(TraceLog.code == "ActPlanAppointment").message
    assert ("the occurrence of 2030-03-05 has its own subject or location in Exchange, which stays there: the CRM "
            "keeps a single occurrence's times only") in plan
    assert outlook_occurrence(world, 2).subject == "Stand-up with the auditors"


def test_single_occurrences_of_a_series_in_its_own_zone_round_trip_over_graph(world):
    """Days are the series' days in its start zone (09:00 in Rome is 08:00 UTC): a cancelled and a moved
    occurrence reach Exchange and read back as the CRM has them."""
    rule = {"pattern": "daily", "occurrences": 5}
    record = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Stand-up", owner_user=world.user,
                             starts_at=datetime(2030, 3, 4, 8), ends_at=datetime(2030, 3, 4, 8, 15),
                             start_time_zone="Europe/Rome", end_time_zone="Europe/Rome", recurrence=json.dumps(rule))
    sync(world)
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-05"], "moved": {
        "2030-03-06": {"starts_at": "2030-03-06T13:00:00", "ends_at": "2030-03-06T13:15:00"}}})
    record.save()
    assert sync(world) == 1
    start = EWSDateTime(2030, 3, 4, tzinfo=UTC)
    shown = [(i.start.astimezone(UTC).replace(tzinfo=None), i.type)
             for i in world.account.calendar.view(start=start, end=start + timedelta(days=10))]
    assert shown == [(datetime(2030, 3, 4, 8), "Occurrence"), (datetime(2030, 3, 6, 13), "Exception"),
                     (datetime(2030, 3, 7, 8), "Occurrence"), (datetime(2030, 3, 8, 8), "Occurrence")]
    assert sync(world) == 0
    assert json.loads(Activity.get_by_id(record.id).recurrence)["cancelled"] == ["2030-03-05"]


def test_a_create_beyond_the_calendar_views_window_is_not_taken_for_deleted(world):
    """The read after a create asks about the creates missing from it (test_exchange_act.py): an appointment
    beyond the window of Graph's calendar view is never in a delta read, and is there, so it stays."""
    far = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Jubilee", owner_user=world.user,
                          starts_at=datetime(2040, 3, 1, 9), ends_at=datetime(2040, 3, 1, 10))
    sync(world)
    assert Activity.get_or_none(id=far.id) is not None
    assert ItemMap.get(record_type="appointment", record_id=far.id).item_id == on_server(world, "calendar")[0]["id"]
    assert sync(world) == 0


def appointments_in_and_out_of_the_window(world) -> tuple[Activity, Activity, Activity]:
    """Synced appointments: one 2 years back and one 14 years ahead (outside calendarView's window), one next month
    and one next week (so the folder never looks empty when the one next month is deleted); the user's filter for reviews keeps the past one in the sync filter."""
    SyncFilter.create(user=world.user, entity=int(Entity.APPOINTMENT), name="Reviews",
                      rules=json.dumps([{"field": "subject", "operator": "contains", "value": "review"}]))
    now = datetime.now().replace(minute=0, second=0, microsecond=0)
    made = [Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject=subject, owner_user=world.user,
                            starts_at=now + timedelta(days=days), ends_at=now + timedelta(days=days, hours=1))
            for subject, days in (("Past review", -730), ("Jubilee", 14 * 365), ("Next month", 30),
                                     ("Next week", 7))]
    sync(world)
    assert ItemMap.select().where(ItemMap.record_type == "appointment").count() == 4
    return tuple(made[:3])


def outlook_deletes(world, record: Activity) -> None:
    world.account.bulk_delete(ids=[(ItemMap.get(record_type="appointment", record_id=record.id).item_id, None)])


def assert_only_the_outlook_deletion_reached_the_crm(world, past, far, near) -> None:
    assert Activity.get_or_none(id=near.id) is None, "deleted in Outlook: deleted in the CRM"
    for kept in (past, far):
        assert Activity.get_or_none(id=kept.id) is not None, f"{kept.subject}: outside the window, not deleted"
        assert ItemMap.get_or_none(record_type="appointment", record_id=kept.id) is not None
    assert len(on_server(world, "calendar")) == 3 and ItemMap.select().count() == 3
    assert sync(world) == 0


def test_a_whole_reread_after_a_killed_run_keeps_the_appointments_outside_the_calendar_views_window(world,
                                                                                                    monkeypatch):
    """A run killed before reading its own writes back makes the next run read the folder whole, and a mapped item
    missing from a whole read is gone; calendarView/delta lists only its window, so the appointments outside it
    were taken for deleted in Exchange and deleted in the CRM."""
    past, far, near = appointments_in_and_out_of_the_window(world)
    near.subject = "Next month, moved"
    near.save()
    reads, act_side = [], type(world.side)
    changes = act_side.changes

    async def dies_on_the_second_read(self, entity, state, refs=frozenset()):
        reads.append(entity)
        if entity == Entity.APPOINTMENT and reads.count(Entity.APPOINTMENT) == 2:
            raise KeyboardInterrupt  # the process dies after the update, before its read back
        return await changes(self, entity, state, refs)

    monkeypatch.setattr(act_side, "changes", dies_on_the_second_read)
    with pytest.raises(KeyboardInterrupt):
        sync(world)
    monkeypatch.undo()
    outlook_deletes(world, near)
    sync(world)
    assert_only_the_outlook_deletion_reached_the_crm(world, past, far, near)


def test_a_forgotten_delta_token_keeps_the_appointments_outside_the_window_and_sees_a_deletion_inside(world):
    past, far, near = appointments_in_and_out_of_the_window(world)
    world.graph.expire_delta_tokens(world.address)  # 410: the folder is read again from the start
    outlook_deletes(world, near)
    sync(world)
    assert_only_the_outlook_deletion_reached_the_crm(world, past, far, near)
