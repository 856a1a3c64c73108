"""The real EWS connector's idle cycle (issue 24 item 4): CPU per mailbox and memory per 1,000 mailboxes.

The EWS sandbox runs in its own process (as Exchange is another machine) with N mailboxes of 2 generated
items; one profile with 10 connections, the default tracking option. Every mailbox makes its first sync,
then one more run (nothing new), all at once through one ExchangeConnector, as the engine's jobs share it.
Then K idle cycles: every mailbox's incoming run again, nothing new (one SyncFolderItems each). Measured:
- CPU per idle mailbox cycle: this process's CPU time (connector, incoming pipeline and store; the sandbox
  is another process) over the K cycles, per mailbox cycle; the median of the K cycles.
- Memory per 1,000 mailboxes: the slope of this process's RSS from a tenth of the mailboxes synced (the
  connector's fixed cost already in it) to all of them synced and idle K times; and the sockets it holds.
  Side by side in one run, each in a fresh process: every mailbox signing in as itself (the baseline:
  its own exchangelib Protocol, requests session and TLS connection each) and the profile signing in as
  an impersonating service account (one Protocol and at most its 10 connections for all mailboxes).
Leaves out: the engine's scheduling and its own CPU per job (bench_engine_schedule measures the engine on a
stand-in connector), outgoing and ACT. The issue's "today" (before session 7): 8.5 ms of connector CPU and
1.3 ms of engine CPU per idle cycle, 75 MB and a TLS socket per 1,000 mailboxes.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_exchange import _Job, _setup_mailbox, sandbox_process
from bench.harness import at_most, load_average, progress, record
from crmsync_gui.core.sync import incoming


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(FileNotFoundError):  # the listing's own descriptor, closed meanwhile
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def measure_here(mailboxes: int, cycles: int, impersonate: bool) -> dict:
    """Child side: idle EWS cycles of N sandbox mailboxes through one connector, in this fresh process."""
    from crmsync_gui.core.connectors import exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox.generate import GeneratedUser

    few = max(1, mailboxes // 10)
    loads = [load_average()]
    service = "user1@sandbox.test" if impersonate else None  # the first generated mailbox's account acts for all
    served_by = sandbox_process(2, mailboxes, impersonators=(service,) if service else ())
    with served_by as served, tempfile.TemporaryDirectory() as tmp:
        users = [GeneratedUser(**u) for u in served["users"]]
        open_database(Path(tmp) / "crm.db")
        try:
            jobs, profile = [], None
            for user in users:
                mailbox, profile = _setup_mailbox(served["url"], served["ca_file"], user, "Idle", connections=10,
                                                  profile=profile, username=service or "")
                jobs.append(_Job(mailbox, profile, users[0].password if service else user.password))
            slots = asyncio.Semaphore(profile.max_concurrent_connections)
            for job in jobs:
                job._slots = slots  # the profile's cap, shared by every mailbox's job

            async def go() -> dict:
                rss_before = _rss_mb()
                connector = exchange.ExchangeConnector(profile)
                try:
                    progress(f"first syncs of {few} mailboxes, then of the other {mailboxes - few:,}")
                    await asyncio.gather(*(incoming.run(job, connector) for job in jobs[:few]))
                    rss_few = _rss_mb()  # the connector's fixed cost is in it
                    await asyncio.gather(*(incoming.run(job, connector) for job in jobs[few:]))
                    progress("one more run each (nothing new)")
                    await asyncio.gather(*(incoming.run(job, connector) for job in jobs))
                    per_cycle = []
                    for n in range(cycles):
                        progress(f"idle cycle {n + 1}/{cycles} of {mailboxes:,} mailboxes")
                        cpu = time.process_time()
                        decided = await asyncio.gather(*(incoming.run(job, connector) for job in jobs))
                        per_cycle.append((time.process_time() - cpu) * 1000 / mailboxes)
                        if any(decided):
                            raise RuntimeError("an idle cycle found new email")
                        loads.append(load_average())
                    return {"per_cycle": per_cycle, "rss_before": rss_before, "rss_few": rss_few,
                            "rss_after": _rss_mb(), "sockets": _sockets()}
                finally:
                    await connector.close()

            got = asyncio.run(go())
        finally:
            close_database()
    return got | {"loads": loads, "per_1000": (got["rss_after"] - got["rss_few"]) * 1000 / (mailboxes - few)}


def _measure(mailboxes: int, cycles: int, impersonate: bool) -> dict:
    """Parent side: one variant in a child process (so neither one's freed memory hides the other's)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "got.json"
        code = ("import json, pathlib; from bench.bench_ews_idle import measure_here; pathlib.Path("
                f"{str(out)!r}).write_text(json.dumps(measure_here({mailboxes}, {cycles}, {impersonate})))")
        done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"the idle cycles of {mailboxes:,} mailboxes failed (exit {done.returncode}); "
                               "its output is above")
        return json.loads(out.read_text())


