"""Crash consistency over the protocols (issue 22, item 9): the headless engine killed with SIGKILL at seeded
random points, with new email, outgoing CRM email and ACT edits on both sides injected between kills.

`python -m bench.crash_harness [--kills N] [--seed S]` (make soak) runs one real `crmsync --db X engine run`
process after another against loopback servers (the EWS sandbox; Dovecot's IMAP and POP3 with the test SMTP
server when Dovecot is installed; the same Exchange mailbox over Microsoft Graph on the Graph sandbox), each
killed at a random moment of its run. Between two kills, each mailbox
gets new email, the CRM queues email to send and, on Exchange, the CRM and the user in Outlook create,
edit and delete contacts, appointments and tasks (and move CRM records out of the sync filters). After the
last kill the engine runs clean until nothing is left to do, then the store and the servers are checked:

- every email that arrived is tracked exactly once;
- every outgoing email is delivered exactly once (plain SMTP cannot say whether an email sent just before a
  kill went out: such an email is Failed with a reason, and delivered at most once);
- every ACT record in the filters and every tracked item are paired exactly once, nothing left unpaired on
  the server; a record deleted on one side is gone from the other; one that left the filters keeps its CRM
  record and loses its Exchange copy; no CRM record is lost; no item map row points at nothing;
- `PRAGMA integrity_check` is ok.

With `--postgresql`, two `engine run --lease 4` workers share one PostgreSQL database over two EWS sandbox
mailboxes; the edits come while they run, and at each kill point one of them is SIGKILLed (mostly one in the
middle of a job) and started again while the other goes on; then the same checks.

It prints the figures (kill points, kills while a job was under way, items checked, lost, duplicated) recorded
in docs/reliability.md; tests/test_crash_harness.py runs a short seeded slice of each.
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BIN = Path(sys.executable).parent
READY = re.compile(r"Engine running as (\S+);")
JOB = re.compile(r"^(\S+) mailbox (\d+) (\w+) (started|finished|failed)")


@dataclass
class Figures:
    kills: int = 0
    kills_mid_job: int = 0
    checked: Counter = field(default_factory=Counter)  # what was checked, by kind
    by_protocol: Counter = field(default_factory=Counter)  # how many of them, by the mailbox's protocol
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # neither lost nor duplicated, but not as the rules say
    uncertain_smtp: int = 0  # Failed because plain SMTP cannot tell whether it went out

    def line(self) -> str:
        return (f"{self.kills} kill points ({self.kills_mid_job} in the middle of a job), "
                f"{sum(self.checked.values())} items checked ({', '.join(f'{k} {v}' for k, v in sorted(self.checked.items()))}; "
                f"{', '.join(f'{k} {v}' for k, v in self.by_protocol.items())}), "
                f"{len(self.lost)} lost, {len(self.duplicated)} duplicated, {len(self.wrong)} not as the rules say, "
                f"{self.uncertain_smtp} SMTP emails failed as uncertain")

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.wrong)


class EngineRun:
    """One `crmsync --db X engine run --log-jobs` process, its output in a file."""

    def __init__(self, db: Path | str, folder: Path, n: int | str, *options: str):
        self.out = folder / f"engine-{n}.out"
        self.err = folder / f"engine-{n}.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen([str(BIN / "crmsync"), "--db", str(db), "engine", "run", "--log-jobs",
                                          *options],
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=os.environ.copy())

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not READY.search(self.out.read_text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"the engine did not start: {self.err.read_text()[-2000:]}")
            time.sleep(0.02)

    def wait_first_job(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while " started" not in self.out.read_text() and time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.005)

    def jobs(self, since: datetime | None = None) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        """The (mailbox id, direction) of the jobs under way now, and of those that finished (of the jobs
        started after `since`, UTC, when given)."""
        running, finished = set(), set()
        for line in self.out.read_text().splitlines():
            found = JOB.match(line)
            if found:
                key = (found.group(2), found.group(3))
                if found.group(4) == "started":
                    if since is None or datetime.fromisoformat(found.group(1)) > since:
                        running.add(key)
                elif key in running:
                    running.discard(key)
                    if found.group(4) == "finished":
                        finished.add(key)
        return running, finished

    def kill(self) -> tuple[bool, set[tuple[str, str]]]:
        """SIGKILL; whether a job was under way at that moment, and the (mailbox id, direction) of the jobs
        that finished before it."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        running, finished = self.jobs()
        return bool(running), finished

    def stop(self) -> None:
        """SIGTERM: its jobs finish or are handed back, its leases released."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        finally:
            self.proc.kill()


def run_once(db: Path | str) -> str:
    """`crmsync engine run --once`: one clean cycle of every due mailbox; its summary line."""
    done = subprocess.run([str(BIN / "crmsync"), "--db", str(db), "engine", "run", "--once"], capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"engine run --once failed: {done.stdout}{done.stderr}")
    return done.stdout.strip()


def make_everything_due() -> None:
    """As an administrator's "sync now" on every mailbox: each direction is due when the engine starts."""
    from crmsync_gui.core.store.models import Mailbox

    Mailbox.update(incoming_next_run=None, outgoing_next_run=None, act_next_run=None).execute()


