"""`make run` must open the console and keep it running: the real entry point, on a qasync loop."""
import os
import subprocess
import time

from tests.conftest import BIN


def test_console_starts_with_its_engine_and_keeps_running(tmp_path):
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(BIN / "crmsync-gui"), "--db", str(tmp_path / "crm.db")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(6)
        still_running = process.poll() is None
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=30)
    assert still_running, f"the console exited early with {process.returncode}: {stderr[-2000:]}"
    assert "Traceback" not in stderr, stderr[-2000:]
