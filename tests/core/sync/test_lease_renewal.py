"""A running job's lease is renewed by the engine's heartbeat (core/sync/leases.py, engine.py): a job longer than
the lease period is never taken over, and a job whose lease another engine took is stopped and writes nothing."""
import asyncio
from datetime import timedelta

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.clock import SystemClock
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.core.sync.leases import Leases
from crmsync_gui.core.sync.statements import JobStatements
from tests.core.sync.conftest import add_mailbox, add_profile, reload
from tests.waiting import until

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

D = codes.Direction
LEASE_S = 0.6  # the heartbeat renews every 0.2 s


def test_a_job_longer_than_its_lease_keeps_it_to_the_end(db, world, make_engine):
    mailbox = add_mailbox(add_profile(), "Ann")
    clock = SystemClock()
    other = Leases("hostB:2:b", JobStatements())
    refused = []

    async def long_sync(job):
        for _ in range(8):  # 2 s, more than three lease periods
            await asyncio.sleep(0.25)
            refused.append(not other.take(reload(mailbox), D.INCOMING, clock.now(), lease_s=LEASE_S))
        return 4

    world.script(mailbox, D.INCOMING, long_sync)

    async def scenario():
        engine = await make_engine(EngineConfig(lease_s=LEASE_S), clock=clock)
        await engine.start(scheduler=False)
        try:
            return await engine.sync_now(mailbox.id, D.INCOMING)
        finally:
            await engine.stop()

    [result] = asyncio.run(scenario())
    assert result.ok and result.items == 4
    assert refused == [True] * 8, "another engine took the lease while the job ran"
    row = reload(mailbox)
    assert row.incoming_status == codes.DirectionStatus.SUCCESS and row.lock_host is None


def test_a_job_whose_lease_another_engine_took_is_stopped_and_records_nothing(db, world, make_engine, recorder):
    mailbox = add_mailbox(add_profile(), "Ann")
    clock = SystemClock()
    started, finished = asyncio.Event(), []

    async def long_sync(job):
        started.set()
        await asyncio.sleep(5)
        finished.append(True)
        return 1

    world.script(mailbox, D.INCOMING, long_sync)

    async def scenario():
        engine = await make_engine(EngineConfig(lease_s=LEASE_S), clock=clock)
        await engine.start(scheduler=False)
        try:
            job = asyncio.ensure_future(engine.sync_now(mailbox.id, D.INCOMING))
            await started.wait()
            # as if this engine had been silent past the lease: another one took the mailbox over
            Mailbox.update(lock_host="hostB:2:b", lock_expires=clock.now() + timedelta(minutes=1)).where(
                Mailbox.id == mailbox.id).execute()
            waited = await until(job.done, "the job to stop", 5)
            return job.result(), waited
        finally:
            await engine.stop()

    before = reload(mailbox)
    [result], waited = asyncio.run(scenario())
    assert result.code == "LeaseLost" and "another engine took its lease over" in result.message
    assert waited < 3 * LEASE_S and not finished
    after = reload(mailbox)
    assert after.lock_host == "hostB:2:b", "the other engine's lease is left alone"
    assert (after.incoming_status, after.incoming_transient_failures, after.last_error_code, after.incoming_next_run) \
        == (before.incoming_status, before.incoming_transient_failures, before.last_error_code,
            before.incoming_next_run), "nothing written on the mailbox"
    [failed] = [e for e in recorder.events if type(e).__name__ == "JobFailed"]
    assert failed.code == "LeaseLost"
