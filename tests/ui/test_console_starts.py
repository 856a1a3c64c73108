"""`make run` must open the console and keep it running: the real entry point, on a qasync loop, with its
engine working (in its own process) from the start, and that engine gone when the console is."""
import os
import subprocess
import sys
import time

from tests.conftest import BIN
from tests.console_run import alive, children, database_with_one_mailbox, run_console


def test_console_starts_with_its_engine_and_keeps_running(tmp_path):
    run = run_console([str(BIN / "crmsync-gui")], tmp_path / "crm.db", os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert run.still_running, f"the console exited early with {run.returncode}: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr and "never awaited" not in run.stderr, run.stderr[-2000:]
    assert run.engine_processes, "the console started no engine process"
    assert run.engine_ran, "the embedded engine never ran"
    assert not run.engine_outlived_console, "the engine process outlived its console"


CLOSE_AFTER_S = 6
CLOSING = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from crmsync_gui.ui import app

qapp = QApplication(["crmsync-gui"])
QTimer.singleShot({CLOSE_AFTER_S * 1000}, lambda: [w.close() for w in qapp.topLevelWidgets() if w.isVisible()])
sys.exit(app.run(app.parse_args(sys.argv[1:])))
"""


def test_closing_the_window_stops_the_engine_and_the_console_exits_cleanly(tmp_path):
    database = tmp_path / "crm.db"
    database_with_one_mailbox(database)
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-c", CLOSING, "--db", str(database)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(CLOSE_AFTER_S / 2)
    engines = children(process.pid)
    try:
        _, stderr = process.communicate(timeout=CLOSE_AFTER_S + 30)
    finally:
        process.kill()
    assert engines, "the console started no engine process"
    assert process.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
    assert not any(alive(pid) for pid in engines), "the engine process outlived its console"
