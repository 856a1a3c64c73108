"""Leases: which engine syncs a mailbox direction right now (docs/architecture.md, "Leases").

A job holds its direction's bit in the mailbox row's `lock_state` under `lock_host` (the engine's
worker id, host:pid:nonce) until `lock_expires`. Taking one is a compare-and-set on the row; an
expired lease is taken over and traced. After a crash, the leases of this host's engines whose
process is gone are released at once instead of waiting for them to expire.
"""
from __future__ import annotations

import os
import socket
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
        taken = self._sql.take_lease(mailbox.id, self.worker_id, (state | bit) if mine else bit, new_expiry,
                                     seen_host=host, seen_state=state, due=(direction, now) if scheduled else None)
        if taken and host is not None and not mine and state:
            trace.record("LeaseTakenOver", f"Mailbox '{mailbox.name}': the lease of engine {host} expired at "
                         f"{expires:%Y-%m-%d %H:%M:%S} UTC; this engine ({self.worker_id}) took it over.",
                         at=now, mailbox_id=mailbox.id)
        return bool(taken)

    def release(self, mailbox_id: int, direction: codes.Direction) -> None:
        self._sql.release_lease(mailbox_id, direction, self.worker_id)

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
