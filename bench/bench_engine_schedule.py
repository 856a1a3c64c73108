"""Engine schedule: first, 10,000 mailboxes on a fake connector with realistic latency, on a clock running
5 times faster than real time (20 simulated minutes, more than the longest 12-minute interval); the share of due jobs started within 60 s of their due time
(target ≥ 99.9 %) and the engine's CPU per idle mailbox cycle.

The connector is a stand-in (the real ones are measured in their own benchmarks): each run waits a
log-normal latency (median 0.25 s, about 1 in 100 over 1.5 s, as EWS SyncFolderItems answers on a
quiet server) and finds new email one time in ten. The engine runs with its default caps except 40
incoming workers (the default 20 suits about 5,000 mailboxes), its scheduler ticking once a simulated
second. Lateness is measured on the simulated clock, so any stall of the loop (on this shared machine,
other processes) counts five times over: the measure is conservative.

Then the same engine with the real EWS connector, in real time, in a fresh process: 10,000 mailboxes of the
EWS sandbox (`crmsync sandbox serve` in its own process: in this process it could not answer fast enough
beside the engine), every reply 50 ms late, on 20 profiles that each sign in as an impersonating service
account with 10 connections (as a big organization would set them up); their first runs spread over 5
minutes, then 10 minutes of the schedule (each mailbox's next run 5 minutes after its first).
Measured: the share of due jobs started within 60 s, the CPU of the engine process (engine, connector,
pipeline and store; the sandbox is another process) per idle mailbox cycle after the first 5 minutes (the
first runs are first syncs), and its RSS growth per 1,000 mailboxes from before the engine starts to the
end (the engine's fixed cost in it, so an upper bound).
"""
from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.harness import at_least, load_average, progress, record
from bench.stand_in import StandInConnector

SPEED = 5.0  # simulated seconds per real second
LATE_S = 60.0
REAL_LATENCY_S = 0.05  # every EWS sandbox reply that much later, a mail server across a network


def _populate(mailboxes: int, profiles: int, start, rng: random.Random) -> None:
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.base import database_proxy
    from crmsync_gui.core.store.models import EmailServerProfile, Mailbox

    with database_proxy.atomic():
        ids = [EmailServerProfile.create(name=f"Profile {p}", incoming_server=f"https://mail{p}.test/EWS/Exchange.asmx",
                                         max_concurrent_connections=10).id for p in range(profiles)]
        rows = [{"name": f"Mailbox {i}", "email": f"user{i}@contoso.test", "profile": ids[i % profiles],
                 "approval": codes.Approval.APPROVED, "incoming_enabled": True,
                 # steady state: next runs spread over the first 5 minutes
                 "incoming_next_run": start + timedelta(seconds=rng.uniform(0, 300))} for i in range(mailboxes)]
        for chunk in range(0, len(rows), 500):
            Mailbox.insert_many(rows[chunk:chunk + 500]).execute()


