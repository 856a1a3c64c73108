"""Typed events the engine publishes; the console subscribes through a Qt-signal bridge.

Publishing is synchronous and cheap: subscribers must not block (the console's
bridge only re-emits a Qt signal).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from crmsync_gui.core.store.base import utcnow


@dataclass(frozen=True)
class Event:
    at: datetime = field(default_factory=utcnow, kw_only=True)


@dataclass(frozen=True)
class EngineStateChanged(Event):
    state: str  # "stopped", "starting", "running", "stopping"


@dataclass(frozen=True)
class MailboxChanged(Event):
    """A mailbox's row changed (status, schedule, error): views refresh that row only."""

    mailbox_id: int


@dataclass(frozen=True)
class TraceLogged(Event):
    trace_id: int
    level: int
    code: str
    message: str


@dataclass(frozen=True)
class JobStarted(Event):
    """A mailbox direction started syncing (queue: incoming, outgoing, act, async)."""

    mailbox_id: int
    direction: int  # codes.Direction
    queue: str
    due_at: datetime | None = None  # when the schedule wanted it; None for admin actions


@dataclass(frozen=True)
class JobFinished(Event):
    mailbox_id: int
    direction: int
    queue: str
    items: int
    duration_s: float


@dataclass(frozen=True)
class JobFailed(Event):
    mailbox_id: int
    direction: int
    queue: str
    code: str
    message: str
    transient: bool
    duration_s: float


@dataclass(frozen=True)
class ItemTracked(Event):
    """A connector tracked one mail item as a CRM activity."""

    mailbox_id: int
    activity_id: int
    server_id: str = ""


@dataclass(frozen=True)
class EmailQueued(Event):
    """An email entered Pending Send: the engine wakes the outgoing queue at once."""

    activity_id: int
    mailbox_id: int | None = None


@dataclass(frozen=True)
class MailboxDisabled(Event):
    mailbox_id: int
    direction: int
    code: str
    reason: str  # in English; the console renders code and args when the code has a template (core/messages.py)
    args: str | None = None  # JSON (messages.dumps)


@dataclass(frozen=True)
class ProfilePaused(Event):
    profile_id: int
    reason: str  # in English; the console renders its args (core/messages.py)
    args: str | None = None  # JSON (messages.dumps)


@dataclass(frozen=True)
class ProfileResumed(Event):
    profile_id: int


@dataclass(frozen=True)
class AlertRaised(Event):
    alert_id: int
    profile_id: int | None
    message: str  # in English; the console renders code and args (core/messages.py)
    code: str | None = None
    args: str | None = None  # JSON (messages.dumps)


@dataclass(frozen=True)
class QueueDepths(Event):
    """Per queue: (name, waiting, running)."""

    depths: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class IncomingMailArrived(Event):
    """New email may be there (EWS push, IMAP IDLE, a Graph delta poll's turn): the engine syncs the mailbox's
    incoming now."""

    mailbox_id: int


@dataclass(frozen=True)
class RequestBudget(Event):
    """How much of its per-mailbox request budget a mailbox has used (Microsoft Graph: 10,000 per 10 minutes)."""

    mailbox_id: int
    used: int
    limit: int
    window_s: float


Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    def publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            subscriber(event)
