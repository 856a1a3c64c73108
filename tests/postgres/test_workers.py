"""Several workers on one PostgreSQL database: real `crmsync engine run` processes against the EWS sandbox.

Every due mailbox direction is synced once, never by two workers at once (each worker prints its jobs'
start and end with --log-jobs; the intervals of one mailbox never overlap between workers), no email is
tracked twice, and a worker killed with SIGKILL has its mailboxes taken over by the others once their
leases expire (not before).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.secrets import secret_store_for
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import (
    Activity,
    CrmUser,
    EmailServerProfile,
    Mailbox,
    TraceLog,
    TrackingDecision,
)
from crmsync_gui.core.sync import workers as workers_module
from tests.conftest import BIN

MAILBOXES = 50
DEADLINE_S = 15  # not shorter: a worker's first sync of each mailbox waits on exchangelib's process-wide lock
# around Account.inbox, so a few dozen first syncs in one worker take seconds on a loaded machine
LEASE_S = 10  # renewed while a job runs, so short enough for a quick takeover, and longer than the seconds a
# worker's event loop can stall on a loaded 2-core machine during 50 first syncs (a stall past the lease is taken
# over, rightly: the worker then stops that job as LeaseLost)
LINE = re.compile(r"^(\S+) mailbox (\d+) (\w+) (started|finished|failed)")


@pytest.fixture
def setup(pg_db, pg_shared_url, sandbox, tmp_path, monkeypatch):
    """50 approved mailboxes on the sandbox, each owned by a user who tracks all email; passwords in the
    secret file every worker reads (its place follows XDG_DATA_HOME, set for the workers too)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    secrets = secret_store_for(pg_shared_url)
    profile = EmailServerProfile.create(name="Sandbox", incoming_server=sandbox.url, trusted_ca_file=sandbox.ca_file,
                                        auth_type=codes.AuthType.BASIC, max_concurrent_connections=50,
                                        timeout_ms=10_000)
    for user in sandbox.populate(MAILBOXES, 3):
        owner = CrmUser.create(full_name=user.name, email=user.email, tracking_option=codes.TrackingOption.ALL)
        Mailbox.create(name=user.name, email=user.email, username=user.email, secret_ref=secrets.put(user.password),
                       profile=profile, owner_user=owner, approval=codes.Approval.APPROVED,
                       incoming_enabled=True, outgoing_enabled=True)
    return profile


class Worker:
    """One `crmsync engine run` process with its job lines in a file."""

    def __init__(self, url: str, folder, name: str, deadline_s: float = DEADLINE_S, lease_s: float = LEASE_S):
        self.out = folder / f"{name}.out"
        self.err = folder / f"{name}.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [str(BIN / "crmsync"), "--db", url, "engine", "run", "--log-jobs",
                 "--job-deadline", str(deadline_s), "--lease", str(lease_s)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=os.environ.copy())
        self.id = None

    def wait_ready(self) -> str:
        deadline = time.monotonic() + 30
        while self.id is None:
            found = re.search(r"Engine running as (\S+);", self.out.read_text())
            if found:
                self.id = found.group(1)
            elif self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker did not start: {self.err.read_text()}")
            else:
                time.sleep(0.05)
        return self.id

    def jobs(self) -> list[tuple[datetime, int, str, str]]:
        """(time, mailbox id, direction, started|finished|failed) of every job line so far."""
        rows = []
        for line in self.out.read_text().splitlines():
            found = LINE.match(line)
            if found:
                rows.append((datetime.fromisoformat(found.group(1)), int(found.group(2)), found.group(3),
                             found.group(4)))
        return rows

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        finally:
            self.proc.kill()


