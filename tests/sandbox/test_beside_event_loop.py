"""The sandbox runs in its own thread and loop, so an application's asyncio loop (the console's qasync one)
can start it and keep running while blocking exchangelib calls go through an executor."""
from __future__ import annotations

import asyncio

from crmsync_gui.sandbox import SandboxServer


def test_started_from_a_running_loop_which_stays_responsive(connect_factory):
    async def main():
        with SandboxServer() as sandbox:
            sandbox.add_mailbox("demo@sandbox.test", "pw")
            sandbox.add_message("demo@sandbox.test", subject="demo", body="x")
            loop = asyncio.get_running_loop()
            ticks = 0

            async def ticker():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1
            sandbox.inject("delay", operation="FindItem", seconds=0.3)
            task = asyncio.create_task(ticker())
            account = await loop.run_in_executor(None, connect_factory, sandbox, "demo@sandbox.test", "pw")
            subjects = await loop.run_in_executor(None, lambda: [m.subject for m in account.inbox.all()])
            task.cancel()
            account.protocol.close()
            return subjects, ticks
    subjects, ticks = asyncio.run(main())
    assert subjects == ["demo"]
    assert ticks >= 10  # the application's loop kept turning while the sandbox answered slowly