def integrity(db: Path | str) -> str | None:
    """SQLite's `PRAGMA integrity_check`; None on PostgreSQL, whose server keeps its own pages."""
    if not isinstance(db, Path):
        return None
    con = sqlite3.connect(db)
    try:
        return con.execute("pragma integrity_check").fetchone()[0]
    finally:
        con.close()


def run(kills: int, seed: int, folder: Path, worlds: list, *, kill_window_s: float = 0.5,
        progress=None) -> Figures:
    """`kills` kill points against the worlds (each a mailbox on a server, already in the store at `folder`)."""
    from crmsync_gui.core.store.db import close_database, open_database

    db = folder / "crm.db"
    rng = random.Random(seed)
    figures = Figures()
    for n in range(kills):
        open_database(db)
        try:
            for world in worlds:
                world.inject(rng, n)
            make_everything_due()
        finally:
            close_database()
        engine = EngineRun(db, folder, n)
        engine.wait_ready()
        engine.wait_first_job()
        time.sleep(rng.uniform(0, kill_window_s))
        figures.kills += 1
        mid_job, finished = engine.kill()
        figures.kills_mid_job += mid_job
        for world in worlds:
            world.after_run(finished)
        if progress:
            progress(n + 1, figures)
    return finish(db, worlds, figures)


def finish(db: Path | str, worlds: list, figures: Figures) -> Figures:
    """Clean runs until a cycle finds nothing to do, then the checks."""
    from crmsync_gui.core.store.db import close_database, open_database

    for _ in range(6):  # clean runs until a cycle finds nothing to do
        open_database(db)
        try:
            make_everything_due()
        finally:
            close_database()
        summary = run_once(db)
        if summary.endswith(" 0 items."):
            break
    open_database(db)
    try:
        for world in worlds:
            before = sum(figures.checked.values())
            world.check(figures)
            figures.by_protocol[world.name] += sum(figures.checked.values()) - before
    finally:
        close_database()
    status = integrity(db)
    if status is not None:
        figures.checked["integrity_check"] += 1
    if status not in ("ok", None):
        figures.wrong.append(f"integrity_check: {status}")
    return figures


