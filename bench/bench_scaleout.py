"""Scale-out on PostgreSQL: the first sync of N sandbox mailboxes by one, two and three `crmsync engine run`
workers on the same setup, side by side (one worker is the baseline); then three workers sharing 3,000
mailboxes: no mailbox synced by two workers at once, none starved.

Each run gets a new database on a private PostgreSQL cluster and a new EWS sandbox whose every reply
comes 50 ms late (a mail server across a network); the time is from starting the workers until every
mailbox's incoming email is synced. Target: two workers take at most 0.7 of one worker's time. For the
3,000 mailboxes, each worker's --log-jobs lines give every job's start and end: two workers' jobs of one
mailbox overlapping in time, or a mailbox never synced, would show there.
Needs PostgreSQL (Debian's postgresql package), like tests/postgres.
"""
from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import at_most, progress, ratio_at_most, record

LATENCY_S = 0.05


def unavailable() -> str | None:
    from tests.servers.postgres import unavailable_reason

    return unavailable_reason()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_JOB_LINE = re.compile(r"^(\S+) mailbox (\d+) (\w+) (started|finished|failed)", re.M)


def _overlaps(outs: list[Path]) -> int:
    """How many times a mailbox direction's job in one worker overlapped one in another (from --log-jobs)."""
    spans: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for worker, out in enumerate(outs):
        begun: dict[tuple[str, str], str] = {}
        for at, mailbox, direction, what in _JOB_LINE.findall(out.read_text()):
            key = (mailbox, direction)
            if what == "started":
                begun[key] = at
            elif key in begun:
                spans.setdefault(key, []).append((begun.pop(key), at, worker))
        for key, at in begun.items():  # still running when the workers stopped
            spans.setdefault(key, []).append((at, "9999", worker))
    overlaps = 0
    for runs in spans.values():  # ISO timestamps of one clock sort as text
        runs.sort()
        overlaps += sum(1 for a, b in zip(runs, runs[1:], strict=False) if b[0] < a[1] and b[2] != a[2])
    return overlaps


def _first_sync(postgres, workers: int, mailboxes: int, latency_s: float, folder: Path):
    """Seconds until `workers` workers have synced every mailbox once, jobs each ran, the workers' CPU
    seconds and this process's (the sandbox's) CPU seconds meanwhile."""
    from crmsync_gui.core import codes
    from crmsync_gui.core.secrets import secret_store_for
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
    from crmsync_gui.sandbox import SandboxServer

    url = postgres.create_database()
    open_database(url)
    sandbox = SandboxServer()
    sandbox.start()
    procs = []
    try:
        secrets = secret_store_for(url)
        profile = EmailServerProfile.create(name="Sandbox", incoming_server=sandbox.url, trusted_ca_file=sandbox.ca_file,
                                            auth_type=codes.AuthType.BASIC, max_concurrent_connections=50,
                                            timeout_ms=30_000)
        for user in sandbox.populate(mailboxes, 5):
            owner = CrmUser.create(full_name=user.name, email=user.email, tracking_option=codes.TrackingOption.ALL)
            Mailbox.create(name=user.name, email=user.email, username=user.email, profile=profile, owner_user=owner,
                           secret_ref=secrets.put(user.password), approval=codes.Approval.APPROVED,
                           incoming_enabled=True)
        if latency_s:
            sandbox.inject("delay", seconds=latency_s)
        outs = [folder / f"{workers}-{i}.out" for i in range(workers)]
        start, sandbox_cpu = time.perf_counter(), time.process_time()
        for out in outs:
            with open(out, "wb") as stream:
                procs.append(subprocess.Popen([str(Path(sys.executable).parent / "crmsync"), "--db", url, "engine",
                                               "run", "--log-jobs"], stdin=subprocess.DEVNULL, stdout=stream,
                                              stderr=subprocess.STDOUT, env=os.environ.copy()))
        done = Mailbox.select().where(Mailbox.incoming_status == codes.DirectionStatus.SUCCESS)
        deadline = time.monotonic() + 600
        while done.count() < mailboxes:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError("the workers did not sync every mailbox: "
                                   + " | ".join(o.read_text()[-500:] for o in outs))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        jobs = [len(re.findall(r" finished ", out.read_text())) for out in outs]
        cpu = sum(_cpu_seconds(p.pid) for p in procs)
        return seconds, jobs, cpu, time.process_time() - sandbox_cpu, _overlaps(outs)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        sandbox.stop()
        close_database()
        postgres.drop_database(url)


