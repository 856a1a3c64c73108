"""The dashboard: mailboxes by Status (bars that open the Mailboxes page filtered), what waits (the engine's
queues only in a tooltip), per-hour bars, and live engine events through the bridge."""
import threading

import pytest
from PySide6.QtCore import Qt

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.store import views
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Activity, Mailbox
from crmsync_gui.ui.event_bridge import EventBridge
from crmsync_gui.ui.main_window import MainWindow
from crmsync_gui.ui.pages.dashboard import FEED_LIMIT, DashboardPage, count_axis, fit_count_axis


@pytest.fixture
def org(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    boxes = [admin.add_mailbox(f"Box {i}", f"b{i}@example.com", profile) for i in range(4)]
    for box in boxes[:3]:
        admin.set_approval(box, True)
        admin.set_enabled(box, True)
    boxes[2].incoming_status = codes.DirectionStatus.FAILURE
    boxes[2].save()
    Activity.create(activity_type=codes.ActivityType.EMAIL, email_status=codes.EmailStatus.PENDING_SEND)
    return boxes


def bar_values(page):
    return {status: bar.count for status, bar in page.status_bars.bars.items()}


def test_statuses_and_depths(qtbot, org):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.statuses == views.mailboxes_by_status()
    assert {s: n for s, n in page.statuses.items() if n} == {"pending approval": 1, "failing": 1, "enabled": 2}
    assert {s: n for s, n in bar_values(page).items() if n} == {"pending approval": 1, "failing": 1, "enabled": 2}
    assert page.depths["emails pending send"] == 1 and page.depths["incoming due"] == 3
    assert page.depth_labels["emails pending send"].text() == "<b>1</b>"
    assert [s.count() for s in page.synced_sets] == [24, 24, 24]
    assert [s.label() for s in page.trouble_sets] == ["Errors", "Warnings"]


def test_a_status_bar_opens_the_mailboxes_page_filtered_to_it(qtbot, org):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    window.show_page("Dashboard")
    window.pages[0].refresh()
    window.pages[0].status_bars.bars["failing"].click()
    mailboxes = window.stack.currentWidget()
    assert mailboxes.title == "Mailboxes"
    assert [mailboxes.model.id_at(r) for r in range(mailboxes.model.rowCount())] == [org[2].id]
    assert mailboxes.status_chip.isVisible() and mailboxes.status_chip.text() == "Status: Failing ✕"
    mailboxes.status_chip.click()
    assert mailboxes.model.rowCount() == 4 and not mailboxes.status_chip.isVisible()


def test_items_synced_each_way_and_errors_and_warnings_are_bars_per_hour(qtbot, org):
    from crmsync_gui.core.store.models import TraceLog
    from crmsync_gui.core.sync.statements import JobStatements

    sql = JobStatements()
    for direction, items in ((codes.Direction.INCOMING, 4), (codes.Direction.OUTGOING, 2), (codes.Direction.ACT, 3)):
        sql.count_synced(direction, now=utcnow(), items=items)
    TraceLog.create(level=codes.TraceLevel.WARNING, code="Timeout", message="m", collation_key="w")
    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    assert [s.at(23) for s in page.synced_sets] == [4, 2, 3] and [s.label() for s in page.synced_sets] == [
        "Email in", "Email out", "ACT"]
    assert [s.at(23) for s in page.trouble_sets] == [0, 1], "a warning is amber, not lost among errors"
    assert page.synced_sets[0].color().name() == "#1a5fb4" and page.trouble_sets[1].color().name() == "#e5a50a"


def test_live_events_from_another_thread_reach_the_feed_and_refresh(qtbot, org):
    bus = events.EventBus()
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    bridge = window.attach_bus(bus)
    dashboard = window.pages[0]
    window.show()
    dashboard.refresh()
    assert dashboard.statuses["pending approval"] == 1
    admin.set_approval(org[3], True)  # the engine changed a mailbox...

    def engine():
        bus.publish(events.EngineStateChanged("running"))
        bus.publish(events.MailboxChanged(org[3].id))
        bus.publish(events.TraceLogged(trace_id=1, level=codes.TraceLevel.ERROR, code="AuthFailed",
                                       message="The password for b3@example.com was refused"))

    with qtbot.waitSignal(bridge.trace_logged):
        threading.Thread(target=engine).start()
    # the feed takes new lines in batches; a changed row and a trace row are no lines of their own (the job's
    # line says what happened)
    qtbot.waitUntil(lambda: dashboard.feed.count() == 1, timeout=1000)
    assert dashboard.feed.item(0).text().endswith("The engine is running.")
    assert window.engine_label.text() == "Engine: running"
    qtbot.waitUntil(lambda: dashboard.statuses["pending approval"] == 0, timeout=3000)  # redrawn by the timer
    bridge.close()


def test_bridge_unsubscribes(qtbot, db):
    bus = events.EventBus()
    bridge = EventBridge(bus)
    bridge.close()
    bus.publish(events.EngineStateChanged("running"))  # nobody listens: no error


def test_queues_an_engine_no_longer_reports_show_zero(qtbot, org):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.on_event(events.QueueDepths((("incoming", 2, 3), ("act", 0, 8))))
    page.on_event(events.QueueDepths((("incoming", 1, 1),)))
    assert page.engine_depths == {"incoming": (1, 1), "act": (0, 0)}
    page.on_event(events.QueueDepths(()))  # the stopping engine's last word: no queues at all
    page.refresh()
    assert not [name for name in page.depths if "engine" in name], "the engine's own queues are not the admin's"
    assert page.depth_box.toolTip() == "engine queue act: 0 waiting, 0 running\nengine queue incoming: 0 waiting, 0 running"
    page.on_event(events.QueueDepths((("incoming", 4, 0),)))
    page.on_event(events.EngineStateChanged("stopped"))
    assert set(page.engine_depths.values()) == {(0, 0)}


def feed_lines(page):
    return [page.feed.item(i).text() for i in range(page.feed.count())]


def test_feed_names_mailboxes_as_of_the_last_refresh(qtbot, org):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.on_event(events.ItemTracked(org[0].id, activity_id=1))  # not refreshed yet: the names load on a miss
    page.refresh()
    Mailbox.update(name="Box 1 renamed").where(Mailbox.id == org[1].id).execute()
    page.on_event(events.JobStarted(org[1].id, codes.Direction.INCOMING, "incoming"))  # the name it knew
    page.refresh()
    page.on_event(events.JobStarted(org[1].id, codes.Direction.INCOMING, "incoming"))  # the new name
    page.on_event(events.IncomingMailArrived(9999))  # deleted since: its number
    qtbot.waitUntil(lambda: page.feed.count() == 4, timeout=1000)
    lines = feed_lines(page)
    assert lines[0].endswith("#9999: the server announced new email.")
    assert lines[1].endswith("Box 1 renamed: started (incoming email).")
    assert lines[2].endswith("  Box 1: started (incoming email).")
    assert lines[3].endswith("Box 0: an email was tracked.")


def test_a_burst_of_events_keeps_the_newest_lines_first(qtbot, org):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    for n in range(FEED_LIMIT + 50):
        page.on_event(events.JobFinished(org[n % 4].id, codes.Direction.INCOMING, "incoming", n, 0.5))
    qtbot.waitUntil(lambda: page.feed.count() == FEED_LIMIT, timeout=1000)
    lines = feed_lines(page)
    assert lines[0].endswith(f" done in 0.5 s, items synced: {FEED_LIMIT + 49} (incoming email).")
    assert lines[-1].endswith(" done in 0.5 s, items synced: 50 (incoming email).")


def test_charts_take_new_values_in_place(qtbot, org):
    from crmsync_gui.core.sync.statements import JobStatements

    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    series, synced = page.synced_chart.series(), page.synced_sets[0]
    assert bar_values(page)["enabled"] == 2 and synced.at(23) == 0
    admin.set_approval(org[3], True)
    JobStatements().count_synced(codes.Direction.INCOMING, now=utcnow(), items=5)  # synced just now
    page.refresh()
    assert page.synced_chart.series() == series and page.synced_sets[0] is synced
    assert bar_values(page)["pending approval"] == 0 and synced.at(23) == 5
    assert page.synced_chart.axes(Qt.Orientation.Vertical)[0].max() >= 5


def test_count_axes_show_whole_round_steps_at_any_size(qapp):
    axis = count_axis()
    for highest in (0, 1, 4, 7, 999, 1000, 12_345):
        fit_count_axis(axis, highest)
        steps = axis.tickCount() - 1
        step = axis.max() / steps
        assert axis.min() == 0 and axis.max() >= max(highest, 1) and step == int(step), (highest, axis.max())
        assert step == 1 or steps * (step - 1) < highest, f"steps larger than needed for {highest}: {axis.max()}"


def test_the_timer_loads_the_numbers_on_a_worker_thread(qtbot, org, monkeypatch):
    page = DashboardPage()
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    threads = []
    load = views.dashboard_numbers
    monkeypatch.setattr(views, "dashboard_numbers", lambda hourly: threads.append(threading.current_thread()) or load(hourly))
    admin.set_approval(org[3], True)
    page.on_event(events.MailboxChanged(org[3].id))
    qtbot.waitUntil(lambda: page.statuses["pending approval"] == 0, timeout=3000)
    assert threads and threading.current_thread() not in threads
