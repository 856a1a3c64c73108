"""Capacity limits: first-come-first-served slots, and the per-server throttle shared by all queues
(and, on PostgreSQL, by every worker)."""
from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from contextlib import asynccontextmanager, nullcontext
from datetime import datetime, timedelta

from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.store.base import database_proxy


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


class SharedSlots:
    """A profile's connection cap across every worker on one PostgreSQL database: each connection held is a
    session advisory lock (profile, slot number) on this worker's database connection, so a worker that dies
    frees its slots with its connection. Taken after the worker's own Slots, so one worker never waits for
    the database more than its cap allows; a worker that finds every slot taken tries again every POLL_S."""

    POLL_S = 0.1
    SPACE = 0x63 << 40  # advisory lock keys of "connection slot N of profile P" (bigint keys: not the alerts' space)
    WATCHER_SPACE = 0x77 << 40  # "push watcher place N of profile P"

    def __init__(self, profile_id: int, capacity: int, space: int = SPACE):
        self.profile_id = profile_id
        self.capacity = capacity
        self.space = space
        self.held: set[int] = set()  # a session takes its own advisory lock again, so skip what we hold

    def _key(self, slot: int) -> int:
        return self.space + (self.profile_id << 12) + slot  # caps stay under 4,096 (codes.MAX_CONNECTIONS_RANGE)

    def try_acquire(self) -> int | None:
        """A free slot locked for this worker, or None when every one is taken."""
        if self.capacity <= 0:
            return None
        # the executor stops at the first slot it locks (a function scan feeds the LIMIT one row at a time)
        row = database_proxy.execute_sql(
            "SELECT s FROM generate_series(0, %s) s WHERE s <> ALL(%s) AND pg_try_advisory_lock(%s + s) LIMIT 1",
            (self.capacity - 1, list(self.held), self._key(0))).fetchone()
        if row is None:
            return None
        self.held.add(row[0])
        return row[0]

    async def acquire(self) -> int:
        while (slot := self.try_acquire()) is None:
            await asyncio.sleep(self.POLL_S)
        return slot

    def release(self, slot: int) -> None:
        self.held.discard(slot)
        # False (with a server warning) when the connection was lost meanwhile: the lock went with it
        database_proxy.execute_sql("SELECT pg_advisory_unlock(%s)", (self._key(slot),))

    @asynccontextmanager
    async def hold(self):
        slot = await self.acquire()
        try:
            yield
        finally:
            self.release(slot)


class WatchersFull(TransientError):
    """Every push watcher place of the profile is taken (by the workers together): the mailbox is polled."""

    def __init__(self):
        super().__init__("WatchersFull", "The profile's push connections (half its connection cap) are all "
                         "in use; this mailbox is polled.")


class ServerThrottle:
    """Per mail server (one profile): its connection slots (this worker's, and on PostgreSQL every worker's),
    and how long it asked us to wait (ErrorServerBusy's BackOffMilliseconds).

    Push watchers (IMAP IDLE, EWS streams) hold a slot for minutes, so they get at most half the cap and the
    syncs always keep the other half. Each connector counts its own watchers against that half; on PostgreSQL
    the half also holds for every worker together (`watchers`), else two workers' watchers took the whole
    cap and the syncs waited for the streams' minute to end."""

    def __init__(self, capacity: int, shared: SharedSlots | None = None):
        self.slots = Slots(capacity)
        self.shared = shared
        self.watchers = (SharedSlots(shared.profile_id, capacity // 2, SharedSlots.WATCHER_SPACE)
                         if shared is not None else None)
        self.busy_until: datetime | None = None

    def resize(self, capacity: int) -> None:
        self.slots.resize(capacity)
        if self.shared is not None:
            self.shared.capacity = capacity
            self.watchers.capacity = capacity // 2

    @asynccontextmanager
    async def hold(self):
        """One connection to the server: a slot of this worker's, then one of all workers' where they share."""
        async with self.slots.hold(), self.shared.hold() if self.shared else nullcontext():
            yield

    def watcher_place(self) -> Callable[[], None]:
        """A place for one push watcher among all workers' where they share, else WatchersFull at once;
        returns what gives it back (on the thread that took it: the lock belongs to its connection)."""
        if self.watchers is None:
            return lambda: None
        place = self.watchers.try_acquire()
        if place is None:
            raise WatchersFull()
        return lambda: self.watchers.release(place)

    def back_off(self, now: datetime, seconds: float) -> None:
        until = now + timedelta(seconds=seconds)
        if self.busy_until is None or until > self.busy_until:
            self.busy_until = until

    def is_busy(self, now: datetime) -> bool:
        return self.busy_until is not None and now < self.busy_until

    def busy_for_s(self, now: datetime) -> float:
        return (self.busy_until - now).total_seconds() if self.is_busy(now) else 0.0