def run(quick: bool) -> list[dict]:
    """First sync of N mailboxes by 1, 2 and 3 workers, on PostgreSQL and the sandbox (50 ms replies); 3 workers
    sharing 3,000 mailboxes."""
    from tests.servers.postgres import start_postgres

    mailboxes, many, latency, rounds = (8, 8, 0.0, 1) if quick else (200, 3_000, LATENCY_S, 3)
    postgres = start_postgres()
    old_data_home = os.environ.get("XDG_DATA_HOME")
    times: dict[int, list[float]] = {1: [], 2: [], 3: []}
    cpus: dict[int, list[float]] = {1: [], 2: [], 3: []}
    splits: dict[int, list[float]] = {2: [], 3: []}
    loads = [os.getloadavg()[0]]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["XDG_DATA_HOME"] = tmp  # the workers' secrets file for a URL lives there
            os.environ.setdefault("CRMSYNC_SECRETS", "file")
            for n in range(rounds):  # interleaved, so other work on the machine weighs on all alike
                for workers in (1, 2, 3):
                    progress(f"round {n + 1}/{rounds}: {mailboxes} mailboxes, {workers} worker(s)")
                    seconds, split, cpu, sandbox_cpu, overlaps = _first_sync(postgres, workers, mailboxes, latency,
                                                                             Path(tmp))
                    progress(f"  {seconds:.1f} s (CPU: workers {cpu:.1f} s, sandbox {sandbox_cpu:.1f} s), jobs per "
                             f"worker {split}, overlapping jobs {overlaps}")
                    if overlaps:
                        raise RuntimeError(f"{overlaps} jobs of one mailbox ran in two workers at once")
                    times[workers].append(seconds)
                    cpus[workers].append(cpu)
                    if workers > 1:
                        splits[workers].append(max(split) / max(1, sum(split)) * 100)
                    loads.append(os.getloadavg()[0])
            progress(f"3 workers sharing {many:,} mailboxes")
            if quick:  # the last 3-worker round stands for it: make test's quick run stays short
                many_s, many_split, many_overlaps = seconds, split, overlaps
            else:
                many_s, many_split, _cpu, _sandbox, many_overlaps = _first_sync(postgres, 3, many, latency, Path(tmp))
            progress(f"  {many_s:.1f} s, jobs per worker {many_split}, overlapping jobs {many_overlaps}")
            loads.append(os.getloadavg()[0])
    finally:
        if old_data_home is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = old_data_home
        postgres.stop()
    one, two, three = (statistics.median(times[w]) for w in (1, 2, 3))

    def spread(workers: int) -> str:
        return f"{min(times[workers]):.1f}-{max(times[workers]):.1f} s"

    machine = f"machine: {os.cpu_count()} cores, load average {min(loads):.1f}-{max(loads):.1f}"
    cpu_note = "; CPU seconds of the workers (1/2/3 workers): " + ", ".join(
        f"{a:.0f}/{b:.0f}/{c:.0f}" for a, b, c in zip(cpus[1], cpus[2], cpus[3], strict=True))
    return [
        record(f"first sync of {mailboxes} mailboxes, 2 workers on PostgreSQL", two, "s", target=ratio_at_most(0.7),
               baseline=one, baseline_label="1 worker",
               note=f"{int(LATENCY_S * 1000)} ms per sandbox reply; median of {rounds}, 2 workers {spread(2)}, "
                    f"1 worker {spread(1)}{cpu_note}; {machine}"),
        # no target: on 2 cores shared with the sandbox and PostgreSQL a third worker has no core of its own
        record(f"first sync of {mailboxes} mailboxes, 3 workers on PostgreSQL", three, "s", target=None,
               baseline=one, baseline_label="1 worker",
               note=f"median of {rounds}, 3 workers {spread(3)}, 1 worker {spread(1)}; {mailboxes / three:.1f} "
                    f"mailboxes/s (1 worker {mailboxes / one:.1f}, 2 workers {mailboxes / two:.1f}); {machine}"),
        record("jobs done by the busier of 2 workers", statistics.median(splits[2]), "%",
               target=at_most(75), note="an even split is 50%; nothing assigns mailboxes, leases share them"),
        record(f"3 workers sharing {many:,} mailboxes: jobs of one mailbox in two workers at once", many_overlaps,
               "jobs", target=at_most(0),
               note=f"every mailbox synced (none starved) in {many_s:.0f} s; jobs per worker {many_split} (the "
                    f"busiest {max(many_split) / max(1, sum(many_split)) * 100:.0f}%, even is 33%); "
                    f"busiest of 3 in the 200-mailbox rounds {statistics.median(splits[3]):.0f}%; {machine}"),
    ]
