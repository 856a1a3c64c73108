"""The engine's side of the connector contract (core/sync/connector.py): one Job per direction run."""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.sync.limits import ServerThrottle

MAX_TIMEOUT_S = codes.MAX_TIMEOUT_MS / 1000


def request_timeout_s(profile) -> float:
    """The profile's per-request timeout; a profile with the timeout off still gets the maximum."""
    if not profile.timeout_enabled or not profile.timeout_ms:
        return MAX_TIMEOUT_S
    return min(profile.timeout_ms / 1000, MAX_TIMEOUT_S)


def secret_ref_of(mailbox, profile) -> str | None:
    """The secret a mailbox signs in with: the profile's when it signs in for every mailbox (impersonation,
    an app's client secret), else the mailbox's own."""
    return profile.secret_ref if (profile.username or not mailbox.secret_ref) else mailbox.secret_ref


class ServerBackingOff(TransientError):
    """Raised by `connection()` while the server's back-off lasts: the job stops and is rescheduled
    for when the back-off ends, without counting as the mailbox's failure."""

    def __init__(self, wait_s: float):
        super().__init__("ErrorServerBusy", f"The mail server asked for a pause of {wait_s:.0f} more seconds.",
                         retry_after_s=wait_s)


class EngineJob:
    """What a connector gets for one mailbox direction run (satisfies connector.Job).

    `connection()` holds one of the server's connection slots, shared by every queue; while a
    back-off the server asked for (ErrorServerBusy) lasts it raises ServerBackingOff instead.
    """

    def __init__(self, *, mailbox, profile, direction: codes.Direction, password: str | None,
                 throttle: ServerThrottle, clock, publish, due_at: datetime | None = None):
        self.mailbox = mailbox
        self.profile = profile
        self.direction = direction
        self.password = password
        self.username = profile.username or mailbox.username or mailbox.email
        self.timeout_s = request_timeout_s(profile)
        self.due_at = due_at
        self._throttle = throttle
        self._clock = clock
        self._publish = publish
        self.budget = None  # the last events.RequestBudget the connector told, which the engine stores

    @asynccontextmanager
    async def connection(self):
        if (wait_s := self._throttle.busy_for_s(self._clock.now())) > 0:
            raise ServerBackingOff(wait_s)
        async with self._throttle.hold():
            yield

    def watcher_place(self):
        return self._throttle.watcher_place()

    def publish(self, event) -> None:
        if isinstance(event, events.RequestBudget):
            self.budget = event
        self._publish(event)

    def __repr__(self) -> str:  # never show the password
        return f"<EngineJob mailbox={self.mailbox.id} {self.direction.name.lower()}>"
