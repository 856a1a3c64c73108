"""Arrival-to-CRM latency with push against polling, on EWS (streaming notifications), IMAP (IDLE) and Graph
(delta polling), for 100 and 1,000 mailboxes, in one run.

Each protocol's mailboxes are set up on one profile of a real server on loopback: the EWS sandbox (one
impersonating service account, cap 10: half of it, 5 streaming connections of up to 200 subscriptions, is
enough for 1,000 mailboxes), Dovecot (tests/servers/dovecot.py; IMAP IDLE holds one connection per mailbox, so
the cap is twice the mailboxes and every Inbox gets IDLE) and the Graph sandbox beside the EWS one (app-only,
cap 10). Each protocol phase has a database of its own, so its engine syncs that protocol's mailboxes only
(not the earlier phases' too). The real engine makes every mailbox's first sync and then watches it; once
every mailbox is watched, emails arrive one at a time at random mailboxes and each one's time from delivery
to its CRM email row is measured, in rounds (EWS and IMAP: one every 0.2 s; Graph: spread at random over a
minute, so they fall anywhere in the 45 s poll cycle). The figures are the medians over the rounds of each
round's p50 and p99.

Dovecot's IDLE watches the mailbox with inotify, one instance per imap process, and the kernel allows 128
instances per user (all the test Dovecots' imap processes run as `mail`, other helpers' too); past that
Dovecot says "Inotify instance limit ... exceeded ... Increase /proc/sys/fs/inotify/max_user_instances" and
checks the mailbox every mailbox_idle_check_interval instead. The bench takes Dovecot's own remedy: as root
it raises fs.inotify.max_user_instances to INOTIFY_PER_SESSION per mailbox for the run (the old value is put back after),
and it counts the sessions that still fell back in Dovecot's log and says so in the IMAP records' note.

Baseline, in the same run and on the same mailboxes: the same engine with push turned off (each connector's
arrival replaced by the schedule's polling only), its clock running SPEED times faster so the 5 to 12 minute
polls fit in a minute or two of real time; latencies are read on that clock. Everything the engine does in
real time (a sync's requests, the queue behind a wave of due mailboxes) counts SPEED times over, so the
baseline leans high: by seconds at 100 mailboxes, more at 1,000, where the polls that fall due together
queue for the workers. One round, since it costs minutes.

The EWS sandbox counts the most connections it had open at once: recorded against the cap of 10. The
sandboxes run in this process (the bench delivers through them and reads their counters), so they share
its interpreter with the engine; Dovecot is its own processes. Quick mode: 3 mailboxes, one round of 3
arrivals, Graph polled every second, EWS streams of 2 s, no baseline.
"""
from __future__ import annotations

import asyncio
import contextlib
import imaplib
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import at_most, load_average, median_spread, progress, record

SPEED = 10.0  # the baseline's clock: simulated seconds per real second
EWS_CAP, GRAPH_CAP = 10, 10
INOTIFY_PER_SESSION = 8  # instances to allow per IDLE session here: room for the other test Dovecots too
INOTIFY_LIMIT = Path("/proc/sys/fs/inotify/max_user_instances")
ROUNDS = 3
TARGETS = {"EWS": (2.0, 5.0), "IMAP": (None, None), "Graph": (None, 60.0)}  # (p50, p99) in seconds


def unavailable() -> str | None:
    from tests.servers.dovecot import unavailable_reason

    return unavailable_reason()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class Setup:
    """One protocol's mailboxes on one profile: how to deliver to them and when the engine watches them all."""

    name: str
    secrets: object
    addresses: list[str]
    ids: list[int]
    deliver: object  # (address, subject) -> None, blocking
    watched: object  # (engine) -> bool
    spread_s: float  # push rounds: arrivals spread over this long (0: one every 0.2 s)


def _owner_and_mailbox(profile, address: str, n: int, secret_ref: str | None = None):
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.store.models import Mailbox

    owner = admin.add_user(f"User {n}", address, tracking_option=codes.TrackingOption.ALL)
    mailbox = admin.map_mailbox(admin.add_mailbox(f"User {n}", address, profile), owner)
    Mailbox.update(approval=codes.Approval.APPROVED, incoming_enabled=True, secret_ref=secret_ref,
                   incoming_method=codes.IncomingMethod.SERVER_SIDE_SYNC).where(Mailbox.id == mailbox.id).execute()
    return mailbox.id


def _connected(engine, ids, check) -> bool:
    connectors = [c.connector for _, c in engine._connectors.values()]
    return all(any(check(c, m) for c in connectors) for m in ids)


