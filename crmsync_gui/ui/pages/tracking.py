"""\"Why wasn't this email tracked?\": the engine's recorded decision for each incoming email."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Mailbox, TrackingDecision
from crmsync_gui.ui.labels import code_label, number, when
from crmsync_gui.ui.pages.table_page import fit_columns
from crmsync_gui.ui.table_model import Column, LazyTableModel


class DecisionTableModel(LazyTableModel):
    columns = (
        Column("decided_at", "Decided", sortable=False, width=130),
        Column("mailbox", "Mailbox", sortable=False, width=150),
        Column("sender", "Sender", sortable=False, stretch=True),
        Column("subject", "Subject", sortable=False, stretch=True),
        Column("outcome", "Outcome", sortable=False, width=240),
        Column("reason", "Reason", sortable=False, stretch=True),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.mailbox_id: int | None = None
        self.untracked_only = True
        self.mailbox_names: dict[int, str] = {}

    def fetch_ids(self):
        self.mailbox_names = views.names(Mailbox, Mailbox.name)
        return views.decision_ids(self.text, self.mailbox_id, self.untracked_only)

    def fetch_rows(self, ids):
        return {d.id: d for d in TrackingDecision.select().where(TrackingDecision.id.in_(ids))}

    def display(self, d: TrackingDecision, key: str) -> str:
        if key == "decided_at":
            return when(d.decided_at)
        if key == "mailbox":
            return self.mailbox_names.get(d.mailbox_id, "")
        if key == "outcome":
            return code_label(codes.TrackingOutcome, d.outcome)
        if key == "reason":
            return d.reason.splitlines()[0] if d.reason else ""
        return str(getattr(d, key) or "")

    def decorate(self, d: TrackingDecision, key: str, role):
        if role == Qt.ItemDataRole.ToolTipRole and key == "reason":
            return d.reason
        return None


class TrackingDecisionsView(QWidget):
    """Search the decisions by subject, sender or Message-ID; the detail says why, in full."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = DecisionTableModel(self)
        self.search = QLineEdit()
        self.search.setObjectName("decision-search")
        self.search.setPlaceholderText(self.tr("Subject, sender or Message-ID of the email"))
        self.search.setClearButtonEnabled(True)
        self.untracked_only = QCheckBox(self.tr("Only emails that were not tracked"))
        self.untracked_only.setChecked(True)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.untracked_only.toggled.connect(lambda _c: self.refresh())
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.untracked_only)
        self.table = QTableView()
        self.table.setObjectName("decision-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        fit_columns(self.table, self.model.columns, "DecisionTable")
        self.table.selectionModel().currentRowChanged.connect(self.show_detail)
        self.detail = QLabel()
        self.detail.setObjectName("decision-detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.count_label)

    def set_mailbox(self, mailbox_id: int | None) -> None:
        self.model.mailbox_id = mailbox_id

    def refresh(self) -> None:
        self.model.text = self.search.text()
        self.model.untracked_only = self.untracked_only.isChecked()
        self.model.reload()
        shown = self.model.rowCount()
        self.count_label.setText(
            self.tr("the newest {0} decisions").format(number(shown)) if shown >= views.DECISION_LIMIT
            else self.tr("{0} decisions").format(number(shown)))
        self.detail.clear()
        if shown:
            self.table.selectRow(0)

    def show_detail(self, current, _previous=None) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        d = self.model.record_at(current.row())
        if d is None:
            return
        # rich text: what came from an email (a Message-ID is <...>) is escaped, or it would vanish as a tag
        lines = [f"<b>{escape(code_label(codes.TrackingOutcome, d.outcome))}</b>: {escape(d.reason or '')}"]
        if d.correlation:
            lines.append(self.tr("Linked to an earlier CRM email by: {0}").format(escape(d.correlation)))
        lines.append(self.tr("Folder {0}; Message-ID {1}; received {2}").format(
            escape(d.folder or ""), escape(d.message_id or "—"), when(d.received_at) or "—"))
        self.detail.setText("<br>".join(lines))
