"""Engine workers as records (core/sync/workers.py): a running engine's row, its heartbeat and load, lost workers."""
import asyncio
import os
import socket
from datetime import timedelta

import pytest

from crmsync_gui import __version__
from crmsync_gui.core import codes
from crmsync_gui.core.store.models import EngineWorker
from crmsync_gui.core.sync import workers
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.core.sync.workers import WorkerRecord, list_workers
from tests.core.sync.conftest import add_mailbox, add_profile
from tests.waiting import until

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL


def test_a_running_engine_is_a_worker_with_its_load_and_leaves_no_row_when_it_stops(db, world, clock, make_engine,
                                                                                    monkeypatch):
    monkeypatch.setattr(workers, "HEARTBEAT_S", 0.05)
    profile = add_profile()
    add_mailbox(profile, "Ann")
    bob = add_mailbox(profile, "Bob")
    release = asyncio.Event()

    async def slow(job):
        await release.wait()
        return 1

    world.script(bob, codes.Direction.INCOMING, slow)

    async def scenario():
        engine = await make_engine(EngineConfig(lease_s=30))
        await engine.start()
        try:
            await until(lambda: EngineWorker.get_or_none(jobs_running=1) is not None, "Bob's job counted as running")
            [busy] = list_workers(clock.now())
            release.set()
            await until(lambda: EngineWorker.get_or_none(jobs_running=0, mailboxes_last_hour=2) is not None,
                        "both mailboxes counted as synced in the last hour")
            [idle] = list_workers(clock.now())
        finally:
            await engine.stop()
        return engine, busy, idle

    engine, busy, idle = asyncio.run(scenario())
    assert (busy.worker_id, busy.host, busy.pid, busy.version) == (engine.worker_id, socket.gethostname(), os.getpid(),
                                                                   __version__)
    assert busy.alive and busy.state == "running" and busy.jobs_running == 1
    assert busy.lease_s == 30
    assert idle.jobs_running == 0 and idle.mailboxes_last_hour == 2 and idle.started_at == busy.started_at
    assert list_workers(clock.now()) == [], "a worker that stopped is no worker"


def test_a_worker_whose_heartbeat_is_older_than_its_lease_is_lost_and_forgotten_after_a_day(db, clock):
    old, new = WorkerRecord("hostA:10:a", lease_s=60), WorkerRecord("hostB:20:b", lease_s=60)
    old.register(clock.now())
    clock.advance(30)
    new.register(clock.now())
    assert [(w.worker_id, w.alive) for w in list_workers(clock.now())] == [("hostB:20:b", True), ("hostA:10:a", True)]
    clock.advance(45)  # A's heartbeat is 75 s old, B's 45 s
    new.beat(clock.now(), jobs_running=3)
    listed = list_workers(clock.now())
    assert [(w.worker_id, w.state, w.jobs_running) for w in listed] == [("hostB:20:b", "running", 3),
                                                                        ("hostA:10:a", "lost", 0)]
    old.beat(clock.now(), jobs_running=0)  # it came back: alive again
    assert all(w.alive for w in list_workers(clock.now()))
    clock.advance(workers.FORGET_AFTER.total_seconds() - 1)
    new.beat(clock.now(), jobs_running=0)
    assert {w.worker_id for w in list_workers(clock.now())} == {"hostA:10:a", "hostB:20:b"}
    clock.advance(2)
    new.beat(clock.now(), jobs_running=0)
    assert [w.worker_id for w in list_workers(clock.now())] == ["hostB:20:b"], "a day-old lost worker is forgotten"


def test_a_worker_whose_row_was_deleted_registers_again_on_its_next_beat(db, clock):
    record = WorkerRecord("hostA:10:a", lease_s=60)
    record.register(clock.now())
    EngineWorker.delete().execute()
    clock.advance(5)
    record.synced(7)
    record.beat(clock.now(), jobs_running=1)
    [row] = list_workers(clock.now())
    assert (row.worker_id, row.started_at, row.jobs_running, row.mailboxes_last_hour) == (
        "hostA:10:a", clock.now(), 1, 1)
    assert row.heartbeat_at - row.started_at == timedelta(0)


def test_one_cycle_of_an_engine_is_a_worker_while_it_runs(db, world, clock, make_engine):
    """`crmsync engine run --once` takes leases like a running engine, so `engine workers` shows it while it runs."""
    profile = add_profile()
    ann = add_mailbox(profile, "Ann")
    release = asyncio.Event()

    async def slow(job):
        await release.wait()
        return 1

    world.script(ann, codes.Direction.INCOMING, slow)

    async def scenario():
        engine = await make_engine(EngineConfig(lease_s=30))
        cycle = asyncio.create_task(engine.run_once())
        try:
            await until(lambda: EngineWorker.get_or_none(worker_id=engine.worker_id) is not None,
                        "the cycle's worker row")
            during = list_workers(clock.now())
            release.set()
            summary = await cycle
        finally:
            await engine.stop()
        return engine, during, summary

    engine, during, summary = asyncio.run(scenario())
    assert [(w.worker_id, w.alive, w.pid) for w in during] == [(engine.worker_id, True, os.getpid())]
    assert summary.jobs == 1
    assert list_workers(clock.now()) == [], "the cycle's row goes when it stops"
