"""The engine's queues, limits, services, leases and events, on the fake connector."""
import asyncio
import socket
import subprocess
import sys
import time

import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import CrmSyncError, PermanentError
from crmsync_gui.core.store.models import Activity, Mailbox, TraceLog
from crmsync_gui.core.sync.clock import SystemClock
from crmsync_gui.core.sync.engine import EngineConfig, QueueConfig
from tests.core.sync.conftest import add_mailbox, add_profile, reload
from tests.core.sync.fakes import TrackingConnector

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

D = codes.Direction


def pending_email(mailbox) -> Activity:
    return Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote", mailbox=mailbox,
                           email_status=codes.EmailStatus.PENDING_SEND, direction_outgoing=True)


@pytest.mark.sqlite_only  # queue isolation under timing: the store plays no part, and PostgreSQL's slower
# round trips only make its sampling of the running count flakier
def test_an_incoming_flood_never_starves_outgoing_or_async_operations(db, world, make_engine, recorder):
    """500 slow incoming jobs on one profile: outgoing email and a Test & Enable still start at once."""
    world.latency_s = 0.05
    profile = add_profile(max_concurrent_connections=4)
    for i in range(500):
        add_mailbox(profile, f"M{i}")
    sender = add_mailbox(profile, "Sender", incoming=False, outgoing=True)
    fresh = add_mailbox(profile, "Fresh", incoming=False)
    fresh.incoming_method = codes.IncomingMethod.SERVER_SIDE_SYNC
    fresh.save()
    config = EngineConfig(incoming=QueueConfig(4, 60), max_concurrent_jobs=4)

    def unsynced():
        return Mailbox.select().where(Mailbox.last_sync_at.is_null() & Mailbox.incoming_enabled).count()

    async def scenario():
        engine = await make_engine(config, clock=SystemClock())
        await engine.start()
        try:
            await asyncio.sleep(0.5)  # the flood is under way
            assert engine.depths()["incoming"][1] == 4 and unsynced() > 400
            email = pending_email(sender)
            t0 = time.monotonic()
            engine.bus.publish(events.EmailQueued(email.id, sender.id))
            tested = await asyncio.wait_for(engine.test_and_enable(fresh.id), 5)
            test_s = time.monotonic() - t0
            while Activity.get_by_id(email.id).email_status != codes.EmailStatus.SENT:
                await asyncio.sleep(0.01)
            sent_s = time.monotonic() - t0
            still_waiting = unsynced()
        finally:
            await engine.stop()
        return tested, test_s, sent_s, still_waiting

    tested, test_s, sent_s, still_waiting = asyncio.run(scenario())
    assert tested[D.INCOMING].ok
    assert still_waiting > 300, "the flood was still there when the others finished"
    # the flood needs 500 × 0.05 s / 4 workers ≈ 6 s; anything queued behind it would take that long
    assert sent_s < 3.0 and test_s < 3.0, (sent_s, test_s)
    assert world.peak_connections[profile.id] <= 4
    # the console saw the flood: jobs running and more waiting (a 2 Hz sample may catch a worker between two jobs)
    assert any(isinstance(e, events.QueueDepths) and any(n == "incoming" and w > 0 and r > 0 for n, w, r in e.depths)
               for e in recorder.events)


def test_the_per_server_connection_cap_holds_across_all_queues(db, world, make_engine):
    world.latency_s = 0.02
    capped = add_profile(max_concurrent_connections=3)
    roomy = add_profile("Roomy", max_concurrent_connections=50)
    for i in range(30):
        add_mailbox(capped, f"C{i}", outgoing=True, act=True)
        add_mailbox(roomy, f"R{i}", outgoing=True, act=True)

    async def scenario():
        engine = await make_engine(EngineConfig(max_concurrent_jobs=60))
        try:
            summary = await engine.run_once()
            return summary, engine.connection_peak(capped.id)
        finally:
            await engine.stop()

    summary, engine_peak = asyncio.run(scenario())
    assert summary.jobs == 180 and summary.succeeded == 180
    assert world.peak_connections[capped.id] == 3 == engine_peak  # reached, never exceeded
    assert world.peak_connections[roomy.id] > 3


def test_the_global_cap_limits_concurrent_jobs(db, world, make_engine):
    world.latency_s = 0.02
    profile = add_profile(max_concurrent_connections=300)
    for i in range(40):
        add_mailbox(profile, f"M{i}", outgoing=True)

    async def scenario():
        engine = await make_engine(EngineConfig(max_concurrent_jobs=5, reserved_per_queue=1))
        try:
            await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    # 5 shared slots plus the one each of the 4 queues may always run
    assert 5 < world.peak_connections[profile.id] <= 5 + 2


