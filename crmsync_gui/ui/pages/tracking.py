"""\"Why wasn't this email tracked?\": the engine's recorded decision for each incoming email."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
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
        self.received_since = None
        self.mailbox_names: dict[int, str] = {}

    def fetch_ids(self):
        self.mailbox_names = views.names(Mailbox, Mailbox.name)
        return views.decision_ids(self.text, self.mailbox_id, self.untracked_only,
                                  received_since=self.received_since)

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
    """Search the decisions by subject, sender or Message-ID, by mailbox (its owner named beside it) and by
    received date; the detail says why, in full, with a link to the owner's tracking option."""

    open_owner = Signal(object)  # ("user" or "queue", id): the Users & queues page shows it

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mailbox = QComboBox()
        self.mailbox.setObjectName("decision-mailbox")
        self.mailbox.setToolTip(self.tr("The mailbox, or its owner"))
        self.mailbox.setMinimumContentsLength(18)
        self.mailbox.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mailbox.currentIndexChanged.connect(lambda _i: self.refresh())
        self.received_on = QCheckBox(self.tr("Received from"))
        self.received = QDateTimeEdit(QDateTime.currentDateTimeUtc().addDays(-2))
        self.received.setObjectName("decision-received")
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.received.setCalendarPopup(True)
        self.received_on.toggled.connect(lambda _c: self.refresh())
        self.received.dateTimeChanged.connect(lambda _d: self.received_on.isChecked() and self._timer.start())
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
        top.addWidget(self.mailbox)
        top.addWidget(self.received_on)
        top.addWidget(self.received)
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
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.detail.linkActivated.connect(self._open_link)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.count_label)

    def set_mailbox(self, mailbox_id: int | None) -> None:
        """Show this mailbox's decisions (None: the one chosen here); the list of mailboxes is read afresh."""
        if mailbox_id is None:
            mailbox_id = self.mailbox.currentData()
        self.mailbox.blockSignals(True)
        self.mailbox.clear()
        self.mailbox.addItem(self.tr("All mailboxes"), None)
        for m in Mailbox.select().order_by(Mailbox.name):
            owner = m.owner
            name = getattr(owner, "full_name", None) or getattr(owner, "name", None)
            self.mailbox.addItem(m.name if not name or name == m.name else f"{m.name} ({name})", m.id)
        self.mailbox.setCurrentIndex(max(self.mailbox.findData(mailbox_id), 0))
        self.mailbox.blockSignals(False)

    def refresh(self) -> None:
        self.model.text = self.search.text()
        self.model.mailbox_id = self.mailbox.currentData()
        self.model.received_since = self.received.dateTime().toPython() if self.received_on.isChecked() else None
        self.model.untracked_only = self.untracked_only.isChecked()
        self.model.reload()
        shown = self.model.rowCount()
        self.count_label.setText(
            self.tr("the newest {0} decisions").format(number(shown)) if shown >= views.DECISION_LIMIT
            else self.tr("{0} decisions").format(number(shown)) if shown else self.tr(
                "No email matches. The engine records a decision for each incoming email it reads: an email that "
                "arrived since the mailbox's last sync has none yet (Sync now on the Mailboxes page), and one "
                "received before the profile's Process email from date is never read. Clear a filter to see more."))
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
        mailbox = Mailbox.get_or_none(Mailbox.id == d.mailbox_id)
        owner = mailbox.owner if mailbox is not None else None
        if owner is not None:
            kind = "user" if mailbox.owner_user_id else "queue"
            name = getattr(owner, "full_name", None) or owner.name
            lines.append(self.tr("{0} tracks: {1}. <a href='{2}:{3}'>Change it on Users &amp; queues</a>").format(
                escape(name), escape(code_label(codes.TrackingOption, owner.tracking_option)), kind, owner.id))
        self.detail.setText("<br>".join(lines))

    def _open_link(self, link: str) -> None:
        kind, _, owner_id = link.partition(":")
        self.open_owner.emit((kind, int(owner_id)))