def intervals(jobs, until: datetime) -> dict[int, list[tuple[datetime, datetime, str]]]:
    """Per mailbox, the (start, end, direction) of each job; a job with no end runs `until`."""
    open_jobs, spans = {}, defaultdict(list)
    for at, mailbox_id, direction, what in jobs:
        if what == "started":
            open_jobs[(mailbox_id, direction)] = at
        else:
            spans[mailbox_id].append((open_jobs.pop((mailbox_id, direction)), at, direction))
    for (mailbox_id, direction), start in open_jobs.items():
        spans[mailbox_id].append((start, until, direction))
    return spans


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_workers_share_the_mailboxes_and_the_others_take_over_when_one_is_killed(setup, pg_shared_url,
                                                                                       sandbox, tmp_path):
    workers = [Worker(pg_shared_url, tmp_path, name) for name in "abc"]
    survivors = []
    try:
        ids = [w.wait_ready() for w in workers]
        assert len(set(ids)) == 3

        # 1. every due direction (50 mailboxes x incoming, outgoing) is synced once, by one worker at a time
        success = codes.DirectionStatus.SUCCESS
        wait_for(lambda: Mailbox.select().where((Mailbox.incoming_status == success)
                                                & (Mailbox.outgoing_status == success)).count() == MAILBOXES,
                 60, "every mailbox synced in both directions")
        time.sleep(1.5)  # a worker that wrongly synced a direction again would have started by now
        now = utcnow()
        runs = {w.id: w.jobs() for w in workers}
        ended = {name: [(m, d, what) for _at, m, d, what in jobs if what != "started"] for name, jobs in runs.items()}
        assert all(what == "finished" for jobs in ended.values() for _m, _d, what in jobs), ended
        done = [(m, d) for jobs in ended.values() for m, d, _what in jobs]
        assert sorted(done) == sorted({(m.id, d) for m in Mailbox.select() for d in ("incoming", "outgoing")}), \
            "each direction synced exactly once"
        assert all(len(jobs) >= 5 for jobs in ended.values()), {k: len(v) for k, v in ended.items()}  # all worked
        spans = {name: intervals(jobs, now) for name, jobs in runs.items()}
        for one, other in ((ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])):
            for mailbox_id, mine in spans[one].items():
                for start, end, _d in mine:
                    for other_start, other_end, _od in spans[other].get(mailbox_id, []):
                        assert end <= other_start or other_end <= start, \
                            f"mailbox {mailbox_id} synced by two workers at once"
        tracked = Activity.select().where(Activity.activity_type == codes.ActivityType.EMAIL)
        assert tracked.count() == TrackingDecision.select().where(
            TrackingDecision.outcome == codes.TrackingOutcome.TRACKED).count() >= MAILBOXES
        per_message = defaultdict(int)
        for (message_id,) in tracked.select(Activity.message_id).tuples():
            per_message[message_id] += 1
        assert max(per_message.values()) == 1, "no email tracked twice"

        # 2. kill a worker holding leases in the middle of jobs: the others take its mailboxes over once their
        # leases expire, not before
        sandbox.inject("delay", operation="SyncFolderItems", seconds=1)  # leases are held a while before the kill
        due = [m.id for m in Mailbox.select(Mailbox.id).order_by(Mailbox.id).limit(12)]
        Mailbox.update(incoming_next_run=utcnow() - timedelta(seconds=1)).where(Mailbox.id.in_(due)).execute()
        holder = wait_for(lambda: Mailbox.select(Mailbox.lock_host).where(Mailbox.lock_state != 0).scalar(), 30,
                          "a worker to hold leases")
        [victim] = [w for w in workers if w.id == holder]
        survivors = [w for w in workers if w is not victim]
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)
        killed_at = utcnow()
        held = {m.id: m.lock_expires for m in Mailbox.select().where(Mailbox.lock_host == victim.id)}
        assert held, "the killed worker held leases"
        wait_for(lambda: Mailbox.select().where(Mailbox.id.in_(list(held)) & (Mailbox.lock_host.is_null())
                                                & (Mailbox.last_sync_at > killed_at)).count() == len(held),
                 LEASE_S + 30, "the other workers to take over and sync the killed one's mailboxes")
        restarted = [(at, m) for w in survivors for at, m, _d, what in w.jobs() if what == "started" and at > killed_at]
        for mailbox_id, expires in held.items():
            starts = [at for at, m in restarted if m == mailbox_id]
            assert starts and min(starts) >= expires, f"mailbox {mailbox_id} taken over before its lease expired"
            # and within one lease period of the kill (its last renewal came before it), give or take a pass
            assert min(starts) - killed_at < timedelta(seconds=LEASE_S + 5), f"mailbox {mailbox_id} waited too long"
        taken_over = list(TraceLog.select().where(TraceLog.code == "LeaseTakenOver"))
        assert {t.mailbox_id for t in taken_over} == set(held)
        assert all(f"engine {victim.id}" in t.message for t in taken_over)
    finally:
        for worker in workers:
            worker.stop()
    for survivor in survivors:
        assert survivor.proc.returncode == 0, survivor.err.read_text()
        assert "Traceback" not in survivor.err.read_text()


def test_two_workers_keep_to_the_profiles_connection_cap_together(setup, pg_shared_url, sandbox, tmp_path):
    """A cap of 2 is the server's limit, not each worker's: two workers busy on the same profile never have more
    than 2 requests at the server at once, even when jobs are stopped at their deadline while their request is
    still at the server (a slow SyncFolderItems outlasts the 1-second deadline)."""
    setup.max_concurrent_connections = 2
    setup.save()
    sandbox.inject("delay", operation="SyncFolderItems", seconds=1.5)
    workers = [Worker(pg_shared_url, tmp_path, name, deadline_s=1) for name in ("a", "b")]
    try:
        for worker in workers:
            worker.wait_ready()
        wait_for(lambda: all(len([j for j in w.jobs() if j[3] == "failed"]) >= 3 for w in workers), 60,
                 "jobs stopped at their deadline in both workers")
    finally:
        for worker in workers:
            worker.stop()
    assert sandbox.peak_concurrent() <= 2, f"{sandbox.peak_concurrent()} requests at once over a cap of 2"


def test_the_workers_list_shows_each_worker_and_a_killed_one_as_lost_after_its_lease(pg_db, pg_shared_url, tmp_path):
    """`crmsync engine workers` and `engine status` over PostgreSQL: two running workers, then one SIGKILLed, shown
    lost once its heartbeat is older than its lease period, then none."""
    def cli(*args):
        return subprocess.run([str(BIN / "crmsync"), "--db", pg_shared_url, "engine", *args], capture_output=True,
                              text=True, timeout=60)

    def states():
        return {row["worker"]: row["state"] for row in json.loads(cli("workers", "--json").stdout)}

    workers = [Worker(pg_shared_url, tmp_path, name) for name in ("a", "b")]
    try:
        a, b = (w.wait_ready() for w in workers)
        assert states() == {a: "running", b: "running"}
        assert cli("status").stdout.startswith("2 workers alive, ")
        workers[0].proc.send_signal(signal.SIGKILL)
        workers[0].proc.wait(timeout=10)
        killed_at = time.monotonic()
        wait_for(lambda: states() == {a: "lost", b: "running"}, 30, "the killed worker shown as lost")
        assert time.monotonic() - killed_at > LEASE_S - workers_module.heartbeat_s(LEASE_S), "lost before its lease was over"
        status = cli("status")
        assert status.returncode == 0 and status.stdout.endswith("; 1 lost.\n"), status.stdout
    finally:
        for worker in workers:
            worker.stop()
    status = cli("status")
    assert status.returncode == 1 and status.stdout.startswith(
        "No sync engine worker is alive: the last heartbeat came "), status.stdout
    assert status.stdout.rstrip().endswith(f"from {a}.")