def test_pending_send_is_picked_up_within_seconds_without_a_wake_up(db, world, make_engine):
    profile = add_profile()
    sender = add_mailbox(profile, "Sender", incoming=False, outgoing=True)

    async def scenario():
        engine = await make_engine(EngineConfig(pending_scan_s=0.5, tick_s=0.1), clock=SystemClock())
        await engine.start()
        try:
            await asyncio.sleep(0.3)
            email = pending_email(sender)  # written by another program: no event
            t0 = time.monotonic()
            while Activity.get_by_id(email.id).email_status != codes.EmailStatus.SENT:
                await asyncio.sleep(0.02)
                assert time.monotonic() - t0 < 5
            return time.monotonic() - t0
        finally:
            await engine.stop()

    assert asyncio.run(scenario()) < 1.5


def test_sync_now_runs_ahead_of_the_schedule_and_the_schedule_goes_on(db, world, clock, make_engine, recorder):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann", outgoing=True)
    world.script(mailbox, D.INCOMING, 0, 7)

    async def scenario():
        engine = await make_engine()
        await engine.start(scheduler=False)
        try:
            await engine.run_once()
            clock.advance(60)
            results = await engine.sync_now(mailbox.id)
            assert (await engine.run_once()).jobs == 0, "sync now did not make it due again"
            return results
        finally:
            await engine.stop()

    results = asyncio.run(scenario())
    assert {r.direction: r.items for r in results} == {D.INCOMING: 7, D.OUTGOING: 0}
    row = reload(mailbox)
    assert (row.incoming_next_run - clock.now()).total_seconds() == 120  # busy rule from the sync-now result
    assert TraceLog.get(TraceLog.code == "SyncNowRequested").mailbox_id == mailbox.id
    started = recorder.of(events.JobStarted)
    assert started[-1].due_at is None and len(started) == 4


