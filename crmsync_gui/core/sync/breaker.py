"""The per-profile circuit breaker: an outage pauses the profile instead of disabling its mailboxes.

It opens when, within the window, at least two distinct mailboxes of the profile failed transiently
and they are more than half of its active mailboxes. While open, nothing of the profile runs except
one probe job at a time, spaced 30 s doubling to 5 minutes; the first probe the server answers
closes it. A one-mailbox profile cannot tell an outage from a broken mailbox, so it never opens
there and the 10-failure rule applies.
"""
from __future__ import annotations

from datetime import datetime, timedelta


class ProfileBreaker:
    def __init__(self, *, window_s: float = 600, first_probe_s: float = 30, max_probe_s: float = 300):
        self.window = timedelta(seconds=window_s)
        self.first_probe_s = first_probe_s
        self.max_probe_s = max_probe_s
        self.failing: dict[int, datetime] = {}  # mailbox id -> last transient failure
        self.opened_at: datetime | None = None
        self.next_probe_at: datetime | None = None
        self.probe_interval_s = first_probe_s
        self.probing = False

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def failed(self, mailbox_id: int, now: datetime, active_mailboxes: int) -> bool:
        """Record a transient failure; return True when this one opens the breaker."""
        self.failing[mailbox_id] = now
        self._forget_old(now)
        if self.is_open or len(self.failing) < 2 or len(self.failing) * 2 <= active_mailboxes:
            return False
        self.open(now)
        return True

    def answered(self, mailbox_id: int) -> None:
        """The server answered for this mailbox (success or a permanent error)."""
        self.failing.pop(mailbox_id, None)

    def open(self, now: datetime) -> None:
        self.opened_at = now
        self.probe_interval_s = self.first_probe_s
        self.next_probe_at = now + timedelta(seconds=self.first_probe_s)

    def probe_due(self, now: datetime) -> bool:
        return self.is_open and not self.probing and self.next_probe_at is not None and now >= self.next_probe_at

    def probe_failed(self, now: datetime) -> None:
        self.probing = False
        self.probe_interval_s = min(self.max_probe_s, self.probe_interval_s * 2)
        self.next_probe_at = now + timedelta(seconds=self.probe_interval_s)

    def close(self) -> None:
        self.opened_at = self.next_probe_at = None
        self.probing = False
        self.failing.clear()

    def _forget_old(self, now: datetime) -> None:
        cutoff = now - self.window
        for mailbox_id in [m for m, at in self.failing.items() if at < cutoff]:
            del self.failing[mailbox_id]
