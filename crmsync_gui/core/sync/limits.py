"""Capacity limits: first-come-first-served slots, and the per-server throttle shared by all queues."""
from __future__ import annotations

import asyncio
import collections
from contextlib import asynccontextmanager
from datetime import datetime, timedelta


class Slots:
    """Up to `capacity` holders at once; waiters are served in arrival order, so one queue's flood
    can delay another's request by at most the holders ahead of it, never starve it."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.in_use = 0
        self.peak = 0
        self._waiters: collections.deque[asyncio.Future] = collections.deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def resize(self, capacity: int) -> None:
        self.capacity = capacity
        self._wake()

    async def acquire(self) -> None:
        if self.in_use < self.capacity and not self._waiters:
            self._take()
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # granted and cancelled at once: hand the slot on
            else:
                self._waiters.remove(future)
            raise

    def release(self) -> None:
        self.in_use -= 1
        self._wake()

    def _take(self) -> None:
        self.in_use += 1
        self.peak = max(self.peak, self.in_use)

    def _wake(self) -> None:
        while self._waiters and self.in_use < self.capacity:
            future = self._waiters.popleft()
            if not future.done():
                self._take()
                future.set_result(None)

    @asynccontextmanager
    async def hold(self):
        await self.acquire()
        try:
            yield
        finally:
            self.release()


class ServerThrottle:
    """Per mail server (one profile): its connection slots, and how long it asked us to wait
    (ErrorServerBusy's BackOffMilliseconds)."""

    def __init__(self, capacity: int):
        self.slots = Slots(capacity)
        self.busy_until: datetime | None = None

    def back_off(self, now: datetime, seconds: float) -> None:
        until = now + timedelta(seconds=seconds)
        if self.busy_until is None or until > self.busy_until:
            self.busy_until = until

    def is_busy(self, now: datetime) -> bool:
        return self.busy_until is not None and now < self.busy_until

    def busy_for_s(self, now: datetime) -> float:
        return (self.busy_until - now).total_seconds() if self.is_busy(now) else 0.0
