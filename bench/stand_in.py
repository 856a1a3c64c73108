"""A stand-in mail server for the engine benchmarks: no protocol, only time and a connection slot."""
from __future__ import annotations

import asyncio
from collections.abc import Callable


class StandInConnector:
    """Every direction holds one of the profile's connection slots for `latency()` seconds, as a real
    connector does, then reports `items()` new items."""

    def __init__(self, latency: Callable[[], float], items: Callable[[], int] = lambda: 0):
        self.latency, self.items = latency, items

    async def _run(self, job) -> int:
        async with job.connection():
            await asyncio.sleep(self.latency())
        return self.items()

    async def sync_incoming(self, job) -> int:
        return await self._run(job)

    async def send_outgoing(self, job) -> int:
        return await self._run(job)

    async def sync_act(self, job) -> int:
        return await self._run(job)

    async def test(self, job, direction) -> None:
        await self._run(job)

    async def close(self) -> None:
        pass
