"""Every schedule rule, on a fake clock: busy, normal, idle back-off, the 12-minute ceiling,
the profile's minimum polling interval, transient back-off, and next run stored for the console."""
import asyncio
from datetime import timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.sync import schedule
from tests.core.sync.conftest import add_mailbox, add_profile, reload

D = codes.Direction
MIN = 60


def test_busy_normal_and_idle_backoff_rules():
    assert schedule.after_success(items=3, idle_cycles=0) == 2 * MIN
    assert schedule.after_success(items=0, idle_cycles=1) == 5 * MIN
    idle = [schedule.after_success(items=0, idle_cycles=n) for n in range(1, 30)]
    assert idle == sorted(idle), "idle intervals only grow"
    assert idle[1] > 5 * MIN and max(idle) == 12 * MIN


def test_minimum_polling_interval_is_a_floor():
    assert schedule.after_success(items=5, idle_cycles=0, min_polling_minutes=10) == 10 * MIN
    assert schedule.after_success(items=0, idle_cycles=1, min_polling_minutes=3) == 5 * MIN
    assert schedule.after_success(items=0, idle_cycles=9, min_polling_minutes=30) == 30 * MIN
    assert schedule.after_transient(1, None, min_polling_minutes=10) == 10 * MIN


def test_transient_backoff_grows_honours_server_backoff_and_stays_within_12_minutes():
    waits = [schedule.after_transient(n, None) for n in range(1, 11)]
    assert waits[0] == 30 and waits == sorted(waits) and max(waits) == 5 * MIN
    assert schedule.after_transient(1, retry_after_s=90) == 90
    assert schedule.after_transient(1, retry_after_s=3600) == 12 * MIN


def test_engine_follows_the_schedule_and_stores_next_run(db, world, clock, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, 4, 0, 0, 0, 0, 0, 0)

    async def scenario():
        engine = await make_engine()
        gaps = []
        try:
            for _ in range(7):
                summary = await engine.run_once()
                assert summary.jobs == 1
                row = reload(mailbox)
                gap = (row.incoming_next_run - clock.now()).total_seconds()
                gaps.append(gap)
                # not run again before its time
                clock.advance(gap - 1)
                assert (await engine.run_once()).jobs == 0
                clock.advance(1)
        finally:
            await engine.stop()
        return gaps

    gaps = asyncio.run(scenario())
    assert gaps[0] == 2 * MIN  # busy: it had 4 items
    assert gaps[1] == 5 * MIN  # first empty cycle: normal
    assert gaps[1] < gaps[2] < gaps[3] < gaps[4] and gaps[4] == gaps[5] == gaps[6] == 12 * MIN
    row = reload(mailbox)
    assert row.no_email_count == 6 and row.incoming_status == codes.DirectionStatus.SUCCESS
    assert row.last_sync_at == clock.now() - timedelta(minutes=12)


def test_never_more_than_12_minutes_between_syncs_of_an_enabled_mailbox(db, world, clock, make_engine):
    profile = add_profile()
    boxes = [add_mailbox(profile, f"M{i}", outgoing=True, act=True) for i in range(5)]
    last_run = {}

    async def scenario():
        engine = await make_engine()
        try:
            for _minute in range(0, 120):
                await engine.run_once()
                for mailbox_id, direction, _kind in world.calls:
                    last_run.setdefault((mailbox_id, direction), []).append(clock.now())
                world.calls.clear()
                clock.advance(MIN)
        finally:
            await engine.stop()

    asyncio.run(scenario())
    assert len(last_run) == len(boxes) * 3
    for runs in last_run.values():
        gaps = [(b - a).total_seconds() for a, b in zip(runs, runs[1:], strict=False)]
        assert len(runs) >= 10 and max(gaps) <= 12 * MIN


def test_profile_minimum_polling_interval_is_honoured(db, world, clock, make_engine):
    profile = add_profile(min_polling_interval_minutes=30)
    mailbox = add_mailbox(profile, "Ann")
    world.default = 5  # busy every cycle: it would run every 2 minutes otherwise

    async def scenario():
        engine = await make_engine()
        runs = 0
        try:
            for _ in range(90):
                runs += (await engine.run_once()).jobs
                clock.advance(MIN)
        finally:
            await engine.stop()
        return runs

    assert asyncio.run(scenario()) == 3  # minutes 0, 30, 60
    assert (reload(mailbox).incoming_next_run - clock.now()).total_seconds() <= 30 * MIN


def test_transient_failure_backs_off_then_recovers(db, world, clock, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, TransientError("Timeout", "Timed out."), TransientError("Timeout", "Timed out."), 0)

    async def scenario():
        engine = await make_engine()
        try:
            await engine.run_once()
            assert (reload(mailbox).incoming_next_run - clock.now()).total_seconds() == 30
            clock.advance(30)
            await engine.run_once()
            assert (reload(mailbox).incoming_next_run - clock.now()).total_seconds() == 60
            assert reload(mailbox).incoming_transient_failures == 2
            clock.advance(60)
            await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    row = reload(mailbox)
    assert row.incoming_transient_failures == 0 and row.transient_failure_count == 0
    assert row.incoming_enabled and row.incoming_status == codes.DirectionStatus.SUCCESS