def run(quick: bool) -> list[dict]:
    """Idle EWS cycles of N sandbox mailboxes through one connector: CPU per mailbox cycle, RSS per 1,000; each
    mailbox signing in as itself and, in the same run, all through one impersonating service account."""
    mailboxes, cycles = (10, 2) if quick else (1_000, 3)
    few = max(1, mailboxes // 10)
    progress(f"every mailbox signing in as itself: the sandbox in its own process, {mailboxes:,} mailboxes")
    own = _measure(mailboxes, cycles, impersonate=False)
    progress(f"  {own['per_1000']:.1f} MB per 1,000; one impersonating service account for all (fresh processes)")
    shared = _measure(mailboxes, cycles, impersonate=True)
    progress(f"  {shared['per_1000']:.1f} MB per 1,000")
    loads = own["loads"] + shared["loads"]
    load = f"load average {min(loads)}–{max(loads)}"

    def cpu_note(got: dict) -> str:
        return (f"median of {cycles} cycles, range {min(got['per_cycle']):.2f}–{max(got['per_cycle']):.2f} ms")

    def memory_note(got: dict) -> str:
        return (f"the RSS slope from {few} mailboxes synced ({got['rss_few']:.0f} MB, the connector's fixed cost in "
                f"it; {got['rss_before']:.0f} MB before the connector) to {mailboxes:,} synced and idle {cycles} "
                f"times ({got['rss_after']:.0f} MB); {got['sockets']} sockets open at the end")

    own_cpu, shared_cpu = statistics.median(own["per_cycle"]), statistics.median(shared["per_cycle"])
    # issue 24: at most half of today's 75 MB per 1,000 mailboxes
    return [
        record("real EWS idle cycle: CPU per mailbox", own_cpu, "ms", target=None,
               note=f"each mailbox signs in as itself; connector + incoming pipeline + store, this process only (the "
                    f"sandbox runs in its own); {mailboxes:,} mailboxes, one profile with 10 connections; "
                    f"{cpu_note(own)}; engine scheduling left out; issue 24's figure before: 8.5 ms connector + "
                    f"1.3 ms engine; {load}"),
        record("real EWS connector: memory per 1,000 mailboxes", own["per_1000"], "MB", target=at_most(37.5),
               note=f"each mailbox signs in as itself (its own exchangelib Protocol, session and TLS connection); "
                    f"{memory_note(own)}; issue 24's figure before: 75 MB and a TLS socket per 1,000; {load}"),
        record("real EWS idle cycle, impersonating service account: CPU per mailbox", shared_cpu, "ms", target=None,
               baseline=own_cpu, baseline_label="each mailbox signing in as itself",
               note=f"one account acts for every mailbox (ExchangeImpersonation); {cpu_note(shared)}; {load}"),
        record("real EWS connector, impersonating service account: memory per 1,000 mailboxes", shared["per_1000"],
               "MB", target=at_most(37.5), baseline=own["per_1000"], baseline_label="each mailbox signing in as itself",
               note=f"one account acts for every mailbox, so they share one exchangelib Protocol and at most the "
                    f"profile's 10 connections; {memory_note(shared)}; {load}"),
    ]
