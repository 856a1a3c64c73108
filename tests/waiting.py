"""Waiting in a test's coroutine for something another loop, thread or process does."""
import asyncio
import time


async def until(condition, what: str, seconds: float = 30) -> float:
    """Return how long it took for condition() to be true; fail the test, saying what it waited for, after
    `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started