def test_sync_now_refuses_a_mailbox_that_may_not_sync(db, world, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann", approval=codes.Approval.PENDING)

    async def scenario():
        engine = await make_engine()
        await engine.start(scheduler=False)
        try:
            with pytest.raises(CrmSyncError, match="not approved"):
                await engine.sync_now(mailbox.id)
        finally:
            await engine.stop()

    asyncio.run(scenario())


def test_track_now_tracks_one_item_or_falls_back_to_an_incoming_sync(db, world, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, 2)

    async def scenario(factory):
        engine = await make_engine(factory=factory)
        await engine.start(scheduler=False)
        try:
            return await engine.track_now(mailbox.id, "AAMkItem1")
        finally:
            await engine.stop()

    assert asyncio.run(scenario(lambda p: TrackingConnector(world, p))) == 1
    assert world.calls == [(mailbox.id, D.INCOMING, "track:AAMkItem1")]
    assert asyncio.run(scenario(world.factory)) == 2
    assert world.calls[-1] == (mailbox.id, D.INCOMING, "sync")


def test_test_and_enable_records_status_and_enables_what_passed(db, world, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann", incoming=False, outgoing=False, act=False)
    mailbox.act_method = codes.ActMethod.SERVER_SIDE_SYNC
    mailbox.save()
    world.tests[(mailbox.id, D.OUTGOING)] = PermanentError("AccessDenied", "No send-as right.",
                                                           action="Grant send-as to the profile account.")

    async def scenario():
        engine = await make_engine()
        await engine.start(scheduler=False)
        try:
            return await engine.test_and_enable(mailbox.id)
        finally:
            await engine.stop()

    results = asyncio.run(scenario())
    assert results[D.INCOMING].ok and results[D.ACT].ok and results[D.OUTGOING].code == "AccessDenied"
    row = reload(mailbox)
    assert (row.incoming_enabled, row.outgoing_enabled, row.act_enabled) == (True, False, True)
    assert (row.incoming_status, row.outgoing_status, row.act_status) == (1, 2, 1)
    failed = TraceLog.get(TraceLog.code == "TestFailed")
    assert "send-as" in failed.message and failed.remediation.strip()


def test_a_live_lease_blocks_and_an_expired_one_is_taken_over(db, world, clock, make_engine):
    from datetime import timedelta

    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    Mailbox.update(lock_host="other-host:4242:abcd", lock_state=1,
                   lock_expires=clock.now() + timedelta(minutes=5)).where(Mailbox.id == mailbox.id).execute()

    async def scenario():
        engine = await make_engine()
        try:
            assert (await engine.run_once()).jobs == 0
            clock.advance(5 * 60 + 1)
            assert (await engine.run_once()).jobs == 1
        finally:
            await engine.stop()

    asyncio.run(scenario())
    row = reload(mailbox)
    assert row.lock_host is None and row.lock_state == 0, "released after the job"
    taken = TraceLog.get(TraceLog.code == "LeaseTakenOver")
    assert "other-host:4242:abcd" in taken.message and taken.level == codes.TraceLevel.WARNING


def test_two_engines_on_one_database_never_sync_one_mailbox_at_once(db, world, clock, make_engine):
    profile = add_profile()
    boxes = [add_mailbox(profile, f"M{i}") for i in range(20)]
    running: set[int] = set()
    overlaps = []

    async def slow(job):
        if job.mailbox.id in running:
            overlaps.append(job.mailbox.id)
        running.add(job.mailbox.id)
        await asyncio.sleep(0.01)
        running.discard(job.mailbox.id)
        return 0

    for b in boxes:
        world.script(b, D.INCOMING, slow, slow)

    async def scenario():
        first, second = await make_engine(), await make_engine()
        try:
            a, b = await asyncio.gather(first.run_once(), second.run_once())
        finally:
            await first.stop()
            await second.stop()
        return a, b

    a, b = asyncio.run(scenario())
    assert a.jobs + b.jobs == 20 and not overlaps
    assert len([c for c in world.calls if c[2] == "sync"]) == 20


def test_a_direction_another_engine_synced_after_it_was_queued_is_not_synced_again(db, world, clock, make_engine):
    from crmsync_gui.core.sync.engine import _Work
    from crmsync_gui.core.sync.work import WorkKind

    mailbox = add_mailbox(add_profile(), "Ann")

    async def scenario():
        first, second = await make_engine(), await make_engine()
        await second.start(scheduler=False)
        try:
            due = reload(mailbox).incoming_next_run or clock.now()
            assert (await first.run_once()).jobs == 1  # the first engine syncs it ...
            # ... while the second had it queued from an earlier look at what was due
            stale = await second._submit(_Work(WorkKind.SYNC, mailbox.id, D.INCOMING, due, scheduled=True))
            asked = await second.sync_now(mailbox.id, D.INCOMING)  # an administrator's Sync now still runs
        finally:
            await first.stop()
            await second.stop()
        return stale, asked

    stale, asked = asyncio.run(scenario())
    assert stale.code == "NotDue" and asked[0].ok
    assert len([c for c in world.calls if c[2] == "sync"]) == 2


def test_a_crashed_engine_on_this_host_leaves_no_stuck_lease(db, world, clock, make_engine):
    from datetime import timedelta

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    Mailbox.update(lock_host=f"{socket.gethostname()}:{dead.pid}:dead", lock_state=1,
                   lock_expires=clock.now() + timedelta(minutes=10)).where(Mailbox.id == mailbox.id).execute()

    async def scenario():
        engine = await make_engine()
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    assert asyncio.run(scenario()).jobs == 1
    assert "no longer running" in TraceLog.get(TraceLog.code == "LeaseTakenOver").message


def test_job_events_carry_counts_and_duration(db, world, clock, make_engine, recorder):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, 3)

    async def scenario():
        engine = await make_engine()
        try:
            await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    started, finished = recorder.of(events.JobStarted), recorder.of(events.JobFinished)
    assert [(e.mailbox_id, e.direction, e.queue) for e in started] == [(mailbox.id, D.INCOMING, "incoming")]
    assert finished[0].items == 3 and finished[0].duration_s >= 0
    assert [e.state for e in recorder.of(events.EngineStateChanged)] == ["starting", "running", "stopping", "stopped"]
    assert any(isinstance(e, events.MailboxChanged) and e.mailbox_id == mailbox.id for e in recorder.events)


def test_the_job_gives_connectors_the_password_and_timeout_and_never_shows_the_password(db, world, make_engine, tmp_path):
    from crmsync_gui.core.secrets import SecretStore

    secrets = SecretStore(tmp_path / "s.json", use_keyring=False)
    profile = add_profile(timeout_ms=15_000, username="svc@example.test", secret_ref=secrets.put("s3cret!"))
    mailbox = add_mailbox(profile, "Ann")
    seen = {}

    async def look(job):
        seen.update(password=job.password, timeout=job.timeout_s, text=repr(job), user=job.username)
        return 0

    world.script(mailbox, D.INCOMING, look)

    async def scenario():
        engine = await make_engine(secrets=secrets)
        try:
            await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    assert seen["password"] == "s3cret!" and seen["timeout"] == 15 and seen["user"] == "svc@example.test"
    assert "s3cret" not in seen["text"]


def test_connector_modules_load_and_a_broken_one_is_reported(monkeypatch, tmp_path):
    import crmsync_gui.core.connectors as package

    (tmp_path / "working.py").write_text("LOADED = True\n")
    (tmp_path / "broken.py").write_text("import no_such_library_here\n")
    monkeypatch.setattr(package, "__path__", [str(tmp_path)])
    problems = package.load_connectors()
    assert list(problems) == ["broken"] and "no_such_library_here" in problems["broken"]
    assert sys.modules["crmsync_gui.core.connectors.working"].LOADED
    del sys.modules["crmsync_gui.core.connectors.working"]
