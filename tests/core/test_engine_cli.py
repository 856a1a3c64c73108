"""`crmsync engine run`, as an administrator runs it: a real process on a real database."""
import signal
import subprocess
import time

from tests.conftest import BIN
from tests.core.test_cli import crmsync


def test_engine_run_once_runs_due_mailboxes_and_prints_one_line(tmp_path):
    db = tmp_path / "crm.db"
    for args in (["init"], ["profiles", "add", "--name", "Contoso", "--type", "pop3/smtp",
                            "--incoming", "pop.contoso.test", "--outgoing", "smtp.contoso.test"],
                 ["mailboxes", "add", "--name", "Ann", "--email", "ann@contoso.test", "--profile", "Contoso"],
                 ["mailboxes", "approve", "Ann"]):
        assert crmsync(db, *args).returncode == 0
    assert crmsync(db, "engine", "run", "--once").stdout.strip() == (
        "Engine cycle done: 0 jobs: 0 succeeded, 0 failed (0 directions disabled), 0 items.")
    import sqlite3
    with sqlite3.connect(db) as con:
        con.execute("update mailbox set incoming_enabled = 1")
    result = crmsync(db, "engine", "run", "--once")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Engine cycle done: 1 jobs")
    assert "Traceback" not in result.stderr


def test_engine_run_stops_cleanly_on_sigterm(tmp_path):
    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0
    proc = subprocess.Popen([str(BIN / "crmsync"), "--db", str(db), "engine", "run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "Engine running" in proc.stdout.readline()
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.startswith("Engine stopped: 0 jobs") and "Traceback" not in err
