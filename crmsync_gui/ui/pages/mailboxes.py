"""The Mailboxes page: every mailbox in a lazy, sortable, filterable table, with actions on the selection."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import QCoreApplication, QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.domain.mailbox_status import (
    LABELS,
    MailboxStatus,
    current_error,
    mailbox_status,
    next_sync,
)
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.ui.labels import code_label, countdown, latency, when
from crmsync_gui.ui.pages.base import Page
from crmsync_gui.ui.pages.mailbox_detail import latest_budget, mailbox_detail_html
from crmsync_gui.ui.pages.table_page import (
    add_page_action,
    fit_columns,
    offer_context_menu,
    record_table,
)
from crmsync_gui.ui.resources import icon
from crmsync_gui.ui.table_model import Column, LazyTableModel
from crmsync_gui.ui.widgets.action_bar import ActionBar
from crmsync_gui.ui.widgets.results_panel import ResultsPanel

FAILURE = QBrush(QColor("#b00020"))
ENGINE_CALLS_AT_ONCE = 8  # Test & Enable / Sync now requests in flight; the engine queues what it cannot run
STATUS_ICONS = {"enabled": "status-enabled", "disabled": "status-disabled", "failing": "status-failing",
                "backing off": "status-backing-off", "profile paused": "status-paused",
                "pending approval": "status-pending", "rejected": "status-rejected", "no profile": "status-disabled"}
_icons: dict[str, QIcon] = {}
translate = QCoreApplication.translate


def status_icon(code: str) -> QIcon:
    """The state's icon, loaded once (the table asks for it on every paint)."""
    if code not in _icons:
        _icons[code] = icon(f"tabler/{STATUS_ICONS[code]}")
    return _icons[code]



def direction_icon(status: int) -> QIcon | None:
    """A direction's indicator: a tick after a good run, a red mark after a failed one, none before any."""
    return {codes.DirectionStatus.SUCCESS: status_icon("enabled"),
            codes.DirectionStatus.FAILURE: status_icon("failing")}.get(status)