def _ews(tmp: Path, sandbox, mailboxes: int) -> Setup:
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import EmailServerProfile

    service = f"svc-{mailboxes}@sandbox.test"
    sandbox.add_mailbox(service, "svc-pw")
    sandbox.grant_impersonation(service)
    secrets = SecretStore(tmp / f"ews{mailboxes}.secrets.json", use_keyring=False)
    profile = admin.save_profile({"name": f"EWS {mailboxes}", "incoming_server": sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file,
                                  "username": service, "max_concurrent_connections": EWS_CAP})
    EmailServerProfile.update(secret_ref=secrets.put("svc-pw")).where(EmailServerProfile.id == profile.id).execute()
    addresses = [f"ews{mailboxes}-{n}@sandbox.test" for n in range(mailboxes)]
    ids = []
    for n, address in enumerate(addresses):
        sandbox.add_mailbox(address, "pw")
        ids.append(_owner_and_mailbox(profile, address, n))

    def deliver(address: str, subject: str) -> None:
        sandbox.add_message(address, subject=subject, sender=("Bo", "bo@fabrikam.com"), to=[("User", address)])

    return Setup("EWS", secrets, addresses, ids, deliver,
                 lambda engine: _connected(engine, ids, lambda c, m: hasattr(c, "push") and c.push.connected(m)), 0)


def _imap(tmp: Path, dovecot, mailboxes: int) -> Setup:
    from crmsync_gui.core import codes
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import EmailServerProfile
    from tests.connectors.corpus import email

    secrets = SecretStore(tmp / f"imap{mailboxes}.secrets.json", use_keyring=False)
    profile = EmailServerProfile.create(name=f"IMAP {mailboxes}", server_type=codes.ServerType.IMAP_SMTP,
                                        incoming_server=f"127.0.0.1:{dovecot.imaps_port}",
                                        outgoing_server="127.0.0.1:25", trusted_ca_file=str(dovecot.certs.ca_file),
                                        max_concurrent_connections=2 * mailboxes + 10)
    users = dict(dovecot.add_user() for _ in range(mailboxes))
    ids = [_owner_and_mailbox(profile, login, n, secrets.put(password)) for n, (login, password) in
           enumerate(users.items())]

    def deliver(address: str, subject: str) -> None:
        # over plain IMAP on loopback with a long timeout: at 1,000 IDLE connections a TLS sign-in per
        # delivery timed out under the machine's load (tests/servers/dovecot.append's 10 s)
        client = imaplib.IMAP4("127.0.0.1", dovecot.imap_port, timeout=60)
        try:
            client.login(address, users[address])
            typ, data = client.append("INBOX", None, None, email(subject, to=address))
            assert typ == "OK", data
        finally:
            client.logout()

    return Setup("IMAP", secrets, list(users), ids, deliver,
                 lambda engine: _connected(engine, ids, lambda c, m: hasattr(c.arrival, "watching")
                                           and m in c.arrival.watching), 0)


def _graph(tmp: Path, sandbox, graph, mailboxes: int, spread_s: float) -> Setup:
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
    from tests.connectors.graph_world import SECRET, graph_profile_fields

    secrets = SecretStore(tmp / f"graph{mailboxes}.secrets.json", use_keyring=False)
    profile = admin.save_profile({"name": f"Graph {mailboxes}", "max_concurrent_connections": GRAPH_CAP}
                                 | graph_profile_fields(graph))
    EmailServerProfile.update(secret_ref=secrets.put(SECRET)).where(EmailServerProfile.id == profile.id).execute()
    addresses = [f"graph{mailboxes}-{n}@sandbox.test" for n in range(mailboxes)]
    ids = []
    for n, address in enumerate(addresses):
        sandbox.add_mailbox(address, "unused-over-graph")
        ids.append(_owner_and_mailbox(profile, address, n))

    def deliver(address: str, subject: str) -> None:
        sandbox.add_message(address, subject=subject, sender=("Bo", "bo@fabrikam.com"), to=[("User", address)])

    def polled(engine) -> bool:  # every mailbox's first run is over and its delta poll is set
        return Mailbox.select().where(Mailbox.id.in_(ids), Mailbox.arrival == codes.Arrival.DELTA_POLL).count() == len(ids)

    return Setup("Graph", secrets, addresses, ids, deliver, polled, spread_s)


class _PollingOnly:
    """The baseline's arrival: none, as POP3's; the connector's own bookkeeping of folders read is kept."""

    def __init__(self):
        from crmsync_gui.core.sync.arrival import NoPush

        self._none = NoPush()
        self.folders_read: dict = {}

    async def follow(self, job):
        return await self._none.follow(job)

    async def close(self) -> None:
        pass


