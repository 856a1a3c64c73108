"""The Mailboxes page: every mailbox in a lazy, sortable, filterable table, with actions on the selection."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.labels import code_label, countdown, when
from crmsync_gui.ui.pages.base import Page
from crmsync_gui.ui.table_model import Column, LazyTableModel

FAILURE = QBrush(QColor("#b00020"))


class MailboxTableModel(LazyTableModel):
    columns = (
        Column("name", "Name"),
        Column("email", "Address"),
        Column("owner", "Owner"),
        Column("profile", "Profile"),
        Column("incoming_method", "Incoming"),
        Column("outgoing_method", "Outgoing"),
        Column("act_method", "Appointments, contacts, tasks"),
        Column("incoming_status", "Incoming status"),
        Column("outgoing_status", "Outgoing status"),
        Column("act_status", "ACT status"),
        Column("approval", "Approval"),
        Column("last_sync_at", "Last sync"),
        Column("next_run", "Next sync"),
        Column("last_error", "Last error"),
    )
    ENUMS = {"incoming_method": codes.IncomingMethod, "outgoing_method": codes.OutgoingMethod,
             "act_method": codes.ActMethod, "incoming_status": codes.DirectionStatus,
             "outgoing_status": codes.DirectionStatus, "act_status": codes.DirectionStatus,
             "approval": codes.Approval}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter_text = ""

    def fetch_ids(self):
        return views.mailbox_ids(self.filter_text, self.sort_key, self.descending)

    def fetch_rows(self, ids):
        return views.mailbox_rows(ids)

    def display(self, m: Mailbox, key: str) -> str:
        if key in self.ENUMS:
            return code_label(self.ENUMS[key], getattr(m, key))
        if key == "owner":
            return views.owner_label(m)
        if key == "profile":
            profile = getattr(m, "profile_t", None)
            return profile.name if profile is not None and profile.id else ""
        if key == "last_sync_at":
            return when(m.last_sync_at)
        if key == "next_run":
            return countdown(views.next_run(m), utcnow())
        if key == "last_error":
            return f"{m.last_error_code}: {m.last_error_message}" if m.last_error_code else ""
        return str(getattr(m, key) or "")

    def decorate(self, m: Mailbox, key: str, role):
        if role == Qt.ItemDataRole.ForegroundRole:
            failed = (key.endswith("_status") and getattr(m, key) == codes.DirectionStatus.FAILURE) or \
                     (key == "approval" and m.approval == codes.Approval.REJECTED)
            return FAILURE if failed else None
        if role == Qt.ItemDataRole.ToolTipRole and key == "last_error" and m.last_error_message:
            return f"{m.last_error_code} at {when(m.last_error_at)}\n{m.last_error_message}"
        return None

    def tick(self) -> None:
        """Repaint the next-sync countdowns (values come from the cached rows; no query)."""
        if self.rowCount():
            col = [c.key for c in self.columns].index("next_run")
            self.dataChanged.emit(self.index(0, col), self.index(self.rowCount() - 1, col),
                                  [Qt.ItemDataRole.DisplayRole])


class MailboxesPage(Page):
    title = "Mailboxes"
    empty_text = ("No mailboxes yet. Add one for each user or queue whose email the CRM should track, "
                  "map it to its owner, approve its address, then run Test & Enable.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = MailboxTableModel(self)
        self.add_empty_action(self.tr("New mailbox…"), self.new_mailbox)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.toolbar = QToolBar()
        self.actions = {}
        for key, text, shortcut, slot in (
            ("new", self.tr("New…"), QKeySequence.StandardKey.New, self.new_mailbox),
            ("edit", self.tr("Edit…"), "Return", self.edit_selected),
            ("approve", self.tr("Approve"), "Ctrl+Shift+A", lambda: self.approve_selected(True)),
            ("reject", self.tr("Reject"), "Ctrl+Shift+R", lambda: self.approve_selected(False)),
            ("test_enable", self.tr("Test && Enable"), "Ctrl+T", self.test_and_enable),
            ("enable", self.tr("Enable"), "Ctrl+E", lambda: self.enable_selected(True)),
            ("disable", self.tr("Disable"), "Ctrl+D", lambda: self.enable_selected(False)),
            ("sync_now", self.tr("Sync now"), "F5", self.sync_now),
            ("errors", self.tr("Open errors"), "Ctrl+L", self.open_errors),
        ):
            action = self.toolbar.addAction(text)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.actions[key] = action
        self.actions["test_enable"].setToolTip(self.tr("Needs the sync engine, which is not running in this console."))
        self.actions["sync_now"].setToolTip(self.tr("Needs the sync engine, which is not running in this console."))
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by name, address, owner, profile or error (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_later)
        find = self.toolbar.addAction(self.tr("Find"))
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: self.filter_edit.setFocus())
        find.setVisible(False)
        self.addAction(find)
        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.filter_edit)
        layout.addLayout(top)

        self.table = QTableView()
        self.table.setObjectName("mailbox-table")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.set_content(body)

        self._filter_timer = QTimer(self, singleShot=True, interval=200)
        self._filter_timer.timeout.connect(self.refresh)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.model.tick)
        self._clock.start()
        self._update_actions()

    # ---- loading
    def refresh(self) -> None:
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        total = Mailbox.select().count()
        self.show_empty(total == 0)
        self.count_label.setText(self.tr("{0} of {1} mailboxes").format(self.model.rowCount(), total))
        self._update_actions()

    def _filter_later(self) -> None:
        self._filter_timer.start()

    def apply_filter(self, filters: dict) -> None:
        self.filter_edit.setText(filters.get("text", ""))
        self.refresh()
        row = self.model.row_of(filters["mailbox_id"]) if "mailbox_id" in filters else None
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def on_mailbox_changed(self, mailbox_id: int) -> None:
        """An engine event: re-read that one row."""
        self.model.refresh_ids([mailbox_id])

    # ---- selection
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def selected_mailboxes(self) -> list[Mailbox]:
        ids = self.selected_ids()
        return list(Mailbox.select().where(Mailbox.id.in_(ids))) if ids else []

    def _update_actions(self) -> None:
        count = len(self.selected_ids())
        for key in ("approve", "reject", "enable", "disable"):
            self.actions[key].setEnabled(count > 0)
        for key in ("edit", "errors"):
            self.actions[key].setEnabled(count == 1)
        engine = self.engine_available()
        self.actions["test_enable"].setEnabled(engine and count > 0)
        self.actions["sync_now"].setEnabled(engine and count > 0)

    def engine_available(self) -> bool:
        return False  # wired once the engine's services are in core/sync

    # ---- actions
    def new_mailbox(self) -> None:
        from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog

        dialog = MailboxDialog(None, self)
        if dialog.exec():
            self.refresh()

    def edit_selected(self) -> None:
        from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog

        boxes = self.selected_mailboxes()
        if len(boxes) != 1:
            return
        dialog = MailboxDialog(boxes[0], self)
        if dialog.exec():
            self.refresh()

    def approve_selected(self, approved: bool) -> None:
        boxes = self.selected_mailboxes()
        for mailbox in boxes:
            admin.set_approval(mailbox, approved)
        self.model.refresh_ids([m.id for m in boxes])

    def enable_selected(self, enabled: bool) -> None:
        boxes = self.selected_mailboxes()
        for mailbox in boxes:
            admin.set_enabled(mailbox, enabled)
        self.model.refresh_ids([m.id for m in boxes])

    def test_and_enable(self) -> None:
        self._engine_missing()

    def sync_now(self) -> None:
        self._engine_missing()

    def _engine_missing(self) -> None:
        QMessageBox.information(self, self.tr("Sync engine"),
                                self.tr("The sync engine is not part of this console yet; "
                                        "use Enable to re-enable mailboxes after an outage."))

    def open_errors(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.open_page.emit("Errors", {"mailbox_id": ids[0]})

