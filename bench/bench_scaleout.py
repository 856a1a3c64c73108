"""Scale-out on PostgreSQL: the first sync of N sandbox mailboxes by two `crmsync engine run` workers,
against one worker doing the same on the same setup (the baseline).

Each run gets a new database on a private PostgreSQL cluster and a new EWS sandbox whose every reply
comes 50 ms late (a mail server across a network); the time is from starting the workers until every
mailbox's incoming email is synced. Target: two workers take at most 0.7 of one worker's time.
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
        return seconds, jobs, cpu, time.process_time() - sandbox_cpu
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
    """First sync of N mailboxes by 2 workers vs 1 worker, on PostgreSQL and the sandbox (50 ms replies)."""
    from tests.servers.postgres import start_postgres

    mailboxes, latency, rounds = (8, 0.0, 1) if quick else (200, LATENCY_S, 3)
    postgres = start_postgres()
    old_data_home = os.environ.get("XDG_DATA_HOME")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["XDG_DATA_HOME"] = tmp  # the workers' secrets file for a URL lives there
            os.environ.setdefault("CRMSYNC_SECRETS", "file")
            ones, twos, splits, cpus, loads = [], [], [], [], [os.getloadavg()[0]]
            for n in range(rounds):  # interleaved, so other work on the machine weighs on both alike
                progress(f"round {n + 1}/{rounds}: {mailboxes} mailboxes, one worker")
                one, _, one_cpu, one_sandbox = _first_sync(postgres, 1, mailboxes, latency, Path(tmp))
                progress(f"  {one:.1f} s (CPU: worker {one_cpu:.1f} s, sandbox {one_sandbox:.1f} s); two workers")
                two, split, two_cpu, two_sandbox = _first_sync(postgres, 2, mailboxes, latency, Path(tmp))
                progress(f"  {two:.1f} s (CPU: workers {two_cpu:.1f} s, sandbox {two_sandbox:.1f} s), "
                         f"jobs per worker {split}")
                ones.append(one)
                twos.append(two)
                splits.append(max(split) / max(1, sum(split)) * 100)
                cpus.append((one_cpu, two_cpu))
                loads.append(os.getloadavg()[0])
    finally:
        if old_data_home is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = old_data_home
        postgres.stop()
    one, two = statistics.median(ones), statistics.median(twos)
    return [
        record(f"first sync of {mailboxes} mailboxes, 2 workers on PostgreSQL", two, "s", target=ratio_at_most(0.7),
               baseline=one, baseline_label="1 worker",
               note=f"{int(LATENCY_S * 1000)} ms per sandbox reply; median of {rounds}, 2 workers range "
                    f"{min(twos):.1f}-{max(twos):.1f} s, 1 worker {min(ones):.1f}-{max(ones):.1f} s; CPU seconds "
                    f"(1 worker / 2 workers): {', '.join(f'{a:.0f}/{b:.0f}' for a, b in cpus)}; machine: "
                    f"{os.cpu_count()} cores, load average {min(loads):.1f}-{max(loads):.1f}"),
        record("jobs done by the busier of 2 workers", statistics.median(splits), "%",
               target=at_most(75), note="an even split is 50%; nothing assigns mailboxes, leases share them"),
    ]
