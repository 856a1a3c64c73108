"""Database faults under `crmsync engine run --once`, as an administrator meets them: a real process, the EWS
sandbox, a real full disk (a small tmpfs) and a real lock held by another program past the busy timeout.

Each must end with one sentence on stderr and a non-zero exit, never a traceback or "N succeeded"; the
next start must not crash; once the fault clears, every email is tracked, once."""
import asyncio
import os
import random
import sqlite3
import string
import subprocess
import time

import pytest

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.secrets import secret_store_for
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.core.sync.host import EngineProcess
from crmsync_gui.sandbox import SandboxServer
from tests.conftest import BIN
from tests.core.test_cli import crmsync
from tests.waiting import until

EMAILS = 12


@pytest.fixture
def sandbox():
    with SandboxServer() as server:
        server.add_mailbox("svc@sandbox.test", "svc-pw")
        server.grant_impersonation("svc@sandbox.test")
        server.add_mailbox("ann@sandbox.test", "ann-pw")
        yield server


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system of its own (tmpfs), so a full disk is a real ENOSPC."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=True)


def ann_tracks_everything(db, sandbox) -> None:
    """Ann's approved mailbox on the sandbox, incoming enabled and due, tracking every email."""
    open_database(db)
    try:
        profile = admin.save_profile({"name": "Sandbox", "incoming_server": sandbox.url, "username": "svc@sandbox.test",
                                      "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file},
                                     password="svc-pw", secrets=secret_store_for(db))
        user = admin.add_user("Ann Lee", "ann@sandbox.test")
        user.tracking_option = codes.TrackingOption.ALL
        user.save()
        mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@sandbox.test", profile), user)
        Mailbox.update(approval=codes.Approval.APPROVED, incoming_enabled=True).where(Mailbox.id == mailbox.id).execute()
    finally:
        close_database()


def deliver(sandbox, count: int, body_bytes: int = 0) -> None:
    words = random.Random(5)
    for n in range(count):
        body = "".join(words.choice(string.ascii_letters + " ") for _ in range(body_bytes))
        sandbox.add_message("ann@sandbox.test", subject=f"Order {n}", body=f"Order {n}. {body}",
                            message_id=f"<order{n}@fabrikam.test>")


def emails_tracked(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return sorted(s for (s,) in con.execute("select subject from activity where activity_type = 0"))
    finally:
        con.close()


def assert_one_sentence(result, *words) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "succeeded" not in result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("crmsync: ") and all(w in line for w in words), line


def fill(disk, leave: int) -> None:
    """Take all the file system's space but `leave` bytes."""
    with open(disk / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    os.truncate(disk / "filler", max(0, os.path.getsize(disk / "filler") - (leave - free)))


def test_a_full_disk_mid_run_is_one_sentence_and_loses_nothing(sandbox, small_disk):
    db = small_disk / "crm.db"
    ann_tracks_everything(db, sandbox)
    deliver(sandbox, EMAILS, body_bytes=40_000)  # ~480 KB to store
    fill(small_disk, leave=160_000)  # room to open the database and start, not for the email

    result = crmsync(db, "engine", "run", "--once")
    assert_one_sentence(result, "full")
    again = crmsync(db, "engine", "run", "--once")  # the next start, the disk still full
    assert again.returncode == 1 and "Traceback" not in again.stderr and len(again.stderr.splitlines()) == 1

    (small_disk / "filler").unlink()
    cleared = crmsync(db, "engine", "run", "--once")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert emails_tracked(db) == sorted(f"Order {n}" for n in range(EMAILS))


def test_a_lock_held_past_the_busy_timeout_mid_run_is_one_sentence_and_loses_nothing(sandbox, tmp_path):
    db = tmp_path / "crm.db"
    ann_tracks_everything(db, sandbox)
    deliver(sandbox, 3)
    slow = sandbox.inject("delay", mailbox="ann@sandbox.test", operation="SyncFolderItems", seconds=2, times=1)
    engine = subprocess.Popen([str(BIN / "crmsync"), "--db", str(db), "engine", "run", "--once"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        deadline = time.monotonic() + 30
        while not slow.hits:  # the engine is reading the inbox: another program takes the write lock
            assert time.monotonic() < deadline and engine.poll() is None, "the engine never read the inbox"
            time.sleep(0.01)
        other.execute("BEGIN IMMEDIATE")
        out, err = engine.communicate(timeout=60)
    finally:
        engine.kill()
        other.close()  # the lock goes with its connection
    assert_one_sentence(subprocess.CompletedProcess(engine.args, engine.returncode, out, err), "locked")

    cleared = crmsync(db, "engine", "run", "--once")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert emails_tracked(db) == ["Order 0", "Order 1", "Order 2"]


def test_the_console_says_why_its_engine_stopped_and_starts_it_again(sandbox, tmp_path):
    """The console's engine (a child process, core/sync/host.py) meets the same lock while running."""
    db = tmp_path / "crm.db"
    ann_tracks_everything(db, sandbox)
    deliver(sandbox, 2)
    slow = sandbox.inject("delay", mailbox="ann@sandbox.test", operation="SyncFolderItems", seconds=2, times=1)
    bus = events.EventBus()
    finished: list = []
    bus.subscribe(lambda e: finished.append(e) if isinstance(e, events.JobFinished) else None)
    other = sqlite3.connect(db, isolation_level=None)

    async def scenario():
        engine = EngineProcess(db, secret_store_for(db), bus, EngineConfig(tick_s=0.2, stop_grace_s=2))
        await engine.start()
        try:
            await until(lambda: slow.hits, "the engine reading the inbox")
            other.execute("BEGIN IMMEDIATE")
            await until(lambda: engine.state == "stopped", "the engine stopping", seconds=60)
            why = engine.ended_unexpectedly
            other.rollback()
            await engine.stop()
            await engine.start()  # "Start the engine"
            await until(lambda: finished, "a sync after the lock is gone", seconds=60)
        finally:
            await engine.stop()
            other.close()
        return why

    why = asyncio.run(scenario())
    assert why.startswith("The sync engine stopped.") and "database is locked" in why
    assert emails_tracked(db) == ["Order 0", "Order 1"]
