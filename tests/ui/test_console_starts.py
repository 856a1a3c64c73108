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


CLOSING = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from crmsync_gui.ui import app

qapp = QApplication(["crmsync-gui"])

def close_once_running():  # as an administrator would: the window is up and its engine runs
    for window in qapp.topLevelWidgets():
        engine = getattr(window, "engine", None)
        if window.isVisible() and engine is not None and engine.state == "running":
            watch.stop()
            QTimer.singleShot(1000, window.close)

watch = QTimer(interval=100)
watch.timeout.connect(close_once_running)
watch.start()
sys.exit(app.run(app.parse_args(sys.argv[1:])))
"""


def test_closing_the_window_stops_the_engine_and_the_console_exits_cleanly(tmp_path):
    database = tmp_path / "crm.db"
    database_with_one_mailbox(database)
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-c", CLOSING, "--db", str(database)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        engines, deadline = [], time.monotonic() + 60
        while not engines and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            engines = children(process.pid)
        _, stderr = process.communicate(timeout=90)
    finally:
        process.kill()
    assert engines, f"the console started no engine process: {stderr[-2000:]}"
    assert process.returncode == 0 and "Traceback" not in stderr, stderr[-2000:]
    deadline = time.monotonic() + 10  # multiprocessing's resource tracker ends once it reads the console gone
    while any(alive(pid) for pid in engines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in engines), "the engine process outlived its console"