def run_two_workers(kills: int, seed: int, folder: Path, url: str, worlds: list, *, lease_s: float = 4,
                    kill_window_s: float = 0.3, progress=None) -> Figures:
    """Two `engine run` workers on one PostgreSQL database at `url`: at each kill point, between injections
    made while they run, one of them (seeded) is SIGKILLed and started again while the other goes on; the
    killed one's mailboxes wait for its leases (`lease_s`) to expire. Then the same end checks as `run`."""
    from peewee import fn

    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox

    rng = random.Random(seed)
    figures = Figures()
    options = ("--lease", str(lease_s))
    engines = {name: EngineRun(url, folder, f"{name}0", *options) for name in ("a", "b")}
    try:
        for engine in engines.values():
            engine.wait_ready()
        settled = time.monotonic() + 30  # their first syncs done, so the first kill point's jobs are its own
        while any(e.jobs()[0] for e in engines.values()) and time.monotonic() < settled:
            time.sleep(0.05)
        for n in range(kills):
            open_database(url)
            try:
                for world in worlds:
                    world.inject(rng, n)
                if n == 0:  # the first kill lands in a job, so even a short run has one: a folder read is held
                    worlds[0].sandbox.inject("delay", operation="SyncFolderItems", seconds=1, times=1)
                make_everything_due()
            finally:
                close_database()
            injected = utcnow()
            deadline = time.monotonic() + lease_s + 10
            while not any(e.jobs(injected)[0] or e.jobs(injected)[1] for e in engines.values()) \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, kill_window_s))
            busy = sorted(name for name, e in engines.items() if e.jobs(injected)[0])
            while n == 0 and not busy and time.monotonic() < deadline:  # the later kills fall where the seed puts them
                time.sleep(0.005)
                busy = sorted(name for name, e in engines.items() if e.jobs(injected)[0])
            # mostly one in the middle of a job while the other may be in one of its own; sometimes an idle one
            victim = rng.choice(busy if busy and (n == 0 or rng.random() < 0.75) else sorted(engines))
            figures.kills += 1
            figures.kills_mid_job += engines[victim].kill()[0]
            finished = set().union(*(e.jobs(injected)[1] for e in engines.values()))
            for world in worlds:
                world.after_run(finished)
            engines[victim] = EngineRun(url, folder, f"{victim}{n + 1}", *options)
            engines[victim].wait_ready()
            if progress:
                progress(n + 1, figures)
    finally:
        for engine in engines.values():
            engine.stop()
    open_database(url)
    try:  # the killed worker's leases run out before the clean runs can take its mailboxes
        held = Mailbox.select(fn.MAX(Mailbox.lock_expires)).where(Mailbox.lock_host.is_null(False)).scalar()
    finally:
        close_database()
    if held is not None:
        time.sleep(max(0.0, (held - utcnow()).total_seconds()) + 0.5)
    return finish(url, worlds, figures)


def store(folder: Path) -> Path:
    """A new store with the organization's defaults."""
    from crmsync_gui.core.store.db import close_database, open_database

    db = folder / "crm.db"
    open_database(db)
    close_database()
    return db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--window", type=float,
                        help="a kill comes up to this many seconds after the first job starts (default 0.5; 0.3 "
                             "with --postgresql, whose restarted worker is already running when the jobs start)")
    parser.add_argument("--postgresql", action="store_true",
                        help="two workers on one PostgreSQL database (a private cluster on loopback), one of them "
                             "killed at each point while the other runs, over two EWS sandbox mailboxes")
    args = parser.parse_args(argv)
    from bench import crash_worlds

    os.environ.setdefault("CRMSYNC_SECRETS", "file")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # aiosmtpd's tracebacks of sessions cut by a kill
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-harness-") as tmp, \
            crash_worlds.servers(mail=not args.postgresql) as servers, \
            _postgresql(args.postgresql, Path(tmp)) as url:
        folder = Path(tmp)
        worlds = crash_worlds.make(servers, url, graph=False, ews=2) if url else \
            crash_worlds.make(servers, store(folder))
        window = {} if args.window is None else {"kill_window_s": args.window}

        def progress(n: int, figures: Figures) -> None:
            if n % 10 == 0:
                print(f"[{n}/{args.kills}] {figures.kills_mid_job} mid-job", flush=True)

        try:
            figures = (run_two_workers(args.kills, args.seed, folder, url, worlds, progress=progress, **window)
                       if url else run(args.kills, args.seed, folder, worlds, progress=progress, **window))
        finally:
            for world in worlds:
                world.close()
    print(f"crash harness (seed {args.seed}, {'two workers on PostgreSQL, ' if url else ''}"
          f"{', '.join(w.name for w in worlds)}; "
          f"{time.monotonic() - started:.0f} s, load {os.getloadavg()[0]:.1f}): {figures.line()}")
    for what in figures.lost + figures.duplicated + figures.wrong:
        print(f"  {what}")
    return 0 if figures.ok else 1


@contextmanager
def _postgresql(wanted: bool, folder: Path):
    """With `wanted`, a new database on a private PostgreSQL cluster (tests/servers/postgres.py), its secret file
    in `folder` for every worker; else None."""
    if not wanted:
        yield None
        return
    from tests.servers import postgres

    reason = postgres.unavailable_reason()
    if reason:
        raise SystemExit(f"Cannot run the two-worker case: {reason}.")
    os.environ["XDG_DATA_HOME"] = str(folder / "data")
    server = postgres.start_postgres()
    try:
        yield server.create_database()
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