async def _measure(duration_s: float, rng: random.Random):
    from crmsync_gui.core import events
    from crmsync_gui.core.sync.clock import ScaledClock
    from crmsync_gui.core.sync.engine import Engine, EngineConfig, QueueConfig

    clock = ScaledClock(SPEED, start=_START)
    bus = events.EventBus()
    lateness: list[float] = []
    idle_cycles = 0

    def on_event(event) -> None:
        nonlocal idle_cycles
        if isinstance(event, events.JobStarted) and event.due_at is not None:
            lateness.append((event.at - event.due_at).total_seconds())
        elif isinstance(event, events.JobFinished) and event.items == 0:
            idle_cycles += 1

    bus.subscribe(on_event)
    # the fake mail server: lognormal latency (median 0.25 s, simulated) and new email one time in ten
    connector = StandInConnector(lambda: min(20.0, rng.lognormvariate(-1.386, 0.75)) / SPEED,
                                 lambda: 1 if rng.random() < 0.1 else 0)
    config = EngineConfig(tick_s=1.0 / SPEED, incoming=QueueConfig(40, 600), max_concurrent_jobs=60)
    engine = Engine(bus=bus, clock=clock, config=config,
                    connector_factory=lambda profile: connector)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await engine.start()
    end = time.perf_counter() + duration_s / SPEED
    while (left := end - time.perf_counter()) > 0:
        await asyncio.sleep(min(left, 10.0))
        progress(f"{clock.now() - _START} simulated: {len(lateness)} jobs started, "
                 f"queues {engine.depths()}")
    await engine.stop()
    return lateness, idle_cycles, time.process_time() - cpu0, time.perf_counter() - wall0


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _populate_real(served: dict, profiles: int, spread_s: float, secrets) -> None:
    """The sandbox's mailboxes in the CRM, on `profiles` profiles each signing in as its own impersonating account
    (the first generated mailboxes), every owner a CRM user; first runs spread over `spread_s`."""
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.base import database_proxy
    from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
    from crmsync_gui.core.sync.clock import SystemClock

    users, now, rng = served["users"], SystemClock().now(), random.Random(7)
    with database_proxy.atomic():
        ids = [EmailServerProfile.create(
            name=f"Sandbox {p}", incoming_server=served["url"], trusted_ca_file=served["ca_file"],
            auth_type=codes.AuthType.BASIC, max_concurrent_connections=10, timeout_ms=30_000,
            username=users[p]["email"], secret_ref=secrets.put(users[p]["password"])).id for p in range(profiles)]
        for chunk in range(0, len(users), 500):
            part = users[chunk:chunk + 500]
            CrmUser.insert_many([{"full_name": u["name"], "email": u["email"],
                                  "tracking_option": codes.TrackingOption.REPLIES_TO_CRM_EMAIL} for u in part]).execute()
            owners = {u.email: u.id for u in CrmUser.select().where(CrmUser.email.in_([u["email"] for u in part]))}
            Mailbox.insert_many([{"name": u["name"], "email": u["email"], "username": u["email"],
                                  "profile": ids[(chunk + i) % profiles], "owner_user": owners[u["email"]],
                                  "approval": codes.Approval.APPROVED, "incoming_enabled": True,
                                  "incoming_next_run": now + timedelta(seconds=rng.uniform(0, spread_s))}
                                 for i, u in enumerate(part)]).execute()


async def _measure_real(duration_s: float, warm_s: float) -> dict:
    from crmsync_gui.core import events
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.sync.engine import Engine, EngineConfig, QueueConfig

    bus = events.EventBus()
    lateness: list[float] = []
    counts = {"idle": 0, "failed": 0, "idle_at_warm": 0}

    def on_event(event) -> None:
        if isinstance(event, events.JobStarted) and event.due_at is not None:
            lateness.append((event.at - event.due_at).total_seconds())
        elif isinstance(event, events.JobFinished) and event.items == 0:
            counts["idle"] += 1
        elif isinstance(event, events.JobFailed):
            counts["failed"] += 1

    bus.subscribe(on_event)
    config = EngineConfig(incoming=QueueConfig(40, 600), max_concurrent_jobs=60)
    engine = Engine(bus=bus, config=config, secrets=SecretStore(_REAL_SECRETS, use_keyring=False))
    rss_before = _rss_mb()
    await engine.start()
    started = time.perf_counter()
    cpu_warm = None
    try:
        while (left := started + duration_s - time.perf_counter()) > 0:
            await asyncio.sleep(min(left, 30.0, max(0.1, started + warm_s - time.perf_counter()))
                                if cpu_warm is None else min(left, 30.0))
            if cpu_warm is None and time.perf_counter() - started >= warm_s:
                cpu_warm, counts["idle_at_warm"] = time.process_time(), counts["idle"]
            progress(f"{time.perf_counter() - started:.0f} s: {len(lateness):,} jobs started, {counts['idle']:,} "
                     f"idle, {counts['failed']} failed, queues {engine.depths()}, RSS {_rss_mb():.0f} MB")
        cpu_end, idle_end, rss_end = time.process_time(), counts["idle"], _rss_mb()
    finally:
        await engine.stop()
    idle_after = idle_end - counts["idle_at_warm"]
    return {"lateness": lateness, "failed": counts["failed"], "idle_after_warm": idle_after,
            "cpu_ms": 1000 * (cpu_end - (cpu_warm or cpu_end)) / max(1, idle_after),
            "rss_before": rss_before, "rss_end": rss_end}


_REAL_SECRETS = None


def measure_real_here(mailboxes: int, profiles: int, spread_s: float, duration_s: float, out: str) -> None:
    """Child side: the sandbox in its own process, the engine with the real EWS connector in this one."""
    global _REAL_SECRETS
    from bench.bench_exchange import sandbox_process
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.db import close_database, open_database

    services = tuple(f"user{p + 1}@sandbox.test" for p in range(profiles))
    with sandbox_process(0, mailboxes, REAL_LATENCY_S, services) as served, tempfile.TemporaryDirectory() as tmp:
        _REAL_SECRETS = Path(tmp) / "secrets.json"
        open_database(Path(tmp) / "bench.db")
        _populate_real(served, profiles, spread_s, SecretStore(_REAL_SECRETS, use_keyring=False))
        progress(f"{mailboxes:,} sandbox mailboxes on {profiles} profiles; the engine for {duration_s / 60:g} minutes")
        got = asyncio.run(_measure_real(duration_s, warm_s=spread_s))
        close_database()
    Path(out).write_text(json.dumps(got))


