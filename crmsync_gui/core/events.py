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
class IncomingMailArrived(Event):
    """The mail server pushed news of new email (IMAP IDLE): the engine syncs the mailbox's incoming now."""

    mailbox_id: int


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
