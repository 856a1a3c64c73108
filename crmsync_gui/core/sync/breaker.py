"""The per-profile circuit breaker: an outage pauses the profile instead of disabling its mailboxes.

It opens when, within the window, at least two distinct mailboxes of the profile failed transiently
and they are more than half of its active mailboxes. While open, nothing of the profile runs except
one probe job at a time, spaced 30 s doubling to 5 minutes; the first probe the server answers
closes it. A one-mailbox profile cannot tell an outage from a broken mailbox, so it never opens
there and the 10-failure rule applies.

`ProfileBreaker` decides in memory; the functions below it record a pause on the profile's row.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from crmsync_gui.core import messages
from crmsync_gui.core.domain.direction import COLUMNS
from crmsync_gui.core.errors import SyncError
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.core.sync import trace


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


# ---- persistence: a paused profile is recorded on its row, so every engine on the database follows it

def count_recorded_failures(breaker: ProfileBreaker, profile_id: int, now: datetime) -> None:
    """Add the transient failures other engines on the database recorded for the profile's mailboxes within
    the window: each of several workers sees only its share of an outage."""
    for other, at in (Mailbox.select(Mailbox.id, Mailbox.last_error_at)
                      .where((Mailbox.profile == profile_id) & (Mailbox.transient_failure_count > 0)
                             & (Mailbox.last_error_at >= now - breaker.window)).tuples()):
        breaker.failing.setdefault(other, at)


def record_pause(profile, breaker: ProfileBreaker, now: datetime, error: SyncError) -> tuple[str, dict]:
    """Mark the profile paused (the breaker just opened); returns the reason given to the admin, in English,
    and its arguments (core/messages.py's ProfilePaused), which the console renders in the admin's language."""
    args = {"failing": len(breaker.failing), "profile": profile.name, "last": error.code}
    reason = messages.render("ProfilePaused", args)
    with database_proxy.atomic():
        EmailServerProfile.update(paused_at=now, paused_reason=reason).where(
            EmailServerProfile.id == profile.id).execute()
        trace.record("ProfilePaused", reason, at=now, profile_id=profile.id, args=args)
    return reason, args


def close_and_resume(profile_id: int, breaker: ProfileBreaker, now: datetime) -> None:
    """Close the breaker and resume the profile: the outage's failures were not the mailboxes' fault, so they
    are cleared and every mailbox of the profile runs now."""
    failed = list(breaker.failing)
    breaker.close()
    with database_proxy.atomic():
        EmailServerProfile.update(paused_at=None, paused_reason=None).where(
            EmailServerProfile.id == profile_id).execute()
        of_profile = Mailbox.profile == profile_id
        for cols in COLUMNS.values():
            next_run = getattr(Mailbox, cols.next_run)
            Mailbox.update({next_run: now}).where(of_profile & (next_run > now)).execute()
            Mailbox.update({getattr(Mailbox, cols.transient_failures): 0}).where(of_profile).execute()
        Mailbox.update(transient_failure_count=0).where(of_profile).execute()
        args = {"failing": len(failed)}
        trace.record("ProfileResumed", messages.render("ProfileResumed", args), at=now, profile_id=profile_id,
                     args=args)


def paused_profile_ids() -> list[int]:
    """The profiles recorded as paused (by this engine before a restart, or by another one)."""
    return [i for (i,) in EmailServerProfile.select(EmailServerProfile.id)
            .where(EmailServerProfile.paused_at.is_null(False)).tuples()]
