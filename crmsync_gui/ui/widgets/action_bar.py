"""A row of page actions that wraps onto a second row when the window is narrow (a QToolBar hides what does not
fit behind »: in Italian at 1280 pixels the Mailboxes page lost Re-enable after outage and Open errors)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLayout, QSizePolicy, QToolButton, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to the next row when the width runs out."""

    def __init__(self, parent=None, spacing: int = 2):
        super().__init__(parent)
        self._items = []
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, row_height = rect.x(), rect.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            size = item.sizeHint()
            if x + size.width() > rect.right() + 1 and row_height:
                x, y, row_height = rect.x(), y + row_height + self.spacing(), 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), size))
            x += size.width() + self.spacing()
            row_height = max(row_height, size.height())
        return y + row_height - rect.y()


class ActionBar(QWidget):
    """What the pages use of QToolBar (addAction, addWidget, setIconSize), as buttons in a FlowLayout."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = FlowLayout(self)
        self._icon_size = QSize(18, 18)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setIconSize(self, size: QSize) -> None:
        self._icon_size = size

    def addAction(self, icon, text: str) -> QAction:
        action = QAction(icon, text, self)
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setIconSize(self._icon_size)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAutoRaise(True)
        self._layout.addWidget(button)
        return action

    def addWidget(self, widget: QWidget) -> None:
        self._layout.addWidget(widget)

    def button_for(self, action: QAction) -> QToolButton | None:
        return next((b for b in self.findChildren(QToolButton) if b.defaultAction() is action), None)