def _real(quick: bool) -> list[dict]:
    mailboxes, profiles, spread_s, duration_s = (10, 2, 2.0, 6.0) if quick else (10_000, 20, 300.0, 900.0)
    loads = [load_average()]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "got.json"
        code = ("from bench.bench_engine_schedule import measure_real_here; "
                f"measure_real_here({mailboxes}, {profiles}, {spread_s}, {duration_s}, {str(out)!r})")
        done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"the real EWS schedule run failed (exit {done.returncode}); its output is above")
        got = json.loads(out.read_text())
    loads.append(load_average())
    lateness = sorted(got["lateness"])
    share = 100.0 * sum(1 for late in lateness if late <= LATE_S) / max(1, len(lateness))
    p99 = lateness[int(len(lateness) * 0.99)] if lateness else 0.0
    load = f"load average {min(loads)}–{max(loads)}"
    progress(f"real EWS: {len(lateness):,} jobs, {share:.3f}% on time, p99 lateness {p99:.1f} s, {got['failed']} failed")
    where = (f"{mailboxes:,} EWS sandbox mailboxes (the sandbox in its own process, {int(REAL_LATENCY_S * 1000)} ms "
             f"per reply), {profiles} impersonating profiles of 10 connections, real time")
    return [
        record("real EWS: due jobs started within 60 s", share, "%", target=at_least(99.9),
               note=f"{where}; {len(lateness):,} due jobs, p99 lateness {p99:.1f} s, {got['failed']} jobs failed; {load}"),
        record("real EWS: engine process CPU per idle mailbox cycle", got["cpu_ms"], "ms", target=None,
               note=f"engine + connector + pipeline + store, after the first {spread_s:g} s (the first syncs); "
                    f"{got['idle_after_warm']:,} idle cycles; {load}"),
        record("real EWS: engine process memory per 1,000 mailboxes", (got["rss_end"] - got["rss_before"])
               * 1000 / mailboxes, "MB", target=None,
               note=f"RSS {got['rss_before']:.0f} MB before the engine, {got['rss_end']:.0f} MB at the end (the "
                    f"engine's and connectors' fixed cost in it); {where}"),
    ]


_START = None


def run(quick: bool) -> list[dict]:
    """Share of due jobs started within 60 s of due time; engine CPU per idle mailbox cycle (no baseline:
    the connector's own work is a sleep); the same with the real EWS connector and the sandbox, in real time."""
    global _START
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync.clock import SystemClock

    mailboxes, profiles, duration_s = (200, 2, 30.0) if quick else (10_000, 20, 1200.0)
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        open_database(Path(tmp) / "bench.db")
        _START = SystemClock().now()
        _populate(mailboxes, profiles, _START, rng)
        progress(f"{mailboxes:,} mailboxes on {profiles} profiles; running {duration_s / 60:g} simulated minutes "
                 f"at {SPEED:g}x")
        lateness, idle_cycles, cpu_s, wall_s = asyncio.run(_measure(duration_s, rng))
        close_database()
    on_time = sum(1 for late in lateness if late <= LATE_S)
    share = 100.0 * on_time / len(lateness) if lateness else 0.0
    lateness.sort()
    p99 = lateness[int(len(lateness) * 0.99)] if lateness else 0.0
    progress(f"{len(lateness):,} jobs, {share:.3f}% on time, p99 lateness {p99:.1f} s, "
             f"{idle_cycles:,} idle cycles, CPU {cpu_s:.1f} s in {wall_s:.1f} s")
    note = f"{mailboxes:,} mailboxes, {len(lateness):,} due jobs, p99 lateness {p99:.1f} s (simulated)"
    return [
        record("due jobs started within 60 s", share, "%", target=at_least(99.9), note=note),
        record("engine CPU per idle mailbox cycle", 1000.0 * cpu_s / max(1, idle_cycles), "ms", target=None,
               note=f"process CPU {cpu_s:.1f} s over {idle_cycles:,} idle cycles (includes the fake connector)"),
    ] + _real(quick)
