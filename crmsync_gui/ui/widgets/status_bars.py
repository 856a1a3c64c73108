"""Mailboxes by Status as a wall of coloured bars, one per Status, each a button to the mailboxes it counts."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout, QWidget

from crmsync_gui.core.domain.mailbox_status import LABELS, STATUSES
from crmsync_gui.ui.labels import number

# a Status's colour: red needs the administrator, amber waits or retries by itself, green syncs, grey is off
COLOURS = {"rejected": "#7a0019", "pending approval": "#1a5fb4", "no profile": "#77767b", "disabled": "#77767b",
           "profile paused": "#c64600", "failing": "#b00020", "backing off": "#e5a50a", "enabled": "#26a269"}


BAR_HEIGHT = 7


class StatusBar(QPushButton):
    """One Status: its name and count, over a bar as long as its share of the largest count."""

    def __init__(self, status: str, parent=None):
        super().__init__(parent)
        self.status = status
        self.count = 0
        self.highest = 1
        self.setObjectName(f"status-{status.replace(' ', '-')}")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_count(self, count: int, highest: int) -> None:
        if (count, highest) != (self.count, self.highest):
            self.count, self.highest = count, max(highest, 1)
            self.setText(f"{QCoreApplication.translate('states', LABELS[self.status])}: {number(count)}")
            self.setToolTip(QCoreApplication.translate("StatusBars", "Click to see these mailboxes"))
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        """The Status's name and count on a line, its bar under them."""
        painter = QPainter(self)
        area = QRectF(self.rect()).adjusted(2, 1, -2, -2)
        colour = QColor(COLOURS[self.status])
        if self.underMouse():
            hover = QColor(colour)
            hover.setAlpha(25)
            painter.fillRect(area, hover)
        line = QRectF(area.left() + 2, area.top(), area.width() - 4, area.height() - BAR_HEIGHT - 2)
        painter.setPen(QColor("#241f31"))
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         QCoreApplication.translate("states", LABELS[self.status]))
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour if self.count else QColor("#77767b"))
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, number(self.count))
        track = QRectF(line.left(), area.bottom() - BAR_HEIGHT, line.width(), BAR_HEIGHT)
        faint = QColor(colour)
        faint.setAlpha(35)
        painter.fillRect(track, faint)
        if self.count:
            bar = QRectF(track)
            bar.setWidth(max(3.0, track.width() * self.count / self.highest))
            painter.fillRect(bar, colour)


class StatusBars(QWidget):
    """Every Status in the Mailboxes page's order; `chosen(status)` when one is clicked."""

    chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.bars: dict[str, StatusBar] = {}
        for status in STATUSES:
            bar = StatusBar(status)
            bar.clicked.connect(lambda _checked=False, status=status: self.chosen.emit(status))
            layout.addWidget(bar)
            self.bars[status] = bar

    def set_counts(self, counts: dict[str, int]) -> None:
        highest = max(counts.values(), default=0)
        for status, bar in self.bars.items():
            bar.set_count(counts.get(status, 0), highest)
