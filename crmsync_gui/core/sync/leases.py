"""Leases: which engine syncs a mailbox direction right now (docs/architecture.md, "Leases").

A job holds its direction's bit in the mailbox row's `lock_state` under `lock_host` (the engine's
worker id, host:pid:nonce) until `lock_expires`. Taking one is a compare-and-set on the row; an
expired lease is taken over and traced. While a job runs its engine renews the lease every few seconds
(`renew`, from the engine's heartbeat), so a job longer than the lease period is never taken over; a lease
the engine could not renew in time, or that another engine took, is `expiring` or gone, and the engine
stops that job before another may sync the mailbox. After a crash, the leases of this host's engines whose
process is gone are released at once instead of waiting for them to expire.
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync import trace
from crmsync_gui.core.sync.statements import JobStatements


class Leases:
    """The leases one engine (`worker_id`) takes and releases."""

    def __init__(self, worker_id: str, statements: JobStatements):
        self.worker_id = worker_id
        self._sql = statements
        # (mailbox id, direction) → until when (monotonic) the lease surely holds: its last write plus its period
        self._held: dict[tuple[int, codes.Direction], float] = {}

    def take(self, mailbox: Mailbox, direction: codes.Direction, now: datetime, lease_s: float,
             scheduled: bool = False) -> bool:
        """Take this direction's lease on the mailbox row (compare-and-set; for a scheduled job, only while the
        direction is still due); take over an expired one."""
        bit = COLUMNS[direction].lease_bit
        host, state, expires = mailbox.lock_host, mailbox.lock_state, mailbox.lock_expires
        expired = expires is not None and expires < now
        mine = host == self.worker_id
        if host is not None and not mine and state and not expired:
            return False
        new_expiry = now + timedelta(seconds=lease_s)
        if mine and state and expires is not None and expires > new_expiry:
            new_expiry = expires
        asked = time.monotonic()
        taken = self._sql.take_lease(mailbox.id, self.worker_id, (state | bit) if mine else bit, new_expiry,
                                     seen_host=host, seen_state=state, due=(direction, now) if scheduled else None)
        if taken and host is not None and not mine and state:
            trace.record("LeaseTakenOver", f"Mailbox '{mailbox.name}': the lease of engine {host} expired at "
                         f"{expires:%Y-%m-%d %H:%M:%S} UTC; this engine ({self.worker_id}) took it over.",
                         at=now, mailbox_id=mailbox.id)
        if taken:
            self._held[mailbox.id, direction] = asked + lease_s
        return bool(taken)

    def release(self, mailbox_id: int, direction: codes.Direction) -> None:
        self._held.pop((mailbox_id, direction), None)
        self._sql.release_lease(mailbox_id, direction, self.worker_id)

    def renew(self, now: datetime, lease_s: float) -> list[tuple[int, codes.Direction]]:
        """Extend every lease this engine holds to `now` plus the lease period (one UPDATE); return the held
        leases that are no longer this engine's (another engine took them over), which it must stop."""
        if not self._held:
            return []
        asked = time.monotonic()
        renewed = self._sql.renew_leases(self.worker_id, now + timedelta(seconds=lease_s))
        held_mailboxes = {mailbox_id for mailbox_id, _d in self._held}
        gone: list[tuple[int, codes.Direction]] = []
        if renewed < len(held_mailboxes):
            mine = {i for (i,) in Mailbox.select(Mailbox.id).where(
                Mailbox.id.in_(list(held_mailboxes)) & (Mailbox.lock_host == self.worker_id)).tuples()}
            gone = [key for key in self._held if key[0] not in mine]
        for key in self._held:
            if key not in gone:
                self._held[key] = asked + lease_s
        return gone

    def expiring(self, within_s: float) -> list[tuple[int, codes.Direction]]:
        """The held leases that may expire within `within_s`: not renewed in time (the database did not answer)."""
        soon = time.monotonic() + within_s
        return [key for key, until in self._held.items() if until <= soon]

    def release_dead(self, now: datetime) -> int:
        """Free the leases of this host's other engines whose process is gone; returns how many mailboxes."""
        prefix = f"{socket.gethostname()}:"
        stale = [(i, name, host) for i, name, host in
                 Mailbox.select(Mailbox.id, Mailbox.name, Mailbox.lock_host)
                 .where(Mailbox.lock_host.startswith(prefix) & (Mailbox.lock_host != self.worker_id)).tuples()
                 if not process_alive(host)]
        for mailbox_id, name, host in stale:
            with database_proxy.atomic():
                Mailbox.update(lock_host=None, lock_state=0, lock_expires=None).where(
                    (Mailbox.id == mailbox_id) & (Mailbox.lock_host == host)).execute()
                trace.record("LeaseTakenOver", f"Mailbox '{name}': engine {host} on this computer is no longer "
                             "running; its lease was released.", at=now, mailbox_id=mailbox_id)
        return len(stale)


def process_alive(worker_id: str) -> bool:
    """Whether the engine process named in a worker id (host:pid:nonce) still runs on this host."""
    try:
        pid = int(worker_id.split(":")[1])
    except (IndexError, ValueError):
        return True  # not ours to judge; its lease expires on its own
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
