"""`make run` must open the console and keep it running: the real entry point, on a qasync loop, with its
engine working (in its own process) from the start, and that engine gone when the console is."""
import os

from tests.conftest import BIN
from tests.console_run import run_console


def test_console_starts_with_its_engine_and_keeps_running(tmp_path):
    run = run_console([str(BIN / "crmsync-gui")], tmp_path / "crm.db", os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert run.still_running, f"the console exited early with {run.returncode}: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr and "never awaited" not in run.stderr, run.stderr[-2000:]
    assert run.engine_processes, "the console started no engine process"
    assert run.engine_ran, "the embedded engine never ran"
    assert not run.engine_outlived_console, "the engine process outlived its console"
