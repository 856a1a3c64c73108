"""The live dashboard with the real engine, as `crmsync-gui --demo` runs them: the window on a qasync loop, the
engine in its child process syncing real mailboxes of the EWS sandbox, its events over the pipe.

test_dashboard.py feeds the bridge hand-made events from a thread; test_engine_on_qasync.py runs the engine
with a scripted connector and no window. Here the dashboard must follow what the real engine does: the
counts by state come to match the database, the activity feed names real syncs and the real failure,
and the loop keeps turning (the window stays responsive) while the mailboxes sync. When the engine process
dies, the window says so and its "Start the engine" button brings it back.
"""
import asyncio
import gc
import os
import signal
import statistics
import time

import pytest
import qasync
from PySide6.QtCore import Qt, QTimer

from crmsync_gui.core import codes, events
from crmsync_gui.core.store import views
from crmsync_gui.core.store.db import close_database
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.core.sync.host import EngineProcess
from crmsync_gui.ui.main_window import MainWindow
from tests.waiting import until


@pytest.fixture
def demo():
    from crmsync_gui.demo import start_demo

    started = start_demo(mailboxes=4, items=5)  # healthy, wrong password, throttled, unapproved + 2 down
    yield started
    close_database()
    started.stop()


def test_dashboard_follows_the_real_engine_syncing_the_sandbox_on_qasync(qtbot, qapp, demo):
    bus = events.EventBus()
    window = MainWindow(str(demo.db_path))
    qtbot.addWidget(window)
    bridge = window.attach_bus(bus)
    engine = EngineProcess(demo.db_path, demo.secrets, bus, EngineConfig(tick_s=0.2, stop_grace_s=2))
    window.attach_engine(engine)
    window.show()
    window.show_page("Dashboard")
    dashboard = window.pages[0]
    dashboard.refresh()
    assert dashboard.statuses["failing"] == 0 and dashboard.feed.count() == 0
    ann = next(m for m in Mailbox.select() if m.email not in demo.faulty)  # the healthy one
    wrong = Mailbox.get(Mailbox.email == next(m for m, why in demo.faulty.items() if "password" in why))
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))

    def feed() -> list[str]:
        return [dashboard.feed.item(i).text() for i in range(dashboard.feed.count())]

    def settled() -> bool:
        lines = feed()
        return (any(f"{ann.name}: done in " in line and "(incoming email)" in line for line in lines)
                and any(f"{wrong.name}: failed (incoming email, AuthenticationFailed)" in line for line in lines)
                and dashboard.statuses == views.mailboxes_by_status() and dashboard.statuses["failing"] >= 1)

    async def scenario():
        timer.start(10)
        assert window.engine_button.isVisible(), "a stopped engine can be started"
        await window.start_engine()
        assert engine.connector_problems == {} and not window.engine_button.isVisible()
        started = time.monotonic()
        try:
            deadline = time.monotonic() + 30
            while not settled():
                assert time.monotonic() < deadline, f"dashboard never caught up: {dashboard.statuses}, {feed()[:8]}"
                await asyncio.sleep(0.05)
            running_label = window.engine_label.text()
            settled_s = time.monotonic() - started
            timer.stop()
            # the engine's process dies: the window says so and offers to start it again
            os.kill(engine._process.pid, signal.SIGKILL)
            await until(lambda: window.engine_button.isVisible(), "the window to show the engine stopped")
            assert window.engine_label.text() == "Engine: stopped"
            assert "ended unexpectedly" in window.statusBar().currentMessage()
            qtbot.mouseClick(window.engine_button, Qt.MouseButton.LeftButton)
            await until(lambda: engine.state == "running" and window.engine_label.text() == "Engine: running",
                        "the engine to start again")
            assert not window.engine_button.isVisible()
        finally:
            await engine.stop()
            timer.stop()
        await asyncio.sleep(0.3)  # the bridge drains the last events on the next turns
        return running_label, settled_s

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(qapp)) as runner:
        running_label, settled_s = runner.run(scenario())
    gc.collect()  # the closed loop's Qt timers, in this thread (see test_profile_test_connection.py)

    assert running_label == "Engine: running" and window.engine_label.text() == "Engine: stopped"
    lines = feed()
    assert any("The engine is running." in line for line in lines) and lines[0].endswith("The engine stopped.")
    tracked = [line for line in lines if f"{ann.name}: done in " in line and line.endswith("(incoming email).")]
    assert any(not line.endswith(" items synced: 0 (incoming email).") for line in tracked), tracked  # the sandbox's mail arrived
    assert "engine queue incoming" in dashboard.depth_box.toolTip()  # QueueDepths events
    assert set(dashboard.engine_depths.values()) == {(0, 0)}  # a stopped engine runs nothing, whatever it said last
    # the bars draw the same numbers as the database's own count
    assert {s: bar.count for s, bar in dashboard.status_bars.bars.items()} == dashboard.statuses
    assert Mailbox.get_by_id(wrong.id).incoming_status == codes.DirectionStatus.FAILURE
    # responsive: the GUI thread's 10 ms timer kept firing while exchangelib worked in the engine's threads
    gaps = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False))
    p99 = gaps[int(len(gaps) * 0.99)]
    print(f"\ndashboard settled {settled_s:.2f} s after the engine started; loop ticks {len(ticks)}, median gap {statistics.median(gaps) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, worst {gaps[-1] * 1000:.0f} ms")
    assert gaps[-1] < 1.0, f"the window froze for {gaps[-1]:.2f} s"
    bridge.close()
