"""EngineProcess: the console's engine in a child process, syncing the demo organization on the EWS sandbox."""
import asyncio
import os
import signal
import socket

import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.store.db import close_database
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.core.sync.host import EngineProcess
from crmsync_gui.demo import start_demo
from tests.waiting import until

QUICK = EngineConfig(tick_s=0.2, stop_grace_s=2)


@pytest.fixture
def demo():
    demo = start_demo(mailboxes=2, items=3)  # the first is fine, the second has a wrong password
    yield demo
    close_database()
    demo.stop()


def fine_and_faulty(demo) -> tuple[Mailbox, Mailbox]:
    """A mailbox that syncs, and the one whose password is wrong."""
    boxes = {m.email: m for m in Mailbox.select()}
    wrong = next(a for a, why in demo.faulty.items() if "password" in why)
    return next(m for a, m in boxes.items() if a not in demo.faulty and m.owner_user_id), boxes[wrong]


def test_the_engine_syncs_in_its_own_process_and_answers_the_consoles_calls(demo):
    bus = events.EventBus()
    seen: list = []
    bus.subscribe(seen.append)
    fine, faulty = fine_and_faulty(demo)

    async def scenario():
        engine = EngineProcess(demo.db_path, demo.secrets, bus, QUICK)
        await engine.start()
        try:
            assert engine.state == "running" and engine.connector_problems == {}
            child = engine._process
            assert child.pid != os.getpid()
            await until(lambda: any(isinstance(e, events.JobFinished) and e.mailbox_id == fine.id for e in seen),
                        "the fine mailbox's first sync")
            tested = await engine.test_and_enable(fine.id)
            synced = await engine.sync_now(fine.id, codes.Direction.INCOMING)
            with pytest.raises(CrmSyncError, match="No mailbox with id 9999; it may have been deleted"):
                await engine.sync_now(9999)  # the engine's own refusal, carried back
        finally:
            await engine.stop()
        return engine, child, tested, synced

    engine, child, tested, synced = asyncio.run(scenario())
    assert tested[codes.Direction.INCOMING].ok and [r.ok for r in synced] == [True]
    assert engine.state == "stopped" and child.exitcode == 0
    assert [e.state for e in seen if isinstance(e, events.EngineStateChanged)][-1] == "stopped"
    failed = {e.mailbox_id for e in seen if isinstance(e, events.JobFailed)}
    assert faulty.id in failed, "the wrong password's failure reached the console"
    assert Mailbox.get_by_id(fine.id).last_sync_at is not None, "the child wrote the console's database"


def test_calls_before_start_are_refused_with_the_reason():
    engine = EngineProcess("unused.db", None, events.EventBus())
    with pytest.raises(CrmSyncError, match="engine is stopped"):
        asyncio.run(engine.sync_now(1))


def test_an_engine_that_cannot_start_says_why_and_leaves_no_process(tmp_path):
    broken = tmp_path / "crm.db"
    broken.write_bytes(b"this is not a database" * 100)
    engine = EngineProcess(broken, None, events.EventBus(), QUICK)
    with pytest.raises(CrmSyncError, match="could not start"):
        asyncio.run(engine.start())
    assert engine._process is None and engine.state == "stopped"


def test_a_killed_engine_process_shows_as_stopped_and_fails_the_call_waiting_on_it(demo):
    bus = events.EventBus()
    seen: list = []
    bus.subscribe(seen.append)
    fine, _ = fine_and_faulty(demo)
    demo.sandbox.inject("delay", mailbox=fine.email, seconds=20)

    async def scenario():
        engine = EngineProcess(demo.db_path, demo.secrets, bus, QUICK)
        await engine.start()
        try:
            waiting = asyncio.ensure_future(engine.test_and_enable(fine.id))
            await asyncio.sleep(0.5)
            os.kill(engine._process.pid, signal.SIGKILL)
            with pytest.raises(CrmSyncError, match="ended unexpectedly"):
                await asyncio.wait_for(waiting, 10)
            return engine.state
        finally:
            await engine.stop()

    assert asyncio.run(scenario()) == "stopped"
    assert [e.state for e in seen if isinstance(e, events.EngineStateChanged)][-1] == "stopped"


def test_the_engine_process_stops_by_itself_when_the_console_goes_away(demo):
    async def scenario():
        engine = EngineProcess(demo.db_path, demo.secrets, events.EventBus(), QUICK)
        await engine.start()
        child = engine._process
        # as when the console dies: its end of the pipe goes away under the child
        socket.fromfd(engine._conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM).shutdown(socket.SHUT_RDWR)
        await asyncio.to_thread(child.join, 15)
        await asyncio.to_thread(engine._reader.join, 10)
        return child

    child = asyncio.run(scenario())
    assert child.exitcode == 0, "the engine stopped cleanly, not killed"


def test_the_engine_process_stops_cleanly_on_sigterm(demo):
    """multiprocessing terminates a console's engine with SIGTERM when the console exits without stopping it."""
    bus = events.EventBus()
    seen: list = []
    bus.subscribe(seen.append)

    async def scenario():
        engine = EngineProcess(demo.db_path, demo.secrets, bus, QUICK)
        await engine.start()
        child = engine._process
        os.kill(child.pid, signal.SIGTERM)
        await asyncio.to_thread(child.join, 15)
        await engine.stop()
        return child

    child = asyncio.run(scenario())
    assert child.exitcode == 0, "the engine stopped cleanly, not killed by the signal"
    assert [e.state for e in seen if isinstance(e, events.EngineStateChanged)][-2:] == ["stopping", "stopped"]
