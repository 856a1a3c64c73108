"""What the engine runs for one profile: each direction's pipeline over the profile's connector.

The engine sees a ProfileSync (connector.connector_for makes one per profile); the pipelines
(incoming.py, outgoing.py, act.py) do the sync and call the connector's adapters for the protocol.
"""
from __future__ import annotations

from crmsync_gui.core import codes
from crmsync_gui.core.sync import act, arrival, incoming, outgoing


class ProfileSync:
    def __init__(self, connector):
        self.connector = connector

    async def test(self, job, direction: codes.Direction) -> None:
        await self.connector.test(job, direction)

    async def sync_incoming(self, job) -> int:
        items = await incoming.run(job, self.connector)
        arrival.record(job.mailbox, await self.connector.arrival.follow(job))
        return items

    async def send_outgoing(self, job) -> int:
        return await outgoing.run(job, self.connector)

    async def sync_act(self, job) -> int:
        return await act.run(job, self.connector)

    async def close(self) -> None:
        await self.connector.close()
