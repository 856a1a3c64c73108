"""\"Why wasn't this email tracked?\": the engine's recorded decision for each incoming email."""
from __future__ import annotations

import asyncio
from html import escape

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import codes
from crmsync_gui.core.admin import reprocess
from crmsync_gui.core.domain.mailbox import may_sync
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Mailbox, TrackingDecision, UnreadableEmail
from crmsync_gui.ui.labels import code_label, engine_message, number, reason, when
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
        self.waiting: set[tuple[int, str]] = set()  # (mailbox id, server id) of emails waiting to be reprocessed

    def fetch_ids(self):
        self.mailbox_names = views.names(Mailbox, Mailbox.name)
        self.waiting = reprocess.waiting()
        return views.decision_ids(self.text, self.mailbox_id, self.untracked_only,
                                  received_since=self.received_since)

    def fetch_rows(self, ids):
        wanted = {kind: [i for k, i in ids if k == kind] for kind in ("decision", "unreadable")}
        rows = {("decision", d.id): d for d in TrackingDecision.select().where(TrackingDecision.id.in_(
            wanted["decision"]))}
        rows.update({("unreadable", u.id): u for u in UnreadableEmail.select().where(UnreadableEmail.id.in_(
            wanted["unreadable"]))})
        return rows

    def display(self, d: TrackingDecision | UnreadableEmail, key: str) -> str:
        unreadable = isinstance(d, UnreadableEmail)
        if key == "decided_at":
            return when(d.found_at if unreadable else d.decided_at)
        if key == "mailbox":
            return self.mailbox_names.get(d.mailbox_id, "")
        if key == "outcome":
            if (d.mailbox_id, d.server_id) in self.waiting:
                return self.tr("Waiting to be reprocessed")
            return self.tr("Unreadable") if unreadable else code_label(codes.TrackingOutcome, d.outcome)
        if key == "reason":
            return d.reason.splitlines()[0] if d.reason else ""
        if unreadable:
            return ""
        return str(getattr(d, key) or "")

    def decorate(self, d: TrackingDecision | UnreadableEmail, key: str, role):
        if role == Qt.ItemDataRole.ToolTipRole and key == "reason":
            return d.reason
        return None


class TrackingDecisionsView(QWidget):
    """Search the decisions by subject, sender or Message-ID, by mailbox (its owner named beside it) and by
    received date; the detail says why, in full, with a link to the owner's tracking option."""

    open_owner = Signal(object)  # ("user" or "queue", id): the Users & queues page shows it
    status_message = Signal(str)  # what Reprocess did, for the status bar

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
        self.engine = None  # the embedded engine, for Reprocess at once (ErrorsPage.attach_engine)
        self.pending: asyncio.Future | None = None
        self.reprocess_action = QAction(self.tr("Reprocess"), self)
        self.reprocess_action.setObjectName("decision-reprocess")
        self.reprocess_action.setToolTip(self.tr(
            "Fetch the chosen email from the mail server again and track it if the current rules do"))
        self.reprocess_action.triggered.connect(self.reprocess_selected)
        self.table.addAction(self.reprocess_action)  # its right-click menu
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        reprocess_button = QToolButton()
        reprocess_button.setDefaultAction(self.reprocess_action)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(reprocess_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(bottom)
        self.update_actions()

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
        self.update_actions()

    # ---- Reprocess
    def selected(self) -> TrackingDecision | UnreadableEmail | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.record_at(rows[0].row()) if rows else None

    def update_actions(self) -> None:
        chosen = self.selected()
        self.reprocess_action.setEnabled(
            chosen is not None and (chosen.mailbox_id, chosen.server_id) not in self.model.waiting
            and not (isinstance(chosen, TrackingDecision) and reprocess.still_tracked(chosen)))

    def reprocess_selected(self) -> asyncio.Future | None:
        """Ask for the chosen email to be decided again (core/admin/reprocess.py); its row says it waits, and with
        the engine running here its mailbox syncs at once and the status bar says what came of it."""
        chosen = self.selected()
        if chosen is None:
            return None
        mailbox = Mailbox.get_by_id(chosen.mailbox_id)
        try:
            asked = reprocess.reprocess(mailbox, chosen.server_id)
        except CrmSyncError as exc:
            self.status_message.emit(reason(getattr(exc, "reason", str(exc))))
            return None
        self.model.waiting = reprocess.waiting()
        self.model.refresh_ids([self.model.id_at(self.table.currentIndex().row())])
        self.update_actions()
        self.status_message.emit(reason(asked))
        if self.engine is not None and self.engine.state == "running" and may_sync(mailbox,
                                                                                   codes.Direction.INCOMING):
            self.pending = asyncio.ensure_future(self._at_once(mailbox, chosen.server_id))
        return self.pending

    async def _at_once(self, mailbox: Mailbox, server_id: str) -> None:
        try:
            [result] = await self.engine.sync_now(mailbox.id, codes.Direction.INCOMING)
        except CrmSyncError as exc:
            self.status_message.emit(str(exc))
            return
        row = reprocess.outcome(mailbox, server_id)
        if not result.ok or row is None:  # the request waits for the next run
            self.status_message.emit(self.tr("Reprocess waits: the sync of mailbox {0} failed: {1}").format(
                mailbox.name, result.message))
        else:
            self.status_message.emit(engine_message(row.code, row.args, row.message))
        self.refresh()
        self._select(mailbox.id, server_id)

    def _select(self, mailbox_id: int, server_id: str) -> None:
        for n in range(self.model.rowCount()):
            record = self.model.record_at(n)
            if record is not None and (record.mailbox_id, record.server_id) == (mailbox_id, server_id):
                self.table.selectRow(n)
                return

    def show_detail(self, current, _previous=None) -> None:
        self.update_actions()
        if not current.isValid():
            self.detail.clear()
            return
        d = self.model.record_at(current.row())
        if d is None:
            return
        if isinstance(d, UnreadableEmail):
            unreadable = self.tr("Unreadable")
            self.detail.setText("<br>".join([
                f"<b>{escape(unreadable)}</b>: {escape(d.reason or '')}",
                self.tr("Folder {0}; server id {1}; found {2}. Reprocess fetches it from the mail server again.")
                .format(escape(d.folder or ""), escape(d.server_id), when(d.found_at))]))
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