class MailboxTableModel(LazyTableModel):
    columns = (
        Column("name", "Name", stretch=True),
        Column("email", "Address", stretch=True),
        Column("owner", "Owner", width=130, hidden=True),
        Column("profile", "Profile", width=130, hidden=True),
        Column("incoming_method", "Incoming", width=110, hidden=True),
        Column("outgoing_method", "Outgoing", width=110, hidden=True),
        Column("act_method", "ACT", width=110, hidden=True),
        Column("incoming_status", "Incoming status", width=100),
        Column("outgoing_status", "Outgoing status", width=100),
        Column("act_status", "ACT status", width=90),
        Column("approval", "Approval", width=120, hidden=True),
        Column("last_sync_at", "Last sync", width=125, hidden=True),
        Column("next_run", "Next sync", width=120),
        Column("last_error", "Last error", sortable=False, stretch=True),
        Column("status", "Status", sortable=False, width=130),
        Column("arrival", "New email", sortable=False, width=110),
        Column("arrival_latency_s", "Arrival to CRM", sortable=False, width=110, hidden=True),
    )
    # the order on screen: health first (the status, the standing error beside the name, each direction, how
    # email arrives, the next sync), so that a 1280-pixel window shows it without scrolling sideways; the owner,
    # profile, methods and the rest are in the detail pane and one right-click on the header away (their
    # columns hidden at first); the model keeps name first
    SHOWN = ("status", "name", "last_error", "email", "incoming_status", "outgoing_status", "act_status",
             "arrival", "next_run", "arrival_latency_s", "owner", "profile", "approval", "last_sync_at",
             "incoming_method", "outgoing_method", "act_method")
    ENUMS = {"incoming_method": codes.IncomingMethod, "outgoing_method": codes.OutgoingMethod,
             "act_method": codes.ActMethod, "incoming_status": codes.DirectionStatus,
             "outgoing_status": codes.DirectionStatus, "act_status": codes.DirectionStatus,
             "approval": codes.Approval, "arrival": codes.Arrival}

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter_text = ""
        self.profile_id: int | None = None
        self.status: str | None = None  # one of mailbox_status.STATUSES, as the dashboard's bars choose

    def fetch_ids(self, among: list[int] | None = None):
        return views.mailbox_ids(self.filter_text, self.sort_key, self.descending, self.profile_id, self.status,
                                 among)

    @property
    def filtered(self) -> bool:
        return bool(self.filter_text.strip()) or self.profile_id is not None or self.status is not None

    def still_matching(self, ids) -> bool:
        """Whether these changed mailboxes are listed exactly when they match the filter still."""
        ids = list(ids)
        if not ids or not self.filtered:
            return True
        listed = {i for i in ids if self.row_of(i) is not None}
        return set(self.fetch_ids(among=ids)) == listed

    def fetch_rows(self, ids):
        return views.mailbox_rows(ids)

    def status_of(self, m: Mailbox) -> MailboxStatus:
        profile = getattr(m, "profile_t", None)
        return mailbox_status(m, profile_paused=bool(profile is not None and profile.id and profile.paused_at))

    def display(self, m: Mailbox, key: str) -> str:
        if key == "status":
            status = self.status_of(m)
            label = translate("states", LABELS[status.code])
            return self.tr("{0}: {1}").format(label, status.why) if status.why else label
        if key in self.ENUMS:
            return code_label(self.ENUMS[key], getattr(m, key))
        if key == "owner":
            return views.owner_label(m)
        if key == "profile":
            profile = getattr(m, "profile_t", None)
            return profile.name if profile is not None and profile.id else ""
        if key == "last_sync_at":
            return when(m.last_sync_at)
        if key == "arrival_latency_s":
            return latency(m.arrival_latency_s)
        if key == "next_run":
            status = self.status_of(m)
            if not status.syncs:  # why never, instead of "due now" for a run that will not come
                return self.tr("never ({0})").format(translate("states", LABELS[status.code]).lower())
            return countdown(next_sync(m, status), utcnow())
        if key == "last_error":
            code = current_error(m, self.status_of(m))
            return f"{code}: {(m.last_error_message or '').splitlines()[0] if m.last_error_message else ''}" \
                if code else ""
        return str(getattr(m, key) or "")

    def decorate(self, m: Mailbox, key: str, role):
        if role == Qt.ItemDataRole.DecorationRole:
            if key == "status":
                return status_icon(self.status_of(m).code)
            if key.endswith("_status"):
                return direction_icon(getattr(m, key))
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("arrival", "name", "email", "owner", "profile"):
            return self.display(m, key) or None  # the whole of a value its column elides
        if role == Qt.ItemDataRole.ToolTipRole and key == "next_run":
            status = self.status_of(m)
            run = next_sync(m, status) if status.syncs else None
            return when(run) + " UTC" if run else None
        if role == Qt.ItemDataRole.ForegroundRole:
            failed = (key.endswith("_status") and getattr(m, key) == codes.DirectionStatus.FAILURE) or \
                     (key == "approval" and m.approval == codes.Approval.REJECTED)
            return FAILURE if failed else None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("last_error", "status") and m.last_error_message \
                and current_error(m, self.status_of(m)):
            return f"{m.last_error_code} at {when(m.last_error_at)}\n{m.last_error_message}"
        return None

    def tick(self, rows: range) -> None:
        """Repaint the next-sync countdowns of these rows (values come from the cached rows; no query)."""
        if rows:
            col = [c.key for c in self.columns].index("next_run")
            self.dataChanged.emit(self.index(rows.start, col), self.index(rows.stop - 1, col),
                                  [Qt.ItemDataRole.DisplayRole])