def _polling_only(profile):
    from crmsync_gui.core.sync.connector import connector_for

    engine_side = connector_for(profile)
    engine_side.connector.arrival = _PollingOnly()
    return engine_side


async def _arrivals(setup: Setup, engine, rng: random.Random, count: int, spread_s: float, now, tag: str,
                    wait_s: float) -> list[float]:
    """Deliver `count` emails to random mailboxes (spread over spread_s real seconds, or one every 0.2 s) and
    time each from delivery to its CRM email row on `now`."""
    from crmsync_gui.core.store.models import Activity

    sent: dict[str, float] = {}
    latencies: dict[str, float] = {}

    async def watch() -> None:  # each is timed when it shows up, while the others still arrive
        while True:
            for (subject,) in Activity.select(Activity.subject).where(Activity.subject.in_(list(sent))).tuples():
                latencies.setdefault(subject, now() - sent[subject])
            await asyncio.sleep(0.05)

    gaps = ([rng.uniform(0, 2 * spread_s / count) for _ in range(count)] if spread_s else [0.2] * count)
    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        for n, gap in enumerate(gaps):
            subject = f"{setup.name} {tag} {n}"
            await asyncio.to_thread(setup.deliver, rng.choice(setup.addresses), subject)
            sent[subject] = now()
            await asyncio.sleep(gap)
        deadline = time.monotonic() + wait_s
        while len(latencies) < len(sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        watcher.cancel()
    if len(latencies) < len(sent):
        raise RuntimeError(f"{setup.name} {tag}: {len(sent) - len(latencies)} of {len(sent)} emails not in the CRM "
                           f"after {wait_s:.0f} s")
    return list(latencies.values())


async def _push_rounds(setup: Setup, rounds: int, emails: int, wait_s: float) -> tuple[list, list]:
    from crmsync_gui.core.sync.engine import Engine

    engine = Engine(secrets=setup.secrets)
    rng = random.Random(7)
    await engine.start()
    try:
        started = time.monotonic()
        while not setup.watched(engine):
            if time.monotonic() - started > wait_s:
                raise RuntimeError(f"{setup.name}: not every mailbox watched after {wait_s:.0f} s")
            await asyncio.sleep(0.2)
        progress(f"{setup.name}: {len(setup.ids)} mailboxes synced and watched in {time.monotonic() - started:.0f} s")
        await asyncio.sleep(1.0)  # every first sync is over
        results, loads = [], []
        for r in range(rounds):
            got = await _arrivals(setup, engine, rng, emails, setup.spread_s, time.monotonic, f"push {r}", 120)
            results.append(got)
            loads.append(load_average())
            progress(f"{setup.name} push round {r + 1}: p50 {statistics.median(got):.3f} s, "
                     f"p99 {_percentile(got, 0.99):.3f} s, load {loads[-1]}")
        return results, loads
    finally:
        await engine.stop()


async def _baseline(setup: Setup, emails: int) -> list[float]:
    from crmsync_gui.core.sync.clock import ScaledClock
    from crmsync_gui.core.sync.engine import Engine, EngineConfig

    clock = ScaledClock(SPEED)
    start = clock.now()
    engine = Engine(secrets=setup.secrets, clock=clock, config=EngineConfig(tick_s=1.0 / SPEED),
                    connector_factory=_polling_only)
    await engine.start()
    try:
        def simulated() -> float:
            return (clock.now() - start).total_seconds()

        # arrivals over 5 simulated minutes; each waits for its mailbox's next poll, 12 minutes at most
        return await _arrivals(setup, engine, random.Random(11), emails, 300 / SPEED, simulated, "poll",
                               (13 * 60) / SPEED + 60)
    finally:
        await engine.stop()


def _records(setup: Setup, rounds: list[list[float]], loads: list[float], polled: list[float] | None,
             peak: int | None, extra: str = "") -> list[dict]:
    n = len(setup.ids)
    target50, target99 = TARGETS[setup.name]
    p50, spread50 = median_spread([statistics.median(r) for r in rounds])
    p99, spread99 = median_spread([_percentile(r, 0.99) for r in rounds])
    how = {"EWS": "streaming notifications", "IMAP": "IDLE", "Graph": "delta polling every 45 s"}[setup.name]
    note = (f"{how}; {len(rounds)} rounds of {len(rounds[0])} arrivals, {{}}; load {min(loads)}–{max(loads)} "
            f"on 2 cores shared with 6 other helpers' work{extra}")
    base = {"baseline_label": f"polling (push off, one round of {len(polled)} arrivals)"} if polled else {}
    out = [record(f"{setup.name} arrival-to-CRM p50 ({n} mailboxes)", p50, "s",
                  target=at_most(target50) if target50 else None,
                  baseline=statistics.median(polled) if polled else None, note=note.format(spread50), **base),
           record(f"{setup.name} arrival-to-CRM p99 ({n} mailboxes)", p99, "s",
                  target=at_most(target99) if target99 else None,
                  baseline=_percentile(polled, 0.99) if polled else None, note=note.format(spread99), **base)]
    if peak is not None:
        out.append(record(f"EWS push: most connections at the sandbox at once ({n} mailboxes, cap {EWS_CAP})", peak,
                          "connections", target=at_most(EWS_CAP),
                          note="over the push rounds and the baseline, streams included"))
    return out


@contextlib.contextmanager
def _inotify_instances(at_least: int):
    """As root, fs.inotify.max_user_instances at least `at_least` while the block runs, put back after."""
    try:
        before = int(INOTIFY_LIMIT.read_text())
    except (OSError, ValueError):
        before = None
    raised = False
    if before is not None and before < at_least:
        try:
            INOTIFY_LIMIT.write_text(str(at_least))
            raised = True
            progress(f"fs.inotify.max_user_instances raised from {before} to {at_least} for the run")
        except OSError as exc:
            progress(f"fs.inotify.max_user_instances stays {before} ({exc.strerror}): IDLE sessions past it "
                     "are checked every mailbox_idle_check_interval")
    try:
        yield
    finally:
        if raised:
            INOTIFY_LIMIT.write_text(str(before))


def _inotify_fallbacks(dovecot) -> int:
    """IDLE sessions Dovecot could give no inotify instance, from its log (one warning each)."""
    return dovecot.log().count("Inotify instance limit")


def run(quick: bool) -> list[dict]:
    """Push vs polling latency from arrival to the CRM on EWS, IMAP and Graph; the EWS sandbox's connection peak."""
    from crmsync_gui.core.connectors import exchange, graph, imap  # noqa: F401 - registers the connectors
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync import arrival
    from crmsync_gui.sandbox import SandboxServer
    from tests.connectors.graph_world import graph_sandbox
    from tests.servers.dovecot import start_dovecot

    sizes, rounds, emails, polled_emails = ((3,), 1, 3, 0) if quick else ((100, 1000), ROUNDS, 100, 40)
    if quick:
        arrival.DELTA_POLL_S = 1.0  # quick mode only proves the benchmark runs: no 45 s poll cycle to wait out
    records = []
    with _inotify_instances(INOTIFY_PER_SESSION * max(sizes)):  # quick mode fits in the default 128
        for size in sizes:
            for protocol in ("EWS", "IMAP", "Graph"):
                with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as own:
                    # a database per phase: its engine syncs this protocol's mailboxes only
                    open_database(Path(tmp) / "push.db")
                    own.callback(close_database)
                    sandbox = dovecot = None
                    if protocol == "IMAP":
                        dovecot = start_dovecot()
                        own.callback(dovecot.stop)
                    else:
                        sandbox = own.enter_context(SandboxServer())  # its own peak
                        if quick:
                            sandbox.streaming_limit = 2  # new subscriptions join the stream in 2 s, not a minute
                    if protocol == "EWS":
                        setup = _ews(Path(tmp), sandbox, size)
                    elif protocol == "IMAP":
                        setup = _imap(Path(tmp), dovecot, size)
                    else:
                        graph_server = graph_sandbox(sandbox)
                        own.callback(graph_server.stop)
                        setup = _graph(Path(tmp), sandbox, graph_server, size, 0 if quick else 60)
                    progress(f"{protocol}: {size} mailboxes, {rounds} rounds of {emails} arrivals, "
                             f"load {load_average()}")
                    pushed, loads = asyncio.run(_push_rounds(setup, rounds, emails, 60 + size * 0.6))
                    polled = None
                    if polled_emails:
                        progress(f"{protocol} baseline: {polled_emails} arrivals, push off, clock ×{SPEED:g}")
                        polled = asyncio.run(_baseline(setup, polled_emails))
                        progress(f"{protocol} baseline: p50 {statistics.median(polled):.0f} s, "
                                 f"p99 {_percentile(polled, 0.99):.0f} s, load {load_average()}")
                    peak = sandbox.peak_connections() if protocol == "EWS" else None
                    extra = ""
                    if dovecot is not None:
                        fallbacks = _inotify_fallbacks(dovecot)
                        extra = (f"; {fallbacks} IDLE sessions without inotify (checked every second)"
                                 if fallbacks else "; every IDLE session on inotify")
                        progress(f"IMAP: {fallbacks} IDLE sessions fell back to the 1 s check")
                    records += _records(setup, pushed, loads, polled, peak, extra)
    return records
