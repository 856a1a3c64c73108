"""The results of Test & Enable, Sync now and the like, in place: a panel under the table, not a modal box.

While the work runs: a progress bar with room for its text and a Cancel button; then "12 passed, 2 failed"
and one row per mailbox and direction; a failed row opens that mailbox's errors.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

FAILED = QBrush(QColor("#b00020"))


class ResultsPanel(QFrame):
    cancel_requested = Signal()
    open_errors = Signal(int)  # a mailbox id: show its errors

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("results-panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.heading = QLabel()
        self.heading.setObjectName("results-heading")
        self.summary = QLabel()
        self.summary.setObjectName("results-summary")
        self.progress = QProgressBar()
        self.progress.setObjectName("engine-progress")
        self.progress.setMinimumWidth(320)  # "Test & Enable: 1,000 / 1,000" and its Italian fit
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.clicked.connect(self._cancel)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self.hide)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.summary, 1)
        top.addWidget(self.progress)
        top.addWidget(self.cancel)
        top.addWidget(self.close_button)
        self.rows = QTreeWidget()
        self.rows.setObjectName("results-rows")
        self.rows.setRootIsDecorated(False)
        self.rows.setHeaderLabels([self.tr("Mailbox"), self.tr("Direction"), self.tr("Result")])
        self.rows.setColumnWidth(0, 200)
        self.rows.setColumnWidth(1, 220)
        self.rows.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.rows.itemActivated.connect(self._activated)
        self.rows.setToolTip(self.tr("Double-click a failed row to see the mailbox's errors"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.rows)
        self.lines: list[str] = []
        self.hide()

    def start(self, title: str, total: int) -> None:
        self.title, self.lines, self.passed, self.failed = title, [], 0, 0
        self.rows.clear()
        self.heading.setText(f"<b>{title}</b>")
        self.summary.setText("")
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("{0} of {1} mailboxes").format("%v", "%m"))
        self.progress.show()
        self.cancel.setEnabled(True)
        self.cancel.show()
        self.close_button.hide()
        self.show()

    def add(self, mailbox_id: int, mailbox: str, direction: str, result: str, ok: bool, line: str) -> None:
        """One direction's result (direction "" when the mailbox as a whole was refused)."""
        item = QTreeWidgetItem([mailbox, direction, result])
        item.setData(0, Qt.ItemDataRole.UserRole, mailbox_id)
        if not ok:
            for column in range(3):
                item.setForeground(column, FAILED)
            item.setToolTip(2, result)
        self.rows.addTopLevelItem(item)
        self.lines.append(line)
        self.passed += ok
        self.failed += not ok
        self.summary.setText(self.tr("{0} passed, {1} failed").format(self.passed, self.failed))

    def step(self, done: int) -> None:
        self.progress.setValue(done)

    def finish(self, text: str) -> None:
        self.report_text = text
        self.heading.setText(f"<b>{text}</b>")
        self.progress.hide()
        self.cancel.hide()
        self.close_button.show()

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.summary.setText(self.tr("Cancelling: the mailboxes under way finish, no other starts…"))
        self.cancel_requested.emit()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.open_errors.emit(item.data(0, Qt.ItemDataRole.UserRole))

    # the report as text, as the message box it replaces gave it
    def text(self) -> str:
        return self.report_text

    def detailedText(self) -> str:  # noqa: N802 (QMessageBox's name)
        return "\n".join(self.lines)