class MailboxesPage(Page):
    title = "Mailboxes"
    icon_name = "tabler/mail"
    empty_text = ("No mailboxes yet. Add one for each user or queue whose email the CRM should track, "
                  "map it to its owner, approve its address, then run Test & Enable.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = MailboxTableModel(self)
        self.budgets: dict[int, events.RequestBudget] = {}  # mailbox id → the last the engine told
        self.add_empty_action(self.tr("New mailbox…"), self.new_mailbox)

        body = QWidget()
        layout = QVBoxLayout(body)
        self.toolbar = ActionBar()  # wraps in a narrow window; every action stays on screen
        self.actions = {}
        for key, text, shortcut, slot in (
            ("new", self.tr("New…"), QKeySequence.StandardKey.New, self.new_mailbox),
            ("edit", self.tr("Edit…"), "Return", self.edit_selected),
            ("delete", self.tr("Delete…"), QKeySequence.StandardKey.Delete, self.delete_selected),
            ("approve", self.tr("Approve"), "Ctrl+Shift+A", lambda: self.approve_selected(True)),
            ("reject", self.tr("Reject"), "Ctrl+Shift+R", lambda: self.approve_selected(False)),
            ("test_enable", self.tr("Test && Enable"), "Ctrl+T", self.test_and_enable),
            ("enable", self.tr("Enable"), "Ctrl+E", lambda: self.enable_selected(True)),
            ("disable", self.tr("Disable"), "Ctrl+D", lambda: self.enable_selected(False)),
            ("sync_now", self.tr("Sync now"), "Ctrl+Shift+S", self.sync_now),
            ("reenable", self.tr("Re-enable after outage"), "Ctrl+Shift+E", self.reenable_after_outage),
            ("errors", self.tr("Open errors"), "Ctrl+L", self.open_errors),
        ):
            add_page_action(self, self.toolbar, key, text, shortcut, slot)
        self.actions["test_enable"].setToolTip(self.tr("Test each direction against the server; enable what passes "
                                                       "(needs the running sync engine)"))
        self.actions["sync_now"].setToolTip(self.tr("Sync the selected mailboxes now (needs the running sync engine)"))
        self.actions["reenable"].setToolTip(self.tr("Re-enable every direction disabled after failures "
                                                    "(of the profile shown, when filtered by profile)"))
        self.engine = None
        self.pending: asyncio.Task | None = None
        self._cancelled = False
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by name, address, owner, profile or error (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._filter_later)
        self.search_field = self.filter_edit
        self.profile_chip = QPushButton()
        self.profile_chip.setObjectName("profile-filter")
        self.profile_chip.setToolTip(self.tr("Click to show the mailboxes of every profile"))
        self.profile_chip.clicked.connect(lambda: (self.set_profile_filter(None), self.refresh()))
        self.profile_chip.hide()
        self.status_chip = QPushButton()
        self.status_chip.setObjectName("status-filter")
        self.status_chip.setToolTip(self.tr("Click to show the mailboxes of every status"))
        self.status_chip.clicked.connect(lambda: (self.set_status_filter(None), self.refresh()))
        self.status_chip.hide()
        # the toolbar has a row of its own: beside the filter, a 1280-pixel window hid half its actions
        layout.addWidget(self.toolbar)
        search = QHBoxLayout()
        search.addWidget(self.filter_edit, 1)
        search.addWidget(self.profile_chip)
        search.addWidget(self.status_chip)
        layout.addLayout(search)

        self.table = record_table(self.model)
        self.table.setObjectName("mailbox-table")
        # set widths: sizing to contents would read every row of a lazy model (long values elide, whole in their
        # tooltips)
        fit_columns(self.table, self.model.columns, "MailboxesPage")
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        offer_context_menu(self.table, self.actions)
        header = self.table.horizontalHeader()
        keys = [c.key for c in self.model.columns]
        for place, key in enumerate(self.model.SHOWN):
            header.moveSection(header.visualIndex(keys.index(key)), place)
        self.table.selectionModel().selectionChanged.connect(self.update_actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.show_detail())
        self.detail = QTextBrowser()
        self.detail.setObjectName("mailbox-detail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(lambda _url: self.open_errors())
        self.results = ResultsPanel()
        self.results.cancel_requested.connect(self.cancel_engine_run)
        self.results.open_errors.connect(lambda mailbox_id: self.open_page.emit("Errors", {"mailbox_id": mailbox_id}))
        self.progress = self.results.progress
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.results)
        splitter.addWidget(self.detail)
        for pane, stretch in enumerate((3, 2, 1)):
            splitter.setStretchFactor(pane, stretch)
        layout.addWidget(splitter, 1)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        self.set_content(body)

        self._filter_timer = QTimer(self, singleShot=True, interval=200)
        self._filter_timer.timeout.connect(self.refresh)
        self._changed: set[int] = set()  # mailboxes the engine changed since the last tick
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        self.update_actions()

    # ---- loading
    def refresh(self) -> None:
        kept = self.selected_ids()  # the selection outlives a reload (after an edit, F5, a new filter)
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        self.select_ids(kept)
        total = Mailbox.select().count()
        self.show_empty(total == 0)
        self.count_label.setText(self.tr("{0} of {1} mailboxes").format(self.model.rowCount(), total))
        self.update_actions()

    def set_profile_filter(self, profile_id: int | None) -> None:
        profile = EmailServerProfile.get_or_none(EmailServerProfile.id == profile_id) if profile_id else None
        self.model.profile_id = profile.id if profile else None
        self.profile_chip.setVisible(profile is not None)
        if profile is not None:
            self.profile_chip.setText(self.tr("Profile: {0} ✕").format(profile.name))

    def set_status_filter(self, status: str | None) -> None:
        self.model.status = status
        self.status_chip.setVisible(status is not None)
        if status is not None:
            self.status_chip.setText(self.tr("Status: {0} ✕").format(translate("states", LABELS[status])))

    def _filter_later(self) -> None:
        self._filter_timer.start()

    def apply_filter(self, filters: dict) -> None:
        self.set_profile_filter(filters.get("profile_id"))
        self.set_status_filter(filters.get("status"))
        self.filter_edit.setText(filters.get("text", ""))
        self.refresh()
        row = self.model.row_of(filters["mailbox_id"]) if "mailbox_id" in filters else None
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))

    def on_mailbox_changed(self, mailbox_id: int) -> None:
        """An engine event: that row is re-read on the next tick. The table repaints once a second then,
        not after every event (a repaint takes tens of milliseconds while the engine changes hundreds of rows)."""
        self._changed.add(mailbox_id)

    def _tick(self) -> None:
        # repaint the rows on screen only: for a range beyond it the view repaints all of itself, and
        # announcing hundreds of changed rows one by one takes longer than the repaint
        shown = range(0)
        if self.table.isVisible():
            top, bottom = self.table.rowAt(0), self.table.rowAt(self.table.viewport().height() - 1)
            shown = range(max(top, 0), (bottom if bottom >= 0 else self.model.rowCount() - 1) + 1)
        changed, self._changed = self._changed, set()
        self.follow_changes(changed, shown)
        self.model.tick(shown)

    def follow_changes(self, ids, shown: range | None = None) -> None:
        """Show these mailboxes' new values; a filtered list drops a mailbox that no longer matches (its Status
        changed) and takes in one that now does."""
        if self.model.still_matching(ids):
            self.model.refresh_ids(ids, shown)
        else:
            self.refresh()

    # ---- selection
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        selection = QItemSelection()
        for row in [r for r in map(self.model.row_of, ids) if r is not None]:
            selection.select(self.model.index(row, 0), self.model.index(row, self.model.columnCount() - 1))
        self.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.show_detail()

    def show_detail(self) -> None:
        """The current mailbox in full: its state, each direction, the standing error and its latest trace rows."""
        ids = self.selected_ids()
        mailbox = views.mailbox_rows(ids[:1]).get(ids[0]) if len(ids) == 1 else None
        budget = latest_budget(mailbox, self.budgets.get(mailbox.id)) if mailbox is not None else None
        self.detail.setHtml(mailbox_detail_html(self.model, mailbox, budget) if mailbox is not None else "")

    def selected_mailboxes(self) -> list[Mailbox]:
        ids = self.selected_ids()
        return list(Mailbox.select().where(Mailbox.id.in_(ids))) if ids else []

    def update_actions(self) -> None:
        count = len(self.selected_ids())
        for key in ("approve", "reject", "enable", "disable"):
            self.actions[key].setEnabled(count > 0)
        for key in ("edit", "delete", "errors"):
            self.actions[key].setEnabled(count == 1)
        engine = self.engine_available()
        self.actions["test_enable"].setEnabled(engine and count > 0)
        self.actions["sync_now"].setEnabled(engine and count > 0)

    def engine_available(self) -> bool:
        return self.engine is not None and self.engine.state == "running"

    def attach(self, bridge) -> None:
        """Follow the engine through the EventBridge: a Graph mailbox's request budget as the engine tells it."""
        bridge.event.connect(self.on_event)

    def on_event(self, event) -> None:
        if isinstance(event, events.RequestBudget):  # at most every 5 s per mailbox, and when it is spent
            self.budgets[event.mailbox_id] = event
            if self.selected_ids() == [event.mailbox_id]:
                self.show_detail()

    def attach_engine(self, engine) -> None:
        """The embedded sync engine: Test & Enable and Sync now call it."""
        self.engine = engine
        self.update_actions()

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

    def delete_selected(self) -> None:
        from crmsync_gui.ui.dialogs.delete import delete_with_confirmation

        boxes = self.selected_mailboxes()
        if len(boxes) == 1 and delete_with_confirmation(self, boxes[0]):
            self.refresh()

    def approve_selected(self, approved: bool) -> None:
        boxes = self.selected_mailboxes()
        for mailbox in boxes:
            admin.set_approval(mailbox, approved)
        self.follow_changes([m.id for m in boxes])
        self.show_detail()
        self.status_message.emit(self.tr("%n mailbox(es) approved.", "", len(boxes)) if approved else
                                 self.tr("%n mailbox(es) rejected.", "", len(boxes)))

    def enable_selected(self, enabled: bool) -> None:
        boxes = self.selected_mailboxes()
        for mailbox in boxes:
            admin.set_enabled(mailbox, enabled)
        self.follow_changes([m.id for m in boxes])
        self.show_detail()
        self.status_message.emit(self.tr("%n mailbox(es) enabled.", "", len(boxes)) if enabled else
                                 self.tr("%n mailbox(es) disabled.", "", len(boxes)))

    def test_and_enable(self):
        """Test each server-side direction of the selected mailboxes and enable what passes."""
        return self._run_on_engine(self.tr("Test & Enable"), self.engine.test_and_enable)

    def sync_now(self):
        return self._run_on_engine(self.tr("Sync now"), self.engine.sync_now)

    def reenable_after_outage(self) -> None:
        """Put back every direction the engine disabled after failures (of the profile shown, if any)."""
        from crmsync_gui.core.sync.services import reenable_mailboxes

        count = reenable_mailboxes(profile_id=self.model.profile_id)
        self.refresh()
        self.status_message.emit(self.tr("%n mailbox(es) were re-enabled.", "", count))

    def _run_on_engine(self, title: str, call) -> asyncio.Task | None:
        """Run `call(mailbox_id)` for each selected mailbox on the event loop, with progress; report at the end."""
        ids = self.selected_ids()
        if not ids or not self.engine_available():
            return None
        self.results.start(title, len(ids))
        self._cancelled = False
        self.pending = asyncio.ensure_future(self._run_all(title, call, ids))
        return self.pending

    def cancel_engine_run(self) -> None:
        """Start no more mailboxes; those under way finish (the engine cannot take a started test back)."""
        self._cancelled = True

    async def _run_all(self, title: str, call, ids: list[int]) -> list[str]:
        names = dict(Mailbox.select(Mailbox.id, Mailbox.name).where(Mailbox.id.in_(ids)).tuples())
        slots = asyncio.Semaphore(ENGINE_CALLS_AT_ONCE)  # so that Cancel leaves the rest unstarted

        async def one(mailbox_id: int) -> bool:
            async with slots:
                if self._cancelled:
                    return False
                name = names.get(mailbox_id, str(mailbox_id))
                try:
                    results = await call(mailbox_id)
                except CrmSyncError as exc:
                    self.results.add(mailbox_id, name, "", str(exc), False, str(exc))
                    return True
                for r in (results.values() if isinstance(results, dict) else results):
                    direction = code_label(codes.Direction, r.direction)
                    outcome = self.tr("passed") if r.ok else f"{r.code}: {r.message}"
                    self.results.add(mailbox_id, name, direction, outcome, r.ok,
                                     self.tr("{0}, {1}: {2}").format(name, direction.lower(), outcome))
                return True

        done = 0
        for future in asyncio.as_completed([one(i) for i in ids]):
            done += await future
            self.results.step(done)
        self.follow_changes(ids)
        self.show_detail()
        finished = self.tr("{0} finished for {1} mailboxes.").format(title, done) if done == len(ids) else \
            self.tr("{0} cancelled after {1} of {2} mailboxes; the others were not started.").format(
                title, done, len(ids))
        self.results.finish(finished)
        self.report = self.results
        self.status_message.emit(finished)
        return self.results.lines

    def open_errors(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.open_page.emit("Errors", {"mailbox_id": ids[0]})

