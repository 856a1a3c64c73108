"""How new email reaches a mailbox's incoming sync: a capability each connector declares (its `arrival`).

The ways are a push stream (EWS streaming notifications), IDLE (IMAP), a delta poll (Graph: the folders'
delta read again every DELTA_POLL_S, one request per folder) and none (POP3: the schedule's polling only).
After every good incoming run the pipeline hands the adapter the job (`follow`): it watches the mailbox
where it can, publishing IncomingMailArrived when new email may be there, and answers how the mailbox's
new email arrives now (codes.Arrival), which the store keeps for the Mailboxes page. Whatever it answers,
the schedule's polling stays the safety net: every mailbox syncs at least every 12 minutes.
"""
from __future__ import annotations

import asyncio
from typing import Protocol

from crmsync_gui.core import codes, events
from crmsync_gui.core.store.models import Mailbox

DELTA_POLL_S = 45.0  # Graph: 30–60 s, one request per folder; 100 mailboxes × 2 folders is 2,700 per 10 minutes


class NewMailArrival(Protocol):
    async def follow(self, job) -> codes.Arrival:
        """After a good incoming run: watch the mailbox for new email where possible; say how it arrives now."""

    async def close(self) -> None: ...


class NoPush:
    """A protocol without push (POP3): new email waits for the schedule's next poll."""

    async def follow(self, job) -> codes.Arrival:
        return codes.Arrival.NO_PUSH

    async def close(self) -> None:
        pass


class DeltaPoll:
    """Where push needs what a desktop or on-premises service lacks (Graph's webhooks want a public HTTPS
    endpoint): the mailbox's incoming sync is due again DELTA_POLL_S after each good run; a run reads each
    folder's delta from its stored link, one request per folder when nothing changed."""

    def __init__(self):
        self._timers: dict[int, asyncio.TimerHandle] = {}

    async def follow(self, job) -> codes.Arrival:
        mailbox_id = job.mailbox.id
        if (timer := self._timers.pop(mailbox_id, None)) is not None:
            timer.cancel()
        # Published after the engine has stored this run's next poll, which it makes due now.
        self._timers[mailbox_id] = asyncio.get_running_loop().call_later(
            DELTA_POLL_S, job.publish, events.IncomingMailArrived(mailbox_id=mailbox_id))
        return codes.Arrival.DELTA_POLL

    async def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()


def record(mailbox, way: codes.Arrival) -> None:
    """Keep how the mailbox's new email arrives (written only when it changed)."""
    if mailbox.arrival != way:
        Mailbox.update(arrival=int(way)).where(Mailbox.id == mailbox.id).execute()
        mailbox.arrival = int(way)
