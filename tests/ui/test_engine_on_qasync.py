"""The engine on the console's loop: qasync's QEventLoop in the GUI thread (fake connector, real clock)."""
import asyncio
import time

import qasync

from crmsync_gui.core import codes, events
from crmsync_gui.core.store.models import Activity
from crmsync_gui.core.sync.engine import Engine, EngineConfig
from tests.core.sync.conftest import add_mailbox, add_profile, reload
from tests.core.sync.fakes import World


def test_engine_runs_syncs_and_stops_on_a_qasync_loop(qapp, db):
    world = World(latency_s=0.01)
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann", outgoing=True)
    world.script(mailbox, codes.Direction.INCOMING, 3)
    bus = events.EventBus()
    seen = []
    bus.subscribe(seen.append)

    async def scenario():
        engine = Engine(bus=bus, config=EngineConfig(tick_s=0.1), connector_factory=world.factory)
        await engine.start()
        try:
            t0 = time.monotonic()
            while reload(mailbox).incoming_next_run is None:  # the scheduler's first pass ran the mailbox
                await asyncio.sleep(0.02)
                assert time.monotonic() - t0 < 5
            email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Hi", mailbox=mailbox,
                                    email_status=codes.EmailStatus.PENDING_SEND)
            bus.publish(events.EmailQueued(email.id, mailbox.id))
            while Activity.get_by_id(email.id).email_status != codes.EmailStatus.SENT:
                await asyncio.sleep(0.02)
                assert time.monotonic() - t0 < 5
            results = await engine.sync_now(mailbox.id, codes.Direction.INCOMING)
        finally:
            await engine.stop()
        return results

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        results = runner.run(scenario())
    assert results[0].ok
    finished = [e for e in seen if isinstance(e, events.JobFinished)]
    assert finished[0].items == 3 and {e.direction for e in finished} == {0, 1}
    assert seen[-1] == events.EngineStateChanged("stopped", at=seen[-1].at)
