"""Engine memory per 1,000 mailboxes: the engine process's resident memory growth with 1,000, 5,000 and
10,000 mailboxes scheduled, once every mailbox has made one incoming sync (target ≤ 5 MB per 1,000).

Each size runs in a fresh Python process (so one size's freed memory cannot hide the next one's):
the database is seeded, the engine's modules imported and a garbage collection done, then RSS is read
(/proc/self/status VmRSS); the engine starts with its default caps and a stand-in connector (a 10 ms
wait holding a connection slot, as in the schedule benchmark, so the engine's own memory is measured,
not a mail library's) and runs until every mailbox has finished one incoming sync; RSS is read again
then, with the engine still running, after a collection (the peak while running is noted too). The
growth includes what SQLite caches for the bigger tables. The reported value is the slope between the
smallest and the largest size, in MB per 1,000 mailboxes, so the fixed cost of a running engine
(tasks, connectors, statements) cancels out. A last process at the smallest size runs the same with
tracemalloc on and reports the Python heap growth and its biggest allocation sites.

Target: 5 MB per 1,000 mailboxes, so that an engine host serving 50,000 mailboxes (a large
organization on one server) needs no more than about 250 MB for them on top of the process's own.
"""
from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.harness import at_most, progress, record
from bench.stand_in import StandInConnector

TARGET_MB_PER_1000 = 5.0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (the benchmark reads Linux's process status)")


def _populate(mailboxes: int, profiles: int) -> None:
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.base import database_proxy
    from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
    from crmsync_gui.core.sync.clock import SystemClock

    now = SystemClock().now() - timedelta(seconds=1)  # every mailbox due at once
    with database_proxy.atomic():
        ids = [EmailServerProfile.create(name=f"Profile {p}", incoming_server=f"https://mail{p}.test/EWS/Exchange.asmx",
                                         max_concurrent_connections=10).id for p in range(profiles)]
        rows = [{"name": f"Mailbox {i}", "email": f"user{i}@contoso.test", "profile": ids[i % profiles],
                 "approval": codes.Approval.APPROVED, "incoming_enabled": True, "incoming_next_run": now}
                for i in range(mailboxes)]
        for chunk in range(0, len(rows), 500):
            Mailbox.insert_many(rows[chunk:chunk + 500]).execute()


async def _sync_all(mailboxes: int, limit_s: float, traced: bool) -> dict:
    """Run the engine until every mailbox has synced once; read the memory then, with the engine running."""

    from crmsync_gui.core import codes, events
    from crmsync_gui.core.sync.engine import Engine

    bus = events.EventBus()
    synced: set[int] = set()

    def on_event(event) -> None:
        if isinstance(event, events.JobFinished) and event.direction == codes.Direction.INCOMING:
            synced.add(event.mailbox_id)

    bus.subscribe(on_event)
    connector = StandInConnector(lambda: 0.01)
    engine = Engine(bus=bus, connector_factory=lambda profile: connector)
    started = time.perf_counter()
    peak = 0.0
    await engine.start()
    try:
        while len(synced) < mailboxes:
            if time.perf_counter() - started > limit_s:
                raise RuntimeError(f"only {len(synced):,} of {mailboxes:,} mailboxes synced within {limit_s:g} s")
            await asyncio.sleep(0.2)
            peak = max(peak, _rss_mb())
        seconds = time.perf_counter() - started
        gc.collect()
        reading = {"rss_after": _rss_mb(), "rss_peak": max(peak, _rss_mb()), "seconds": seconds}
        if traced:
            snapshot = _engine_heap()
            reading["traced_after"] = sum(s.size for s in snapshot.statistics("filename"))
            stats = snapshot.statistics("lineno")[:5]
            reading["top"] = [f"{s.traceback[0].filename.split('site-packages/')[-1].split('crmsync_gui/')[-1]}:"
                              f"{s.traceback[0].lineno} {s.size / 2**20:.2f} MB" for s in stats]
        return reading
    finally:
        await engine.stop()


def _engine_heap():
    """The traced heap without this benchmark's own bookkeeping (the set of synced mailboxes)."""
    import tracemalloc

    return tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, __file__),
                                                      tracemalloc.Filter(False, tracemalloc.__file__)])


def measure_here(mailboxes: int, traced: bool) -> dict:
    """Child side: one size in this fresh process; returns RSS (and traced heap) before and after."""
    import tracemalloc

    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync import engine  # noqa: F401 (imported before the first reading)

    with tempfile.TemporaryDirectory() as tmp:
        open_database(Path(tmp) / "bench.db")
        _populate(mailboxes, profiles=max(1, mailboxes // 500))
        gc.collect()
        if traced:
            tracemalloc.start(10)
        before = _rss_mb()
        traced_before = sum(s.size for s in _engine_heap().statistics("filename")) if traced else 0
        result = {"mailboxes": mailboxes, "rss_before": before} | asyncio.run(_sync_all(mailboxes, 600, traced))
        if traced:
            result["traced_growth_mb"] = (result.pop("traced_after") - traced_before) / 2**20
            tracemalloc.stop()
        close_database()
    return result


def _measure(mailboxes: int, traced: bool = False) -> dict:
    """Parent side: one size in a child process."""
    code = ("import json, sys; from bench.bench_engine_memory import measure_here; "
            f"print(json.dumps(measure_here({mailboxes}, {traced})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"measuring {mailboxes:,} mailboxes failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[dict]:
    """Engine RSS growth per 1,000 mailboxes, the slope between the smallest and largest size."""
    sizes = (100, 400) if quick else (1_000, 5_000, 10_000)
    results = []
    for size in sizes:
        progress(f"{size:,} mailboxes: seeding, then one incoming sync of each (fresh process)")
        got = _measure(size)
        results.append(got)
        progress(f"{size:,} mailboxes: RSS {got['rss_before']:.1f} MB before the engine, {got['rss_after']:.1f} MB "
                 f"running after one sync of each ({got['seconds']:.1f} s), peak {got['rss_peak']:.1f} MB")
    small, large = results[0], results[-1]
    growth = [r["rss_after"] - r["rss_before"] for r in results]
    slope = max(0.0, (growth[-1] - growth[0]) / ((large["mailboxes"] - small["mailboxes"]) / 1000))
    progress(f"{small['mailboxes']:,} mailboxes again with tracemalloc on (it slows the engine tenfold)")
    traced = _measure(small["mailboxes"], traced=True)
    progress(f"Python heap growth {traced['traced_growth_mb']:.1f} MB; biggest: {'; '.join(traced['top'])}")
    sizes_note = ", ".join(f"{r['mailboxes']:,}: +{g:.1f} MB" for r, g in zip(results, growth, strict=True))
    return [
        record("engine memory per 1,000 mailboxes (RSS)", slope, "MB", target=at_most(TARGET_MB_PER_1000),
               note=f"RSS growth after one incoming sync of every mailbox ({sizes_note}); slope between "
                    f"{small['mailboxes']:,} and {large['mailboxes']:,}; stand-in connector"),
        record("engine Python heap per 1,000 mailboxes (tracemalloc)",
               traced["traced_growth_mb"] / (small["mailboxes"] / 1000), "MB", target=None,
               note=f"{small['mailboxes']:,} mailboxes, heap growth {traced['traced_growth_mb']:.1f} MB (incl. the "
                    f"engine's fixed cost); biggest sites: {'; '.join(traced['top'][:3])}"),
    ]
