"""The Errors page: the trace log as a lazy table (keyset pages), filters, a detail pane, CSV export."""
from __future__ import annotations

import concurrent.futures
import html

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QDateTime, QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    Activity,
    EmailServerProfile,
    Mailbox,
    TraceLog,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import trace
from crmsync_gui.ui.labels import code_label, engine_message, number, remedy, when
from crmsync_gui.ui.pages.base import Page
from crmsync_gui.ui.pages.tracking import TrackingDecisionsView

LEVEL_COLOURS = {codes.TraceLevel.ERROR: QBrush(QColor("#b00020")), codes.TraceLevel.WARNING: QBrush(QColor("#8a5a00"))}
NO_PARENT = QModelIndex()
COUNT_CAP = 10_000


COUNTER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmsync-count")


def _count(flt: views.TraceFilter) -> int:
    """On the worker thread: a capped count, on that thread's own database connection."""
    try:
        return views.trace_count(flt, cap=COUNT_CAP + 1)
    finally:
        database_proxy.obj.close()  # this thread's connection only


class TraceTableModel(QAbstractTableModel):
    """Newest first; rows arrive a page at a time as the view scrolls (fetchMore), each page by keyset."""

    PAGE = 200
    headers = ("Level", "Last seen", "Code", "Message", "Mailbox", "Profile", "Count")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter = views.TraceFilter()
        self._rows: list[tuple] = []
        self._done = True
        self.mailbox_names: dict[int, str] = {}
        self.profile_names: dict[int, str] = {}

    def reload(self) -> None:
        self.beginResetModel()
        self.mailbox_names = views.names(Mailbox, Mailbox.name)
        self.profile_names = views.names(EmailServerProfile, EmailServerProfile.name)
        self._rows = views.trace_page(self.filter, None, self.PAGE)
        self._done = len(self._rows) < self.PAGE
        self.endResetModel()

    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.headers)

    def canFetchMore(self, parent=NO_PARENT):
        return not parent.isValid() and not self._done

    def fetchMore(self, parent=NO_PARENT):
        if parent.isValid() or self._done or not self._rows:
            return
        last = self._rows[-1]
        page = views.trace_page(self.filter, (last[8], last[0]), self.PAGE)
        self._done = len(page) < self.PAGE
        if page:
            self.beginInsertRows(NO_PARENT, len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.headers):
            return QCoreApplication.translate("columns", self.headers[section])  # listed there by update.py
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row_id, level, code, message, mailbox_id, profile_id, count, _first, last_at, args = self._rows[index.row()]
        message = engine_message(code, args, message or "")
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (code_label(codes.TraceLevel, level), when(last_at), code,
                    message.splitlines()[0] if message else "", self.mailbox_names.get(mailbox_id, ""),
                    self.profile_names.get(profile_id, ""), str(count))[column]
        if role == Qt.ItemDataRole.ForegroundRole and column == 0:
            return LEVEL_COLOURS.get(level)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return message
        if role == Qt.ItemDataRole.UserRole:
            return row_id
        return None

    def id_at(self, row: int) -> int:
        return self._rows[row][0]


