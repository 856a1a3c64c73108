"""The queries behind the console's tables and dashboard, and the mailbox services it calls."""
from datetime import datetime, timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import MappingConflict, ValidationError
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Activity, EmailServerProfile, Mailbox, TraceLog
from crmsync_gui.core.sync import tracking

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL


@pytest.fixture
def boxes(db):
    p = admin.save_profile({"name": "Exch", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    ann = admin.add_user("Ann", "ann@example.com")
    q = admin.add_queue("Support", "support@example.com")
    a = admin.add_mailbox("Zeta", "z@example.com", p)
    b = admin.add_mailbox("Alpha", "a@example.com")
    admin.map_mailbox(a, ann)
    admin.map_mailbox(b, q)
    return a, b, ann, q


def test_mailbox_ids_sort_and_filter(boxes):
    a, b, *_ = boxes
    assert views.mailbox_ids() == [b.id, a.id]
    assert views.mailbox_ids(sort="name", descending=True) == [a.id, b.id]
    assert views.mailbox_ids(sort="owner") == [a.id, b.id]  # Ann before Support
    assert views.mailbox_ids("support") == [b.id]
    assert views.mailbox_ids("exch") == [a.id]
    rows = views.mailbox_rows([a.id, b.id])
    assert views.owner_label(rows[a.id]) == "Ann" and views.owner_label(rows[b.id]) == "Support (queue)"


def test_mailboxes_sort_by_their_earliest_next_run_and_none_last(boxes):
    a, b, *_ = boxes
    c = admin.add_mailbox("Never", "never@example.com")  # no direction scheduled: after every date
    now = datetime(2026, 1, 5, 9, 0)
    Mailbox.update(incoming_next_run=now + timedelta(minutes=9), act_next_run=now + timedelta(minutes=1)).where(
        Mailbox.id == a.id).execute()
    Mailbox.update(outgoing_next_run=now + timedelta(minutes=5)).where(Mailbox.id == b.id).execute()
    assert views.mailbox_ids(sort="next_run") == [a.id, b.id, c.id]  # a's ACT run at +1 min is its earliest
    assert views.mailbox_ids(sort="next_run", descending=True) == [c.id, b.id, a.id]


def count_synced(direction, at, items):
    from crmsync_gui.core.sync.statements import JobStatements

    JobStatements().count_synced(direction, now=at, items=items)  # as the engine does after each job


def test_per_hour_counts_each_directions_items_and_errors_and_warnings_in_hourly_buckets(db):
    now = datetime(2026, 1, 5, 9, 30)
    D = codes.Direction
    for direction, at, items in ((D.INCOMING, now, 3), (D.INCOMING, now - timedelta(minutes=20), 2),
                                 (D.ACT, now - timedelta(hours=2), 5), (D.OUTGOING, now, 1)):
        count_synced(direction, at, items)
    Activity.create(activity_type=codes.ActivityType.EMAIL, created_at=now)  # an activity is no measure of it
    TraceLog.create(level=codes.TraceLevel.ERROR, code="E", message="m", collation_key="k", last_at=now)
    TraceLog.create(level=codes.TraceLevel.WARNING, code="W", message="m", collation_key="w",
                    last_at=now - timedelta(hours=1))
    TraceLog.create(level=codes.TraceLevel.INFORMATION, code="I", message="m", collation_key="i", last_at=now)
    hours = views.per_hour(3, now=now)
    assert hours.slots == [datetime(2026, 1, 5, 7), datetime(2026, 1, 5, 8), datetime(2026, 1, 5, 9)]
    assert hours.synced == {D.INCOMING: [0, 0, 5], D.OUTGOING: [0, 0, 1], D.ACT: [5, 0, 0]}
    assert hours.errors == [0, 0, 1] and hours.warnings == [0, 1, 0]


def test_save_mailbox_with_owner_conflict_changes_nothing_unless_confirmed(boxes):
    a, b, ann, _ = boxes
    with pytest.raises(MappingConflict):
        admin.save_mailbox({"name": "Alpha renamed"}, mailbox=b, owner=ann)
    assert Mailbox.get_by_id(b.id).name == "Alpha" and b.name == "Alpha"
    assert Mailbox.get_by_id(a.id).owner_user_id == ann.id
    with pytest.raises(MappingConflict):
        admin.save_mailbox({"name": "New", "email": "new@example.com"}, owner=ann)
    assert not Mailbox.select().where(Mailbox.name == "New").exists()
    admin.save_mailbox({"name": "Alpha renamed"}, mailbox=b, owner=ann, confirm=True)
    assert Mailbox.get_by_id(b.id).owner_user_id == ann.id
    assert Mailbox.get_by_id(a.id).owner_user_id is None


def test_save_mailbox_validates(boxes):
    with pytest.raises(ValidationError) as exc:
        admin.save_mailbox({"name": " ", "email": "nope", "act_method": 9})
    assert set(exc.value.problems) == {"name", "email", "act_method"}


def test_enable_and_disable(boxes):
    a, b, *_ = boxes
    b.transient_failure_count = 4
    b.act_method = codes.ActMethod.SERVER_SIDE_SYNC
    admin.set_enabled(b, True)
    b = Mailbox.get_by_id(b.id)
    assert b.incoming_enabled and b.outgoing_enabled and not b.act_enabled  # queue: email only
    assert b.transient_failure_count == 0
    admin.set_enabled(b, False)
    assert not Mailbox.get_by_id(b.id).incoming_enabled


def test_mailboxes_are_counted_by_the_status_the_mailboxes_page_shows(boxes):
    a, b, *_ = boxes

    def count(status):
        return views.mailboxes_by_status()[status]

    assert count("pending approval") == 2 and set(views.mailbox_ids(status="pending approval")) == {a.id, b.id}
    admin.set_approval(a, True)
    assert count("disabled") == 1 and views.mailbox_ids(status="disabled") == [a.id]
    admin.set_enabled(a, True)
    assert count("enabled") == 1
    Mailbox.update(incoming_status=codes.DirectionStatus.FAILURE).where(Mailbox.id == a.id).execute()
    assert count("failing") == 1 and views.mailbox_ids("zeta", status="failing") == [a.id]
    assert views.mailbox_ids("alpha", status="failing") == []
    Mailbox.update(transient_failure_count=1).where(Mailbox.id == a.id).execute()
    assert count("backing off") == 1
    EmailServerProfile.update(paused_at=datetime(2026, 1, 1)).execute()
    assert count("profile paused") == 1 and views.mailbox_ids(status="profile paused") == [a.id]


def test_counts_by_status_match_each_mailbox_classified_on_its_own(db):
    """The database counts groups of alike mailboxes; the result must equal classifying every row."""
    from crmsync_gui.core.domain.mailbox_status import STATUSES, mailbox_status

    p = admin.save_profile({"name": "Exch", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    paused = admin.save_profile({"name": "Down", "incoming_server": "https://down.example.com/EWS/Exchange.asmx"})
    EmailServerProfile.update(paused_at=datetime(2026, 1, 1)).where(EmailServerProfile.id == paused.id).execute()
    ok = {"approval": codes.Approval.APPROVED}
    variations = [
        {},  # pending approval
        {"approval": codes.Approval.REJECTED, "incoming_enabled": True},  # rejected
        {**ok, "profile": None, "incoming_enabled": True},  # no profile
        {**ok},  # disabled
        {**ok, "incoming_status": codes.DirectionStatus.FAILURE, "last_error_code": "AuthenticationFailed"},
        {**ok, "act_enabled": True},  # enabled
        {**ok, "act_enabled": True, "owner_queue": "a queue"},  # a queue's ACT does not sync: disabled
        {**ok, "outgoing_enabled": True, "profile": paused},  # profile paused
        {**ok, "incoming_enabled": True, "transient_failure_count": 1},  # backing off
        {**ok, "incoming_enabled": True, "transient_failure_count": 4,
         "act_status": codes.DirectionStatus.FAILURE},  # backing off before failing
        {**ok, "incoming_enabled": True, "act_status": codes.DirectionStatus.FAILURE},  # failing
        {**ok, "incoming_enabled": True, "incoming_method": codes.IncomingMethod.NONE},  # not synced: disabled
    ]
    for n, fields in enumerate(variations * 3):
        mailbox = admin.add_mailbox(f"Box {n}", f"box{n}@example.com", p)
        if "owner_queue" in fields:  # a queue has one mailbox
            fields = {**fields, "owner_queue": admin.add_queue(f"Queue {n}", f"queue{n}@example.com")}
        Mailbox.update({"act_method": codes.ActMethod.SERVER_SIDE_SYNC, **fields}).where(
            Mailbox.id == mailbox.id).execute()
    each = dict.fromkeys(STATUSES, 0)
    for mailbox in Mailbox.select():
        profile = mailbox.profile if mailbox.profile_id else None
        each[mailbox_status(mailbox, profile_paused=bool(profile and profile.paused_at)).code] += 1
    assert all(each.values()), each  # every status is present
    assert views.mailboxes_by_status() == each
    assert {status: len(views.mailbox_ids(status=status)) for status in STATUSES} == each


def test_hourly_counts_recount_only_the_hour_under_way_until_the_hour_turns(db):
    now = datetime(2026, 1, 5, 9, 30)
    count_synced(codes.Direction.INCOMING, now - timedelta(hours=2), 4)
    hourly = views.HourlyCounts(3)
    assert hourly.update(now) == views.per_hour(3, now=now)
    count_synced(codes.Direction.OUTGOING, now, 2)
    TraceLog.create(level=codes.TraceLevel.ERROR, code="E", message="m", collation_key="k", last_at=now)
    TraceLog.create(level=codes.TraceLevel.WARNING, code="W", message="m", collation_key="w", last_at=now)
    later = now + timedelta(minutes=10)
    assert hourly.update(later) == views.per_hour(3, now=later)
    assert hourly.last.errors == [0, 0, 1] and hourly.last.warnings == [0, 0, 1]
    assert hourly.last.synced[codes.Direction.OUTGOING] == [0, 0, 2]
    next_hour = now + timedelta(hours=1)
    assert hourly.update(next_hour) == views.per_hour(3, now=next_hour)
    assert hourly.last.slots[-1] == datetime(2026, 1, 5, 10)
    assert hourly.last.synced[codes.Direction.OUTGOING] == [0, 2, 0]
    assert hourly.last.synced[codes.Direction.INCOMING] == [0, 0, 0], "7:00 is out of the last 3 hours"


def test_arrival_times_take_tracked_arrivals_only(boxes):
    a, b, *_ = boxes
    now = datetime(2026, 1, 5, 9, 30)
    first = now - timedelta(hours=2)  # a's first sync: its history came in then, days after it arrived
    since = {a.id: first, b.id: now - timedelta(minutes=1)}  # as the engine's runs had it (tracking.is_arrival)

    def decided(mailbox, n, received, after_s, outcome=codes.TrackingOutcome.TRACKED):
        views.TrackingDecision.create(mailbox=mailbox, server_id=f"{mailbox.id}-{n}", outcome=outcome, reason="r",
                                      received_at=received, decided_at=received + timedelta(seconds=after_s),
                                      arrival=tracking.is_arrival(received, since[mailbox.id]))

    decided(a, 0, first - timedelta(days=3), 3 * 86400)  # history
    decided(a, 1, first - timedelta(hours=1), 3600)  # history too: before the first sync
    for n, after_s in enumerate([1, 2, 3, 4, 600], start=2):  # the hour before: push, and one polled
        decided(a, n, now - timedelta(hours=1), after_s)
    decided(a, 7, now - timedelta(minutes=5), 240, codes.TrackingOutcome.NOT_A_REPLY)  # not tracked
    Mailbox.update(arrival_latency_s=4.0).where(Mailbox.id == a.id).execute()
    times = views.ArrivalTimes(3)
    assert times.update(now) == views.ArrivalLatencies([None, 3.0, None], [None, 600.0, None], 4.0)
    decided(b, 0, now - timedelta(days=1), 86400)  # b's first sync, in the hour under way
    decided(b, 1, now, 10)
    decided(a, 8, now, 20)
    Mailbox.update(arrival_latency_s=10.0).where(Mailbox.id == b.id).execute()
    later = times.update(now + timedelta(minutes=1))
    assert (later.p50, later.p99, later.last_median) == ([None, 3.0, 20.0], [None, 600.0, 20.0], 10.0)
    turned = times.update(now + timedelta(hours=1))
    assert turned.p50 == [3.0, 20.0, None] and times.slots[-1] == datetime(2026, 1, 5, 10)


def test_trace_pages_by_keyset_and_filters(boxes):
    a, *_ = boxes
    base = datetime(2026, 1, 1)
    for i in range(25):
        TraceLog.create(level=codes.TraceLevel.ERROR if i % 5 == 0 else codes.TraceLevel.WARNING,
                        code=f"E{i % 3}", message=f"message {i}", mailbox=a if i % 2 else None,
                        collation_key=str(i), last_at=base + timedelta(minutes=i // 2))
    flt = views.TraceFilter()
    seen, after = [], None
    while rows := views.trace_page(flt, after, limit=4):
        seen += [r[0] for r in rows]
        after = (rows[-1][8], rows[-1][0])
    everything = [r.id for r in TraceLog.select().order_by(TraceLog.last_at.desc(), TraceLog.id.desc())]
    assert seen == everything
    assert [r[0] for r in views.iter_trace_rows(flt, chunk=7)] == everything
    assert views.trace_count(views.TraceFilter(level=codes.TraceLevel.ERROR)) == 5
    assert views.trace_count(views.TraceFilter(mailbox_id=a.id, code="E1")) == 4
    assert views.trace_count(views.TraceFilter(text="message 1")) == 11
    assert views.trace_count(views.TraceFilter(since=base + timedelta(minutes=10))) == 5
    assert views.trace_count(views.TraceFilter(), cap=10) == 10


@pytest.mark.sqlite_only
def test_text_filter_through_the_trigram_index_matches_plain_like(db, monkeypatch):
    from crmsync_gui.core.store.text_search import has_trace_text_index

    assert has_trace_text_index(db)
    monkeypatch.setattr(views, "TEXT_PROBE", 100)
    TraceLog.insert_many([dict(level=2, code="C", message=f"{'Common' if i % 2 else 'other'} text number {i}",
                               collation_key=f"k{i}") for i in range(1500)]).execute()
    def sql(flt):
        return views.TraceLog.select().where(flt.text_condition()).sql()[0]

    rare = views.TraceFilter(text="number 1234")
    assert "trace_log_text" in sql(rare)  # few matches: the index answers
    assert [r[3] for r in views.trace_page(rare)] == ["other text number 1234"]
    common = views.TraceFilter(text="common")  # case-insensitive, like the plain LIKE
    assert "trace_log_text" not in sql(common)  # many matches: walk the newest rows
    assert views.trace_count(common) == 750
    # the triggers keep the index in step with updates and deletes
    row = TraceLog.get(TraceLog.message == "other text number 1234")
    row.message = "renamed entry"
    row.save()
    assert views.trace_count(views.TraceFilter(text="number 1234")) == 0
    assert views.trace_count(views.TraceFilter(text="renamed entr")) == 1
    row.delete_instance()
    assert views.trace_count(views.TraceFilter(text="renamed entr")) == 0
    assert views.trace_count(views.TraceFilter(text="50%")) == 0  # wildcards: plain LIKE, escaped
