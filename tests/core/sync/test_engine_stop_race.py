import asyncio


def test_stop_is_never_lost_when_the_scheduler_is_woken_at_the_same_moment(db, world, make_engine):
    """Python 3.11's wait_for drops a cancellation that lands as its inner wait completes: the scheduler woke,
    looped on, and stop() waited for it for ever (seen with 200 busy Graph mailboxes in bench_push)."""
    async def main():
        for turns in range(8):  # the moment the cancel lands, loop turn by loop turn after the wake-up
            engine = await make_engine()
            await engine.start()
            await asyncio.sleep(0.05)  # the scheduler waits for its next tick
            engine._wake.set()
            for _ in range(turns):
                await asyncio.sleep(0)
            await asyncio.wait_for(engine.stop(), 5)

    asyncio.run(main())
