"""Engine workers as records (docs/architecture.md, "Workers"): each running engine keeps an EngineWorker row
of itself up to date with a heartbeat every few seconds (host, pid, version, jobs running, mailboxes synced
in the last hour), so the administrator sees every worker sharing the database. A worker whose heartbeat is
older than its lease period is lost: its leases have expired and other workers take its mailboxes over.

The CLI (`crmsync engine workers`, `crmsync engine status`) and the console read `list_workers`.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from crmsync_gui import __version__
from crmsync_gui.core.store.models import EngineWorker

HEARTBEAT_S = 5.0  # a worker writes its row this often (shorter when its lease is shorter)
FORGET_AFTER = timedelta(days=1)  # a lost worker's row is deleted this long after its last heartbeat
HOUR_S = 3600.0


def heartbeat_s(lease_s: float) -> float:
    """How often a worker with this lease period beats: every few seconds, at least three times a lease."""
    return min(HEARTBEAT_S, lease_s / 3)


class WorkerRecord:
    """The row one engine writes about itself: made at start, beaten while it runs, deleted when it stops."""

    def __init__(self, worker_id: str, lease_s: float):
        self.worker_id = worker_id
        self.lease_s = lease_s
        self._synced: dict[int, float] = {}  # mailbox id → when (monotonic) a job of it last succeeded here

    def register(self, now: datetime) -> None:
        EngineWorker.insert(worker_id=self.worker_id, host=socket.gethostname(), pid=os.getpid(),
                            version=__version__, started_at=now, heartbeat_at=now, lease_s=self.lease_s,
                            ).on_conflict(conflict_target=[EngineWorker.worker_id],
                                          update={EngineWorker.heartbeat_at: now}).execute()

    def synced(self, mailbox_id: int) -> None:
        self._synced[mailbox_id] = time.monotonic()

    def beat(self, now: datetime, jobs_running: int) -> None:
        """Say this worker is alive, with its load; forget lost workers' rows a day old."""
        hour_ago = time.monotonic() - HOUR_S
        self._synced = {m: at for m, at in self._synced.items() if at >= hour_ago}
        updated = (EngineWorker.update(heartbeat_at=now, jobs_running=jobs_running,
                                       mailboxes_last_hour=len(self._synced), lease_s=self.lease_s)
                   .where(EngineWorker.worker_id == self.worker_id).execute())
        if not updated:  # deleted meanwhile (an administrator, or another worker's clean-up): register again
            self.register(now)
            self.beat(now, jobs_running)
        EngineWorker.delete().where(EngineWorker.heartbeat_at < now - FORGET_AFTER).execute()

    def remove(self) -> None:
        EngineWorker.delete().where(EngineWorker.worker_id == self.worker_id).execute()


@dataclass(frozen=True)
class Worker:
    worker_id: str
    host: str
    pid: int
    version: str
    started_at: datetime
    heartbeat_at: datetime
    lease_s: float
    jobs_running: int
    mailboxes_last_hour: int
    alive: bool

    @property
    def state(self) -> str:
        return "running" if self.alive else "lost"


def list_workers(now: datetime) -> list[Worker]:
    """Every worker that registered, alive ones first, each newest first; alive while its heartbeat is younger
    than its lease period."""
    rows = [Worker(r.worker_id, r.host, r.pid, r.version, r.started_at, r.heartbeat_at, r.lease_s, r.jobs_running,
                   r.mailboxes_last_hour, alive=(now - r.heartbeat_at).total_seconds() <= r.lease_s)
            for r in EngineWorker.select()]
    return sorted(rows, key=lambda w: (not w.alive, -w.started_at.timestamp(), w.worker_id))

