"""EngineHost: the engine on its own thread and loop, driven from another loop (the console's)."""
import asyncio
import threading

from crmsync_gui.core import codes, events
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.clock import SystemClock
from crmsync_gui.core.sync.engine import EngineConfig, QueueConfig
from crmsync_gui.core.sync.host import EngineHost
from tests.core.sync.conftest import add_mailbox, add_profile


def test_the_engine_works_on_its_own_thread_and_answers_calls_from_the_callers_loop(db, world, make_engine, bus):
    world.latency_s = 0.02
    profile = add_profile(max_concurrent_connections=4)
    boxes = [add_mailbox(profile, f"M{i}") for i in range(40)]
    threads: set[str] = set()
    bus.subscribe(lambda event: threads.add(threading.current_thread().name))

    async def scenario():
        engine = await make_engine(EngineConfig(incoming=QueueConfig(4, 60)), clock=SystemClock())
        host = EngineHost(engine)
        await host.start()
        try:
            assert host.state == "running"
            while Mailbox.select().where(Mailbox.last_sync_at.is_null()).count():  # read on this thread
                await asyncio.sleep(0.02)
            results = await host.test_and_enable(boxes[0].id)
            synced = await host.sync_now(boxes[1].id, codes.Direction.INCOMING)
        finally:
            await host.stop()
        return results, synced, engine

    results, synced, engine = asyncio.run(scenario())
    assert engine.state == "stopped"
    assert results[codes.Direction.INCOMING].ok and [r.ok for r in synced] == [True]
    assert threads == {"crmsync-engine"}, "events come from the engine's own thread"
    assert not any(t.name == "crmsync-engine" for t in threading.enumerate()), "the thread ended with the engine"


def test_calls_before_start_are_refused(db, world, make_engine):
    async def scenario():
        host = EngineHost(await make_engine())
        try:
            await host.sync_now(1)
        except RuntimeError as exc:
            return str(exc)

    assert "not running" in asyncio.run(scenario())


def test_events_the_engine_publishes_reach_a_subscriber_on_the_callers_side(db, world, make_engine, bus):
    profile = add_profile()
    add_mailbox(profile, "Ann")
    seen: list = []
    bus.subscribe(seen.append)

    async def scenario():
        host = EngineHost(await make_engine(clock=SystemClock()))
        await host.start()
        try:
            for _ in range(200):
                if any(isinstance(e, events.JobFinished) for e in seen):
                    break
                await asyncio.sleep(0.02)
        finally:
            await host.stop()

    asyncio.run(scenario())
    assert any(isinstance(e, events.JobFinished) for e in seen)
    assert [e.state for e in seen if isinstance(e, events.EngineStateChanged)][-1] == "stopped"
