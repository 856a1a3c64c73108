"""The Workers page: every engine on the database with its load, live, and the lost ones in red."""
from datetime import timedelta

from PySide6.QtCore import Qt

from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.sync.workers import WorkerRecord
from crmsync_gui.ui.pages.workers import LOST, WorkersPage, WorkerTableModel


def workers(now):
    """A worker beating now with 2 jobs and 3 mailboxes synced, and one silent for an hour (lost)."""
    alive, lost = WorkerRecord("vm1:100:a", lease_s=60), WorkerRecord("vm2:200:b", lease_s=60)
    lost.register(now - timedelta(hours=2))
    lost.beat(now - timedelta(hours=1), jobs_running=4)
    alive.register(now - timedelta(minutes=5))
    for mailbox_id in (1, 2, 3):
        alive.synced(mailbox_id)
    alive.beat(now, jobs_running=2)
    return alive, lost


def test_model_passes_the_model_tester(qtmodeltester, db):
    workers(utcnow())
    model = WorkerTableModel()
    model.reload()
    qtmodeltester.check(model)
    assert [model.data(model.index(row, 0)) for row in range(2)] == ["running", "lost"]
    assert model.data(model.index(0, 4)) == "2" and model.data(model.index(0, 5)) == "3"
    assert model.data(model.index(1, 6)) == "60 min ago"
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) == LOST
    assert "lease (60 s)" in model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)


def test_the_page_shows_the_workers_live_and_says_when_there_is_none(qtbot, db, monkeypatch):
    monkeypatch.setattr("crmsync_gui.ui.pages.workers.REFRESH_MS", 50)
    page = WorkersPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page._stack.currentWidget() is page.empty_state
    alive, _lost = workers(utcnow())
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert page._stack.currentWidget() is page.content
    assert page.count_label.text() == \
        "Running: 1 · lost: 1 · jobs running: 2 · mailboxes synced in the last hour: 3"
    alive.beat(utcnow(), jobs_running=7)  # the next heartbeat: the page follows without being asked
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 4)) == "7", timeout=5000)
    page.filter_edit.setText("vm2")
    page.refresh()
    assert page.model.rowCount() == 1 and page.model.data(page.model.index(0, 1)) == "vm2:200:b"
    alive.remove()
    page.filter_edit.clear()
    page.refresh()
    assert page.count_label.text().startswith("Running: 0 · lost: 1 ·")
