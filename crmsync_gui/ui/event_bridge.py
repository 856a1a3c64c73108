"""Engine events to Qt signals: the console's one subscription to core.events.EventBus.

The subscriber only appends to a thread-safe deque; the GUI thread drains it and emits the
signals, so publishing never runs a slot inside the engine's call and never touches Qt from
another thread (which PySide does not survive reliably). Events published on the GUI thread
are drained on the next turn of the event loop; those from other threads (the engine's, see
core/sync/host.py) within POLL_MS, a bounded slice per turn.
"""
from __future__ import annotations

import threading
import time
from collections import deque

from PySide6.QtCore import QObject, QTimer, Signal

from crmsync_gui.core import events

POLL_MS = 100
BUDGET_S = 0.008  # event handling per turn of the GUI loop


class EventBridge(QObject):
    event = Signal(object)  # every event
    mailbox_changed = Signal(int)
    trace_logged = Signal(object)
    engine_state = Signal(str)

    def __init__(self, bus: events.EventBus, parent=None):
        super().__init__(parent)
        self._pending: deque[events.Event] = deque()
        self._gui_thread = threading.current_thread()
        self._soon = QTimer(self, singleShot=True, interval=0)
        self._soon.timeout.connect(self.drain)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.drain)
        self._poll.start()
        self._unsubscribe = bus.subscribe(self._receive)

    def _receive(self, event: events.Event) -> None:
        self._pending.append(event)
        if threading.current_thread() is self._gui_thread and not self._soon.isActive():
            self._soon.start()

    def drain(self) -> None:
        """Hand out waiting events for at most BUDGET_S, then leave the rest to the next turn of the loop,
        so a burst (a thousand mailboxes finishing) never keeps the window from painting and answering."""
        deadline = time.monotonic() + BUDGET_S
        while self._pending:
            self._dispatch(self._pending.popleft())
            if time.monotonic() > deadline:
                if self._pending and not self._soon.isActive():
                    self._soon.start()
                return

    def _dispatch(self, event: events.Event) -> None:
        self.event.emit(event)
        if isinstance(event, events.MailboxChanged):
            self.mailbox_changed.emit(event.mailbox_id)
        elif isinstance(event, events.TraceLogged):
            self.trace_logged.emit(event)
        elif isinstance(event, events.EngineStateChanged):
            self.engine_state.emit(event.state)

    def close(self) -> None:
        self._poll.stop()
        self._unsubscribe()
