"""A scripted connector: the one mock these tests use, because the real connectors are built elsewhere.

It honours the contract like a real one: every server round trip holds `job.connection()`.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict, deque

from crmsync_gui.core import codes
from crmsync_gui.core.store.models import Activity

D = codes.Direction


class World:
    """What the fake mail servers do: per (mailbox id, direction) a script of outcomes (an item count
    or an exception), consumed one per run; once empty, `default` applies. `down` profiles fail every call."""

    def __init__(self, latency_s: float = 0.0):
        self.latency_s = latency_s
        self.scripts: dict[tuple[int, D], deque] = defaultdict(deque)
        self.default = 0
        self.down: dict[int, Exception] = {}  # profile id -> error raised while it is down
        self.calls: list[tuple[int, D, str]] = []  # (mailbox id, direction, kind)
        self.open_connections: dict[int, int] = defaultdict(int)
        self.peak_connections: dict[int, int] = defaultdict(int)
        self.tests: dict[tuple[int, D], Exception | None] = {}

    def script(self, mailbox, direction: D, *outcomes) -> None:
        self.scripts[(mailbox.id, direction)].extend(outcomes)

    def factory(self, profile) -> FakeConnector:
        return FakeConnector(self, profile)


class FakeConnector:
    def __init__(self, world: World, profile):
        self.world = world
        self.profile_id = profile.id
        self.closed = False

    async def _round_trip(self, job, direction: D, kind: str):
        self.world.calls.append((job.mailbox.id, direction, kind))
        async with job.connection():
            self.world.open_connections[self.profile_id] += 1
            self.world.peak_connections[self.profile_id] = max(self.world.peak_connections[self.profile_id],
                                                               self.world.open_connections[self.profile_id])
            try:
                if self.world.latency_s:
                    await asyncio.sleep(self.world.latency_s)
                if self.profile_id in self.world.down:
                    raise self.world.down[self.profile_id]
                script = self.world.scripts[(job.mailbox.id, direction)]
                outcome = script.popleft() if script else self.world.default
                if isinstance(outcome, Exception):
                    raise outcome
                if callable(outcome):
                    return await outcome(job)
                return outcome
            finally:
                self.world.open_connections[self.profile_id] -= 1

    async def test(self, job, direction):
        self.world.calls.append((job.mailbox.id, direction, "test"))
        error = self.world.tests.get((job.mailbox.id, direction))
        if error is not None:
            raise error

    async def sync_incoming(self, job):
        return await self._round_trip(job, D.INCOMING, "sync")

    async def send_outgoing(self, job):
        sent = await self._round_trip(job, D.OUTGOING, "sync")
        # like a real connector: send what is pending for the mailbox
        pending = Activity.update(email_status=codes.EmailStatus.SENT).where(
            (Activity.mailbox == job.mailbox.id) & (Activity.email_status == codes.EmailStatus.PENDING_SEND)).execute()
        return sent + pending

    async def sync_act(self, job):
        return await self._round_trip(job, D.ACT, "sync")

    async def close(self):
        self.closed = True


class TrackingConnector(FakeConnector):
    async def track_item(self, job, server_id):
        self.world.calls.append((job.mailbox.id, D.INCOMING, f"track:{server_id}"))
        return 1
