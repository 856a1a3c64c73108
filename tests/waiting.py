"""Waiting in a test's coroutine for something another loop, thread or process does."""
import asyncio
import time


async def until(condition, what: str, seconds: float = 30) -> None:
    """Return once condition() is true; fail the test, saying what it waited for, after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
