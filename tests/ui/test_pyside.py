"""The installed PySide6 is one the console can run on for hours."""
import sys

from PySide6.QtCore import QObject, Signal


class _Sender(QObject):
    changed = Signal(object)


def test_emitting_a_signal_keeps_the_reference_count_of_true(qapp):
    # PySide6 6.12.0 returned True from Signal.emit() without a reference of its own: every emit
    # took one from True, and after a few hundred engine events the console aborted with
    # "bool_dealloc: deallocating True or False" (pyproject excludes that version).
    sender = _Sender()
    sender.changed.connect(lambda _value: None)
    before = sys.getrefcount(True)
    for n in range(200):
        sender.changed.emit(n)
    assert abs(sys.getrefcount(True) - before) < 50, "Signal.emit() changes the reference count of True"
