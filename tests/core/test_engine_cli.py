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


def test_mailbox_test_and_enable_against_the_exchange_sandbox(tmp_path):
    from crmsync_gui.sandbox import SandboxServer

    db = tmp_path / "crm.db"
    with SandboxServer() as sandbox:
        sandbox.add_mailbox("svc@sandbox.test", "svc-pw")
        sandbox.grant_impersonation("svc@sandbox.test")
        sandbox.add_mailbox("ann@sandbox.test", "ann-pw")
        for args in (["init"],
                     ["profiles", "add", "--name", "Sandbox", "--incoming", sandbox.url, "--auth", "basic",
                      "--ca-file", sandbox.ca_file, "--username", "svc@sandbox.test", "--password-stdin"],
                     ["mailboxes", "add", "--name", "Ann", "--email", "ann@sandbox.test", "--profile", "Sandbox"],
                     ["mailboxes", "add", "--name", "Ghost", "--email", "ghost@sandbox.test", "--profile", "Sandbox"]):
            result = crmsync(db, *args, stdin="svc-pw\n")
            assert result.returncode == 0, result.stderr
        passed = crmsync(db, "mailboxes", "test", "Ann")
        failed = crmsync(db, "mailboxes", "test", "Ghost")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[1:] == ["  Incoming email: Success, enabled", "  Outgoing email: Success, enabled"]
    assert failed.returncode == 1 and "Incoming email: Failure:" in failed.stdout
    assert "svc-pw" not in failed.stdout + failed.stderr
    import sqlite3
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("select name, incoming_enabled || outgoing_enabled || incoming_status "
                                "from mailbox").fetchall())
    assert rows == {"Ann": "111", "Ghost": "002"}


def test_engine_workers_and_status_see_a_running_engine_and_none_once_it_stopped(tmp_path):
    import json

    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0
    none = crmsync(db, "engine", "status")
    assert (none.returncode, none.stdout) == (1, "No sync engine worker is running on this database.\n")
    proc = subprocess.Popen([str(BIN / "crmsync"), "--db", str(db), "engine", "run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        worker_id = proc.stdout.readline().split()[3].rstrip(";")
        status = crmsync(db, "engine", "status")
        listed = crmsync(db, "engine", "workers", "--json")
        table = crmsync(db, "engine", "workers")
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert (status.returncode, status.stdout) == (
        0, "1 worker alive, 0 jobs running, 0 mailboxes synced in the last hour.\n"), status.stderr
    [row] = json.loads(listed.stdout)
    assert (row["worker"], row["pid"], row["state"], row["jobs"]) == (worker_id, proc.pid, "running", 0)
    assert table.stdout.splitlines()[0].split() == ["WORKER", "HOST", "PID", "VERSION", "STARTED", "HEARTBEAT",
                                                    "STATE", "JOBS", "MAILBOXES_LAST_HOUR"]
    after = crmsync(db, "engine", "status")
    assert (after.returncode, after.stdout) == (1, "No sync engine worker is running on this database.\n")
    assert crmsync(db, "engine", "workers").stdout == "(none)\n"
