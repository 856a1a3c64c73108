"""A sandbox server's own event loop in a daemon thread, so it sits beside pytest, benchmark threads or the
console's qasync loop alike (the EWS and the Graph sandbox both serve this way)."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable


def serve_in_thread(name: str, open_: Callable[[], Awaitable[None]],
                    cleanup: Callable[[], Awaitable[None]]) -> tuple[threading.Thread, asyncio.AbstractEventLoop]:
    """Run `open_()` on a new loop in a daemon thread, then serve until `stop_thread`, then `cleanup()`.

    Returns once `open_()` has finished; raises what it raised (a port in use, say)."""
    ready, failure, made = threading.Event(), [], []

    def run():
        loop = asyncio.new_event_loop()
        made.append(loop)
        try:
            loop.run_until_complete(open_())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(cleanup())
        loop.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    ready.wait()
    if failure:
        raise failure[0]
    return thread, made[0]


def stop_thread(thread: threading.Thread, loop: asyncio.AbstractEventLoop) -> None:
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
