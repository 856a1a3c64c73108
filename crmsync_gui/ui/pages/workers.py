"""The Workers page: every sync engine on the database (each `crmsync engine run`, the console's own engine)
with its load, live, read from the store (core/sync/workers.py, as `crmsync engine workers` lists them)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor

from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.sync.workers import Worker, list_workers
from crmsync_gui.ui.labels import ago, when
from crmsync_gui.ui.pages.table_page import TablePage
from crmsync_gui.ui.table_model import Column, LazyTableModel

REFRESH_MS = 2000  # the heartbeats come every few seconds
LOST = QColor("#b3261e")


class WorkerTableModel(LazyTableModel):
    columns = (
        Column("state", "State", sortable=False, width=100),
        Column("worker_id", "Worker", sortable=False, stretch=True),
        Column("host", "Host", sortable=False, width=100),
        Column("pid", "Process", sortable=False, width=70),
        Column("jobs_running", "Jobs running", sortable=False, width=90),
        Column("mailboxes_last_hour", "Mailboxes synced (1 h)", sortable=False, width=180),
        Column("heartbeat_at", "Last heartbeat", sortable=False, width=110),
        Column("started_at", "Started", sortable=False, width=120),
        Column("version", "Version", sortable=False),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter_text = ""
        self.now = utcnow()
        self.workers: dict[str, Worker] = {}

    def fetch_ids(self):
        self.now = utcnow()
        text = self.filter_text.strip().lower()
        listed = [w for w in list_workers(self.now) if text in w.host.lower() or text in w.worker_id.lower()]
        self.workers = {w.worker_id: w for w in listed}
        return list(self.workers)

    def fetch_rows(self, ids):
        return {i: self.workers[i] for i in ids}

    def display(self, w: Worker, key: str) -> str:
        if key == "state":
            return self.tr("running") if w.alive else self.tr("lost")
        if key == "heartbeat_at":
            return ago(w.heartbeat_at, self.now)
        if key == "started_at":
            return when(w.started_at)
        return str(getattr(w, key))

    def decorate(self, w: Worker, key: str, role):
        if role == Qt.ItemDataRole.ForegroundRole and not w.alive:
            return LOST
        if role == Qt.ItemDataRole.ToolTipRole and key == "state" and not w.alive:
            return self.tr("No heartbeat for longer than its lease ({0:g} s): the worker stopped without saying so, "
                           "or cannot reach the database. Other workers take its mailboxes over.").format(w.lease_s)
        return None


class WorkersPage(TablePage):
    title = "Workers"
    icon_name = "tabler/activity-heartbeat"
    empty_text = ("No sync engine runs on this database. Each one shows here with its load: the console's own engine, "
                  "and every `crmsync engine run`.")
    filter_hint = "Filter by host or worker (Ctrl+F)"

    def __init__(self, parent=None):
        super().__init__(WorkerTableModel(), parent)
        self.model.setParent(self)
        self.table.setSortingEnabled(False)
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(lambda: self.isVisible() and self.refresh())
        self._timer.start()

    def refresh(self) -> None:
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        listed = list(self.model.workers.values())
        self.show_empty(not listed and not self.filter_edit.text())
        alive = [w for w in listed if w.alive]
        self.count_label.setText(self.tr("Running: {0} · lost: {1} · jobs running: {2} · mailboxes synced in the last "
                                         "hour: {3}").format(len(alive), len(listed) - len(alive),
                                                             sum(w.jobs_running for w in alive),
                                                             sum(w.mailboxes_last_hour for w in alive)))
