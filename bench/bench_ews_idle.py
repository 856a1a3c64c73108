"""The real EWS connector's idle cycle (issue 24 item 4): CPU per mailbox and memory per 1,000 mailboxes.

The EWS sandbox runs in its own process (as Exchange is another machine) with N mailboxes of 2 generated
items; one profile with 10 connections, the default tracking option. Every mailbox makes its first sync,
then one more run (nothing new), all at once through one ExchangeConnector, as the engine's jobs share it.
Then K idle cycles: every mailbox's incoming run again, nothing new (one SyncFolderItems each). Measured:
- CPU per idle mailbox cycle: this process's CPU time (connector, incoming pipeline and store; the sandbox
  is another process) over the K cycles, per mailbox cycle; the median of the K cycles.
- Memory per 1,000 mailboxes: the slope of this process's RSS from a tenth of the mailboxes synced (the
  connector's fixed cost already in it) to all of them synced and idle K times; and the sockets it holds.
Leaves out: the engine's scheduling and its own CPU per job (bench_engine_schedule measures the engine on a
stand-in connector), outgoing and ACT. The issue's "today" (before session 7): 8.5 ms of connector CPU and
1.3 ms of engine CPU per idle cycle, 75 MB and a TLS socket per 1,000 mailboxes.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.bench_exchange import _Job, _setup_mailbox, sandbox_process
from bench.harness import load_average, progress, record
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


def run(quick: bool) -> list[dict]:
    """Idle EWS cycles of N sandbox mailboxes through one connector: CPU per mailbox cycle, RSS per 1,000."""
    from crmsync_gui.core.connectors import exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox.generate import GeneratedUser

    mailboxes, cycles = (10, 2) if quick else (1_000, 3)
    few = max(1, mailboxes // 10)
    loads = [load_average()]
    progress(f"the sandbox in its own process, {mailboxes:,} mailboxes")
    with sandbox_process(2, mailboxes) as served, tempfile.TemporaryDirectory() as tmp:
        users = [GeneratedUser(**u) for u in served["users"]]
        open_database(Path(tmp) / "crm.db")
        try:
            jobs, profile = [], None
            for user in users:
                mailbox, profile = _setup_mailbox(served["url"], served["ca_file"], user, "Idle", connections=10,
                                                  profile=profile)
                jobs.append(_Job(mailbox, profile, user.password))
            slots = asyncio.Semaphore(profile.max_concurrent_connections)
            for job in jobs:
                job._slots = slots  # the profile's cap, shared by every mailbox's job

            async def go() -> tuple[list[float], float, float, float, int]:
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
                    return per_cycle, rss_before, rss_few, _rss_mb(), _sockets()
                finally:
                    await connector.close()

            per_cycle, rss_before, rss_few, rss_after, sockets = asyncio.run(go())
        finally:
            close_database()
    load = f"load average {min(loads)}–{max(loads)}"
    cpu_ms = statistics.median(per_cycle)
    per_1000 = (rss_after - rss_few) * 1000 / (mailboxes - few)
    return [
        record("real EWS idle cycle: CPU per mailbox", cpu_ms, "ms", target=None,
               note=f"connector + incoming pipeline + store, this process only (the sandbox runs in its own); "
                    f"{mailboxes:,} mailboxes, one profile with 10 connections; median of {cycles} cycles, range "
                    f"{min(per_cycle):.2f}–{max(per_cycle):.2f} ms; engine scheduling left out; issue 24's "
                    f"figure before: 8.5 ms connector + 1.3 ms engine; {load}"),
        record("real EWS connector: memory per 1,000 mailboxes", per_1000, "MB", target=None,
               note=f"the RSS slope from {few} mailboxes synced ({rss_few:.0f} MB, the connector's fixed cost in it; "
                    f"{rss_before:.0f} MB before the connector) to {mailboxes:,} synced and idle {cycles} times "
                    f"({rss_after:.0f} MB); {sockets} sockets open at the end; "
                    f"issue 24's figure before: 75 MB and a TLS socket per 1,000 mailboxes"),
    ]
