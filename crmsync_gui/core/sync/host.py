"""The engine on a thread of its own, for a process whose main loop must stay free (the console).

The engine's jobs do their database work and bookkeeping on the loop they run on; on the console's
GUI thread that froze the window for hundreds of milliseconds while 1,000 mailboxes synced
(docs/benchmarks.md, gui_lag). EngineHost runs the Engine on its own asyncio loop in a daemon thread
and offers the calls the console makes as coroutines awaitable on the caller's loop. Events still
reach subscribers through the engine's bus, now from the engine's thread (the console's EventBridge
takes them from any thread). SQLite gives each thread its own connection; the host closes the
engine thread's one when it stops.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from crmsync_gui.core import codes
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.sync.engine import Engine, JobResult

T = TypeVar("T")


class EngineHost:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.bus = engine.bus
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> str:
        return self.engine.state

    async def start(self) -> None:
        """Start the engine's thread and loop, then the engine on it; return once it runs."""
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            # not asyncio.new_event_loop(): under qasync that would make a second Qt loop, off the GUI thread
            self._loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
            asyncio.set_event_loop(self._loop)
            ready.set()
            try:
                self._loop.run_forever()
            finally:
                self._loop.close()
                if not database_proxy.is_closed():
                    database_proxy.close()  # this thread's own connection

        self._thread = threading.Thread(target=run, name="crmsync-engine", daemon=True)
        self._thread.start()
        await asyncio.to_thread(ready.wait)
        await self._call(self.engine.start)

    async def stop(self) -> None:
        """Stop the engine (running jobs get its grace period), then its loop and thread."""
        if self._thread is None:
            return
        try:
            await self._call(self.engine.stop)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
            self._thread = self._loop = None

    async def test_and_enable(self, mailbox_id: int) -> dict[codes.Direction, JobResult]:
        return await self._call(self.engine.test_and_enable, mailbox_id)

    async def sync_now(self, mailbox_id: int, direction: codes.Direction | None = None) -> list[JobResult]:
        return await self._call(self.engine.sync_now, mailbox_id, direction)

    async def _call(self, method: Callable[..., Awaitable[T]], *args) -> T:
        if self._loop is None:
            raise RuntimeError("the engine's thread is not running")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(method(*args), self._loop))
