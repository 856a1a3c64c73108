"""`crmsync engine run` as a service: a real process against the EWS sandbox, stopped with SIGTERM within a
bounded time, logging one line a record with its priority and trace code; the systemd unit that runs it."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.secrets import secret_store_for
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from tests.conftest import BIN

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "packaging" / "crmsync-engine.service"
UNWIND_S = 2  # EngineConfig.stop_unwind_s


def store(db: Path, sandbox, *, wrong_password: bool = False) -> None:
    """One approved mailbox on the sandbox syncing incoming email, owned by a user who tracks all email."""
    open_database(db)
    try:
        profile = EmailServerProfile.create(name="Sandbox", incoming_server=sandbox.url, trusted_ca_file=sandbox.ca_file,
                                            auth_type=codes.AuthType.BASIC, timeout_ms=120_000)
        [user] = sandbox.populate(1, 3)
        owner = CrmUser.create(full_name=user.name, email=user.email, tracking_option=codes.TrackingOption.ALL)
        password = "not-" + user.password if wrong_password else user.password
        Mailbox.create(name=user.name, email=user.email, username=user.email,
                       secret_ref=secret_store_for(db).put(password), profile=profile, owner_user=owner,
                       approval=codes.Approval.APPROVED, incoming_enabled=True,
                       outgoing_method=codes.OutgoingMethod.NONE)
    finally:
        close_database()


class Engine:
    """`crmsync engine run --log-jobs` with its output in a file."""

    def __init__(self, db: Path, *args: str, env: dict | None = None):
        self.out = db.parent / "engine.out"
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen([str(BIN / "crmsync"), "--db", str(db), "engine", "run", "--log-jobs", *args],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, text=True,
                                         env=env(out) if env else None)

    def text(self) -> str:
        return self.out.read_text()

    def wait_for(self, pattern: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not re.search(pattern, self.text(), re.M):
            assert self.proc.poll() is None, f"the engine ended: {self.text()} {self.proc.stderr.read()}"
            assert time.monotonic() < deadline, f"timed out waiting for {pattern!r} in {self.text()}"
            time.sleep(0.05)

    def terminate(self) -> tuple[float, str]:
        """SIGTERM; returns how long the process took to end, and its stderr."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            _out, err = self.proc.communicate(timeout=120)
        finally:
            self.proc.kill()
        return time.monotonic() - started, err


def mailbox_row(db: Path) -> tuple:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT lock_host, lock_state, incoming_status FROM mailbox").fetchone()


def decisions(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM tracking_decision").fetchone()[0]


def test_sigterm_hands_back_a_job_stuck_at_its_server_within_the_grace_and_a_few_seconds(tmp_path, sandbox):
    db = tmp_path / "crm.db"
    store(db, sandbox)
    sandbox.inject("delay", operation="SyncFolderItems", seconds=60)  # the server never answers in time
    engine = Engine(db, "--stop-grace", "1")
    engine.wait_for(r"mailbox \d+ incoming started$")
    took, err = engine.terminate()
    assert engine.proc.returncode == 0, err
    assert took < 1 + UNWIND_S + 3, f"the engine took {took:.1f} s to stop"  # not the 60 s the server takes
    assert re.search(r"^Engine stopped: 0 jobs: .* 1 job stopped and handed back: synced again from where it "
                     r"stopped\.$", engine.text(), re.M), engine.text()
    assert mailbox_row(db) == (None, 0, codes.DirectionStatus.NOT_RUN), "the lease handed back, nothing recorded"
    assert decisions(db) == 0 and "Traceback" not in err


def test_sigterm_lets_a_running_job_finish_within_the_grace(tmp_path, sandbox):
    db = tmp_path / "crm.db"
    store(db, sandbox)
    sandbox.inject("delay", operation="SyncFolderItems", seconds=2, times=1)
    engine = Engine(db, "--stop-grace", "30")
    engine.wait_for(r"mailbox \d+ incoming started$")
    took, err = engine.terminate()
    assert engine.proc.returncode == 0, err
    assert took < 30, f"the engine took {took:.1f} s to stop"
    assert re.search(r"^Engine stopped: 1 jobs: 1 succeeded, .*\.$", engine.text(), re.M), engine.text()
    assert "handed back" not in engine.text()
    assert mailbox_row(db) == (None, 0, codes.DirectionStatus.SUCCESS) and decisions(db) > 0


@pytest.mark.parametrize("journald", [True, False])
def test_the_log_is_one_line_a_record_with_its_priority_or_time_and_its_trace_code(tmp_path, sandbox, journald):
    """Under systemd (JOURNAL_STREAM names standard output) a line starts with its syslog priority, which journald
    reads; elsewhere with the UTC time and the level. Both carry the trace code the Errors page shows."""
    db = tmp_path / "crm.db"
    store(db, sandbox, wrong_password=True)

    def env(out):
        found = os.fstat(out.fileno())
        return {**os.environ, "JOURNAL_STREAM": f"{found.st_dev}:{found.st_ino}" if journald else ""}

    engine = Engine(db, env=env)
    engine.wait_for(r"\[AuthenticationFailed\]")
    _took, err = engine.terminate()
    assert engine.proc.returncode == 0, err
    [line] = [line for line in engine.text().splitlines() if "[AuthenticationFailed]" in line]
    if journald:
        assert re.fullmatch(r"<3>\[AuthenticationFailed\] \S.*", line), line
    else:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ERROR \[AuthenticationFailed\] \S.*", line), line
    assert "Traceback" not in err


def test_the_systemd_unit_runs_the_engine_and_waits_longer_than_its_stop(tmp_path):
    """systemd-analyze verify finds nothing wrong in the unit (its paths made this machine's), and systemd waits
    for the engine's bounded stop before it kills."""
    text = UNIT.read_text()
    [exec_start] = re.findall(r"^ExecStart=(.*)$", text, re.M)
    assert exec_start.startswith("/opt/crmsync/crmsync --db ${CRMSYNC_DB} engine run ")
    grace = float(re.search(r"--stop-grace (\d+)", exec_start).group(1))
    assert float(re.search(r"^TimeoutStopSec=(\d+)$", text, re.M).group(1)) > grace + UNWIND_S + 5
    if subprocess.run(["sh", "-c", "command -v systemd-analyze"], capture_output=True).returncode:
        pytest.skip("systemd-analyze is not installed")
    local = tmp_path / "crmsync-engine.service"
    local.write_text(text.replace("/opt/crmsync/crmsync ", f"{BIN / 'crmsync'} ")
                     .replace("EnvironmentFile=/etc/crmsync/engine.env", "EnvironmentFile=/dev/null"))
    verified = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
