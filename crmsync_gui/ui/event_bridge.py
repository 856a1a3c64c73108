"""Engine events to Qt signals: the console's one subscription to core.events.EventBus.

The engine may publish from worker threads; a queued signal carries each event to the GUI
thread, so slots never run inside the engine's call and never block it.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from crmsync_gui.core import events


class EventBridge(QObject):
    event = Signal(object)  # every event
    mailbox_changed = Signal(int)
    trace_logged = Signal(object)
    engine_state = Signal(str)
    _incoming = Signal(object)

    def __init__(self, bus: events.EventBus, parent=None):
        super().__init__(parent)
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe = bus.subscribe(self._incoming.emit)

    def _dispatch(self, event: events.Event) -> None:
        self.event.emit(event)
        if isinstance(event, events.MailboxChanged):
            self.mailbox_changed.emit(event.mailbox_id)
        elif isinstance(event, events.TraceLogged):
            self.trace_logged.emit(event)
        elif isinstance(event, events.EngineStateChanged):
            self.engine_state.emit(event.state)

    def close(self) -> None:
        self._unsubscribe()