class ErrorsPage(Page):
    title = "Errors"
    icon_name = "tabler/alert-triangle"
    empty_text = "No errors recorded. Errors per email and per mailbox appear here, repeats collated into one row."

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = TraceTableModel(self)
        body = QWidget()
        layout = QVBoxLayout(body)

        filters = QHBoxLayout()
        self.level = QComboBox()
        self.level.setObjectName("level-filter")
        self.level.addItem(self.tr("All levels"), None)
        for level in codes.TraceLevel:
            self.level.addItem(self.tr("{0} and above").format(code_label(codes.TraceLevel, level))
                               if level != codes.TraceLevel.ERROR else code_label(codes.TraceLevel, level), int(level))
        self.mailbox = QComboBox()
        self.mailbox.setObjectName("mailbox-filter")
        self.profile = QComboBox()
        self.profile.setObjectName("profile-filter")
        for combo, everything in ((self.mailbox, self.tr("All mailboxes")), (self.profile, self.tr("All profiles"))):
            # long names must not squeeze the text filter; "All mailboxes" is whole in every language
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(everything) + 40)  # with the arrow
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("Code"))
        self.code.setMinimumWidth(100)
        self.code.setMaximumWidth(140)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("Text in the message (Ctrl+F)"))
        self.text.setClearButtonEnabled(True)
        self.text.setMinimumWidth(180)
        self.since_on = QCheckBox(self.tr("From"))
        self.since = QDateTimeEdit(QDateTime(utcnow()).addDays(-1))
        self.until_on = QCheckBox(self.tr("to"))
        self.until = QDateTimeEdit(QDateTime(utcnow()))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        # two rows, so the bar fits a 1280-pixel screen (in one row it needed 1,320 pixels for itself)
        for widget in (self.level, self.mailbox, self.profile, self.code, self.text):
            filters.addWidget(widget, 2 if widget is self.text else 0)
        times = QHBoxLayout()
        for widget in (self.since_on, self.since, self.until_on, self.until):
            times.addWidget(widget)
        times.addStretch(1)
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.export_button.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_button.clicked.connect(self.export_csv)
        times.addWidget(self.export_button)
        layout.addLayout(filters)
        layout.addLayout(times)

        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(self.apply)
        for combo in (self.level, self.mailbox, self.profile):
            combo.currentIndexChanged.connect(lambda _i: self._filter_timer.start())
        for edit in (self.code, self.text):
            edit.textChanged.connect(lambda _t: self._filter_timer.start())
        for check in (self.since_on, self.until_on):
            check.toggled.connect(lambda _c: self._filter_timer.start())
        for edit in (self.since, self.until):
            edit.dateTimeChanged.connect(lambda _d: self._filter_timer.start())

        self.table = QTableView()
        self.table.setObjectName("trace-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 90), (1, 130), (2, 160), (4, 140), (5, 120), (6, 60)):
            # never narrower than its header in the admin's language ("Conteggio" is clipped at 60)
            self.table.setColumnWidth(column, max(width, header.sectionSizeHint(column)))
        self.table.selectionModel().currentRowChanged.connect(self.show_detail)
        self.detail = QTextBrowser()
        self.detail.setObjectName("trace-detail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([500, 200])
        layout.addWidget(splitter, 1)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)
        # the matching-row count runs on a worker thread; the GUI thread polls for it (no Qt off-thread)
        self._counting: concurrent.futures.Future | None = None
        self._count_poll = QTimer(self, interval=20)
        self._count_poll.timeout.connect(self._poll_count)
        self.search_field = self.text
        self.decisions = TrackingDecisionsView()
        self.decisions.open_owner.connect(lambda owner: self.open_page.emit("Users & queues", {"owner": owner}))
        self.decisions.status_message.connect(self.status_message)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("errors-tabs")
        self.tabs.addTab(body, self.tr("Trace log"))
        self.tabs.addTab(self.decisions, self.tr("Why wasn't this email tracked?"))
        self.set_content(self.tabs)

    def attach_engine(self, engine) -> None:
        """The embedded sync engine: Reprocess syncs the email's mailbox at once with it."""
        self.decisions.engine = engine

    def current_search_field(self) -> QLineEdit:
        return self.decisions.search if self.tabs.currentWidget() is self.decisions else self.text

    # ---- loading
    def refresh(self) -> None:
        self._fill_choices()
        self.apply()

    def _fill_choices(self) -> None:
        for combo, model, column, everything in (
                (self.mailbox, Mailbox, Mailbox.name, self.tr("All mailboxes")),
                (self.profile, EmailServerProfile, EmailServerProfile.name, self.tr("All profiles"))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for row_id, name in model.select(model.id, column).order_by(column).tuples():
                combo.addItem(name, row_id)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def current_filter(self) -> views.TraceFilter:
        return views.TraceFilter(
            level=self.level.currentData(), mailbox_id=self.mailbox.currentData(),
            profile_id=self.profile.currentData(), code=self.code.text(), text=self.text.text(),
            since=self.since.dateTime().toPython() if self.since_on.isChecked() else None,
            until=self.until.dateTime().toPython() if self.until_on.isChecked() else None)

    def apply(self) -> None:
        """Run the filters: the first page and a capped count, both cheap at any table size."""
        self.model.filter = self.current_filter()
        self.model.reload()
        self.decisions.set_mailbox(self.mailbox.currentData())
        self.decisions.refresh()
        anything = TraceLog.select(TraceLog.id).limit(1).exists() or TrackingDecision.select().limit(1).exists()
        self.show_empty(not anything)
        self._counting = None  # a newer filter: an older count is no longer wanted
        if not self.model.canFetchMore():  # everything is loaded: that is the count
            self._show_count(self.model.rowCount())
        else:
            self.count_label.setText(self.tr("counting…"))
            self._counting = COUNTER.submit(_count, self.model.filter)
            self._count_poll.start()
        self.detail.clear()
        if self.model.rowCount():
            self.table.selectRow(0)

    def _poll_count(self) -> None:
        if self._counting is None:
            self._count_poll.stop()
        elif self._counting.done():
            future, self._counting = self._counting, None
            self._count_poll.stop()
            self._show_count(future.result())

    def wait_for_count(self) -> None:
        """Block until the count is shown (tests and benchmarks)."""
        if self._counting is not None:
            self._counting.result()
            self._poll_count()

    def _show_count(self, count: int) -> None:
        shown = f"{number(COUNT_CAP)}+" if count > COUNT_CAP else number(count)
        self.count_label.setText(self.tr("{0} matching rows").format(shown))

    def apply_filter(self, filters: dict) -> None:
        self._fill_choices()
        for key, combo in (("mailbox_id", self.mailbox), ("profile_id", self.profile)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(filters.get(key)), 0))
            combo.blockSignals(False)
        self.apply()

    # ---- detail
    def show_detail(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            self.detail.clear()
            return
        trace = TraceLog.get_or_none(TraceLog.id == self.model.id_at(current.row()))
        if trace is None:
            return
        self.detail.setHtml(self.detail_html(trace))

    def detail_html(self, t: TraceLog) -> str:
        e = html.escape
        what_to_do, mailbox, profile = self.tr("What to do"), self.tr("Mailbox"), self.tr("Profile")
        record, regarding, why = self.tr("Record"), self.tr("regarding"), self.tr("Why")
        seen = self.tr("Seen {0} times, first {1}, last {2}.").format(t.count, when(t.first_at), when(t.last_at))
        parts = [f"<h3>{e(code_label(codes.TraceLevel, t.level))}: {e(t.code)}</h3>",
                 f"<p style='white-space: pre-wrap'>{e(engine_message(t.code, t.args, t.message))}</p>"]
        if t.remediation:
            parts.append(f"<p><b>{e(what_to_do)}:</b> {e(remedy(t.remediation))}</p>")
        parts.append(f"<p>{e(seen)}</p>")
        if t.mailbox_id:
            name = self.model.mailbox_names.get(t.mailbox_id, str(t.mailbox_id))
            parts.append(f"<p>{e(mailbox)}: <a href='mailbox:{t.mailbox_id}'>{e(name)}</a></p>")
        if t.profile_id:
            name = self.model.profile_names.get(t.profile_id, str(t.profile_id))
            parts.append(f"<p>{e(profile)}: <a href='profile:{t.profile_id}'>{e(name)}</a></p>")
        kept = trace.unreadable_email_of(t)
        if kept is not None:
            save = self.tr("Save the email as it arrived…")
            size = (self.tr("{0} bytes").format(number(kept.raw_size)) if len(kept.raw or b"") >= kept.raw_size else
                    self.tr("its first {0} of {1} bytes").format(number(len(kept.raw or b"")), number(kept.raw_size)))
            parts.append(f"<p><a href='unreadable:{kept.id}'>{e(save)}</a> ({e(size)})</p>")
        activity = Activity.get_or_none(Activity.id == t.activity_id) if t.activity_id else None
        if activity is not None:
            line = f"{e(record)}: {e(code_label(codes.ActivityType, activity.activity_type))} “{e(activity.subject)}”"
            if activity.regarding_type:
                line += f", {e(regarding)} {e(activity.regarding_type)} #{activity.regarding_id}"
            if activity.failure_reason:
                line += f"<br>{e(why)}: {e(activity.failure_reason)}"
            parts.append(f"<p>{line}</p>")
        return "\n".join(parts)

    def _link(self, url) -> None:
        kind, _, row_id = url.toString().partition(":")
        if kind == "mailbox":
            self.open_page.emit("Mailboxes", {"mailbox_id": int(row_id)})
        elif kind == "profile":
            self.open_page.emit("Email server profiles", {"profile_id": int(row_id)})
        elif kind == "unreadable":
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the unreadable email"),
                                                  f"unreadable-{row_id}.eml", self.tr("Email files (*.eml)"))
            if path:
                self.save_unreadable(int(row_id), path)

    def save_unreadable(self, email_id: int, path: str) -> None:
        """Write a kept email's bytes to a file (for the sender, or a closer look); say where, or why not."""
        email = UnreadableEmail.get_or_none(UnreadableEmail.id == email_id)
        if email is None:  # its mailbox was deleted meanwhile
            self.count_label.setText(self.tr("That email is no longer kept."))
            return
        try:
            with open(path, "wb") as stream:
                stream.write(bytes(email.raw or b""))
        except OSError as exc:
            self.count_label.setText(self.tr("Could not save {0}: {1}").format(path, exc.strerror or exc))
            return
        self.count_label.setText(self.tr("Saved the email to {0}").format(path))

    # ---- export
    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the filtered rows"), "errors.csv",
                                              self.tr("CSV files (*.csv)"))
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> int:
        with open(path, "w", newline="", encoding="utf-8") as stream:
            count = views.export_trace_csv(self.current_filter(), stream)
        self.count_label.setText(self.tr("Exported {0} rows to {1}").format(number(count), path))
        return count
