"""The kinds of work the engine runs, each carrying its policy (docs/architecture.md, "Sync engine").

The engine asks the kind, never compares names: a new kind states its policy here, once.
"""
from __future__ import annotations

import enum


class WorkKind(enum.Enum):
    """sync: a scheduled or Sync now run; probe: one run that tests whether a paused profile's server answers
    again; test: Test & Enable of a direction; track: Track now of one item."""

    SYNC = "sync"
    PROBE = "probe"
    TEST = "test"
    TRACK = "track"

    @property
    def one_at_a_time(self) -> bool:
        """At most one per mailbox direction is queued or running; submitting another joins it."""
        return self in (WorkKind.SYNC, WorkKind.PROBE)

    @property
    def on_async_queue(self) -> bool:
        """Runs on the queue of one-off admin operations instead of its direction's queue."""
        return self in (WorkKind.TEST, WorkKind.TRACK)

    @property
    def takes_lease(self) -> bool:
        """Holds the direction's lease on the mailbox row while it runs (Track now touches one item only)."""
        return self in (WorkKind.SYNC, WorkKind.PROBE)

    @property
    def reschedules(self) -> bool:
        """Its outcome sets the direction's next run and failure count (an admin's Track now leaves them)."""
        return self in (WorkKind.SYNC, WorkKind.PROBE)

    @property
    def counts_for_breaker(self) -> bool:
        """Its transient failure counts toward opening the profile's breaker, and it waits while the breaker
        is open. A probe's failure is part of the outage it probes."""
        return self is WorkKind.SYNC
