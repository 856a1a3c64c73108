"""The sync engine: schedule, isolated queues, limits, error handling (docs/architecture.md, "Sync engine").

Runs on whatever asyncio loop is running (qasync in the console, asyncio.run headless) and never
blocks it: database work is short SQLite statements, protocol work is in the connectors.

    engine = Engine(secrets=secret_store_for(db_path), bus=bus)
    await engine.start()            # scheduler + workers on the running loop
    await engine.sync_now(mailbox_id)
    await engine.stop()
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import peewee

from crmsync_gui.core import codes, events, messages
from crmsync_gui.core.domain.direction import (
    COLUMNS,
    any_enabled_sql,
    server_side_sync_sql,
    uses_server_side_sync,
)
from crmsync_gui.core.domain.mailbox import may_sync, sync_blockers
from crmsync_gui.core.errors import CrmSyncError, PermanentError, StoreError, SyncError, TransientError
from crmsync_gui.core.store.base import on_postgres
from crmsync_gui.core.store.db import drop_broken_connection, store_fault
from crmsync_gui.core.store.models import Activity, EmailServerProfile, Mailbox, OrganizationSettings
from crmsync_gui.core.sync import alerts, outcomes, trace
from crmsync_gui.core.sync import breaker as breakers
from crmsync_gui.core.sync.breaker import ProfileBreaker
from crmsync_gui.core.sync.clock import SystemClock
from crmsync_gui.core.sync.connector import connector_for
from crmsync_gui.core.sync.job import EngineJob, ServerBackingOff, secret_ref_of
from crmsync_gui.core.sync.leases import Leases
from crmsync_gui.core.sync.limits import ServerThrottle, SharedSlots, Slots
from crmsync_gui.core.sync.statements import JobStatements
from crmsync_gui.core.sync.work import WorkKind
from crmsync_gui.core.sync.workers import WorkerRecord, heartbeat_s

log = logging.getLogger(__name__)

D = codes.Direction
METHODS = {D.INCOMING: "sync_incoming", D.OUTGOING: "send_outgoing", D.ACT: "sync_act"}
ASYNC = "async"  # the queue of Test & Enable, Track now and other one-off operations


@dataclass
class QueueConfig:
    workers: int
    deadline_s: float  # a job running longer is stopped and counts as a transient failure


@dataclass
class EngineConfig:
    incoming: QueueConfig = field(default_factory=lambda: QueueConfig(20, 600))
    outgoing: QueueConfig = field(default_factory=lambda: QueueConfig(10, 300))
    act: QueueConfig = field(default_factory=lambda: QueueConfig(10, 900))
    async_ops: QueueConfig = field(default_factory=lambda: QueueConfig(4, 300))
    max_concurrent_jobs: int = 40  # global cap over all queues ...
    reserved_per_queue: int = 1  # ... except that each queue may always run this many
    tick_s: float = 1.0  # how often the scheduler looks for due work (real seconds)
    queue_ahead: int = 4  # the scheduler keeps up to this many jobs per worker waiting; the rest wait in the
    # database in due order, so a pass costs the same with 10 or 10,000 mailboxes due
    pending_scan_s: float = 5.0  # how often Pending Send email is looked for besides wake-ups
    lease_s: float = 60.0  # a mailbox's lease lasts this long; the heartbeat renews it while its job runs, so a
    # stopped worker's mailboxes are taken over this long after its last heartbeat
    breaker_window_s: float = 600.0
    probe_first_s: float = 30.0
    probe_max_s: float = 300.0
    stop_grace_s: float = 10.0  # running jobs get this long to finish on stop; then they are stopped and handed back
    stop_unwind_s: float = 2.0  # ... and get this long to unwind; one still waiting for its server is left behind
    housekeeping_s: float = 3600.0  # trace retention pruning


@dataclass(frozen=True)
class JobResult:
    mailbox_id: int
    direction: codes.Direction
    items: int = 0
    code: str | None = None  # None: success
    message: str = ""
    transient: bool = False
    disabled: bool = False

    @property
    def ok(self) -> bool:
        return self.code is None


@dataclass
class CycleSummary:
    jobs: int = 0
    succeeded: int = 0
    failed: int = 0
    disabled: int = 0
    items: int = 0

    def line(self) -> str:
        return (f"{self.jobs} jobs: {self.succeeded} succeeded, {self.failed} failed "
                f"({self.disabled} directions disabled), {self.items} items.")


@dataclass(eq=False)
class _Work:
    kind: WorkKind
    mailbox_id: int
    direction: codes.Direction
    due_at: datetime | None = None
    server_id: str | None = None
    future: asyncio.Future | None = None
    scheduled: bool = False  # queued by the scheduler because it was due (not Sync now, not Pending Send)
    scope: asyncio.Timeout | None = None  # the running job's deadline, which also stops it when its lease is lost
    lease_lost: str | None = None  # why its lease was lost: the job is stopped and writes nothing more


class _Queue:
    """One isolated queue: its own waiting line, workers and deadline."""

    def __init__(self, name: str, config: QueueConfig):
        self.name = name
        self.config = config
        self.items: asyncio.PriorityQueue = asyncio.PriorityQueue()
        self.running = 0
        self.workers: list[asyncio.Task] = []

    def depth(self) -> tuple[str, int, int]:
        return self.name, self.items.qsize(), self.running


class Engine:
    def __init__(self, *, secrets=None, bus: events.EventBus | None = None, clock=None,
                 config: EngineConfig | None = None, connector_factory=connector_for, worker_id: str | None = None):
        self.secrets = secrets
        self.bus = bus or events.EventBus()
        self.clock = clock or SystemClock()
        self.config = config or EngineConfig()
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._connector_factory = connector_factory
        self._connectors: dict[int, tuple[tuple, object]] = {}
        self._profiles: dict[int, EmailServerProfile] = {}  # refreshed every scheduler pass
        self._sql: JobStatements | None = None
        self._leases: Leases | None = None
        self.record: WorkerRecord | None = None  # this engine's worker row, while it runs
        self._throttles: dict[int, ServerThrottle] = {}
        self._breakers: dict[int, ProfileBreaker] = {}
        self._queues: dict[str, _Queue] = {}
        self._global = Slots(self.config.max_concurrent_jobs)
        self._inflight: dict[tuple[int, int], _Work] = {}
        self._leased: dict[tuple[int, codes.Direction], _Work] = {}  # running jobs by the lease they hold
        self._seq = itertools.count()
        self._wake = asyncio.Event()
        self._scan_pending = True
        self._tasks: list[asyncio.Task] = []
        self._unsubscribe = None
        self._password_cache: dict[str, tuple[float, str | None]] = {}
        self._last_depths: tuple = ()
        self._last_depths_at = 0.0
        self._depths_timer: asyncio.TimerHandle | None = None  # the trailing publish of a throttled change
        self._last_housekeeping: datetime | None = None
        self._last_pending_scan = 0.0
        self._more_due: set[codes.Direction] = set()  # the last pass left due work in the database
        self.summary = CycleSummary()  # running totals since start
        self.connector_problems: dict[str, str] = {}
        self.fault: StoreError | None = None  # the database failed under a job: the engine runs nothing more
        self.halted = asyncio.Event()  # set with `fault`, for whoever runs the engine to stop it and say why
        self.state = "stopped"

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self, *, scheduler: bool = True) -> None:
        """Start the workers (and, unless told not to, the scheduler) on the running loop."""
        if self.state != "stopped":
            return
        self._set_state("starting")
        if self._connector_factory is connector_for:
            from crmsync_gui.core.connectors import load_connectors

            self.connector_problems = load_connectors()  # {module: why it could not load}
        self._sql = JobStatements()
        self._leases = Leases(self.worker_id, self._sql)
        self._recover()
        configs = {"incoming": self.config.incoming, "outgoing": self.config.outgoing,
                   "act": self.config.act, ASYNC: self.config.async_ops}
        for name, config in configs.items():
            queue = self._queues[name] = _Queue(name, config)
            queue.workers = [asyncio.create_task(self._worker(queue), name=f"crmsync-{name}-{i}")
                             for i in range(config.workers)]
        self._unsubscribe = self.bus.subscribe(self._on_event)
        # a worker whether it schedules or runs one cycle (engine run --once): it takes leases either way
        self.record = WorkerRecord(self.worker_id, self.config.lease_s)
        self.record.register(self.clock.now())
        if scheduler:
            self._tasks.append(asyncio.create_task(self._scheduler(), name="crmsync-scheduler"))
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="crmsync-heartbeat"))
        self._set_state("running")

    async def stop(self) -> int:
        """Stop dispatching, let running jobs finish (up to stop_grace_s), then stop the rest and hand them back:
        each releases its lease, and one still waiting for its mail server after stop_unwind_s (a request in a
        connector's thread cannot be interrupted) has its lease released here and is left behind, writing
        nothing more. Returns how many running jobs were handed back."""
        if self.state in ("stopped", "stopping"):
            return 0
        self._set_state("stopping")
        if self._depths_timer is not None:
            self._depths_timer.cancel()
            self._depths_timer = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        workers = [w for q in self._queues.values() for w in q.workers]
        deadline = time.monotonic() + self.config.stop_grace_s
        while any(q.running for q in self._queues.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        handed_back = sum(q.running for q in self._queues.values())
        for worker in workers:
            worker.cancel()
        if workers:
            await asyncio.wait(workers, timeout=self.config.stop_unwind_s)
        for key, work in list(self._leased.items()):  # left behind: its lease goes back now
            del self._leased[key]
            work.lease_lost = "the engine stopped"
            with contextlib.suppress(peewee.OperationalError, peewee.InterfaceError):
                self._leases.release(*key)
        for work in list(self._inflight.values()):
            if work.future is not None and not work.future.done():
                work.future.cancel()
        self._inflight.clear()
        self._queues.clear()
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        for _signature, connector in self._connectors.values():
            try:
                await connector.close()
            except Exception:  # closing is best effort; the process may be going away
                log.exception("Closing a connector failed")
        self._connectors.clear()
        if self.record is not None:
            try:
                self.record.remove()
            except (peewee.OperationalError, peewee.InterfaceError) as exc:
                # The database is failing, which the stop's own reason already says: no second warning; the
                # row is shown as lost once its lease is over
                log.info("The worker's row could not be removed: %s", exc)
            self.record = None
        self._set_state("stopped")
        return handed_back

    async def run_once(self) -> CycleSummary:
        """One cycle: run every due mailbox direction (and Pending Send email, and due probes) and wait
        for them. Starts the workers when the engine is not running; the caller stops it."""
        if self.state == "stopped":
            await self.start(scheduler=False)
        before = CycleSummary(**vars(self.summary))
        self._scan_pending = True
        self._pass(everything=True)
        await self.drain()
        if self.fault is not None:
            raise self.fault
        return CycleSummary(**{k: getattr(self.summary, k) - getattr(before, k) for k in vars(before)})

    async def drain(self) -> None:
        """Wait until nothing is queued or running."""
        while self._inflight or any(q.running or q.items.qsize() for q in self._queues.values()):
            await asyncio.sleep(0.01)

    # ---- services --------------------------------------------------------------------------

    async def sync_now(self, mailbox_id: int, direction: codes.Direction | None = None) -> list[JobResult]:
        """Admin action: sync a mailbox (one direction or every direction that may sync) now, ahead of
        the schedule; the schedule continues from the result."""
        mailbox = self._mailbox(mailbox_id)
        directions = [direction] if direction is not None else [d for d in D if may_sync(mailbox, d)]
        if not directions or (direction is not None and not may_sync(mailbox, direction)):
            reasons = "; ".join(sync_blockers(mailbox, direction or D.INCOMING)) or "no direction uses server-side sync"
            raise CrmSyncError(f"Mailbox '{mailbox.name}' cannot sync now: {reasons}.")
        args = {"mailbox": mailbox.name}
        trace.record("SyncNowRequested", messages.render("SyncNowRequested", args), at=self.clock.now(),
                     mailbox_id=mailbox_id, args=args)
        futures = [self._submit(_Work(WorkKind.SYNC, mailbox_id, d, None), priority=0) for d in directions]
        return list(await asyncio.gather(*futures))

    async def track_now(self, mailbox_id: int, server_id: str | None = None) -> int:
        """Track one item at once (by its server id) where the connector can; otherwise sync the mailbox's
        incoming email now. Returns how many items were tracked."""
        mailbox = self._mailbox(mailbox_id)
        if server_id is not None and mailbox.profile_id is not None:
            connector = self._connector(self._profile(mailbox.profile_id))
            if hasattr(connector, "track_item"):
                result = await self._submit(_Work(WorkKind.TRACK, mailbox_id, D.INCOMING, server_id=server_id), priority=0)
                if not result.ok:
                    raise SyncError(result.code, result.message)
                return result.items
        results = await self.sync_now(mailbox_id, D.INCOMING)
        if not results[0].ok:
            raise SyncError(results[0].code, results[0].message)
        return results[0].items

    async def test_and_enable(self, mailbox_id: int) -> dict[codes.Direction, JobResult]:
        """Test each direction that uses server-side sync; record Success/Failure with the reason and
        enable what passed (on the async queue, so a sync flood never delays it)."""
        mailbox = self._mailbox(mailbox_id)
        directions = [d for d in D if uses_server_side_sync(mailbox, d)]
        if not directions:
            raise CrmSyncError(f"Mailbox '{mailbox.name}' uses server-side sync for no direction; "
                               "set one of its methods to Server-side sync first.")
        results = await asyncio.gather(*(self._submit(_Work(WorkKind.TEST, mailbox_id, d), priority=0)
                                         for d in directions))
        return dict(zip(directions, results, strict=True))

    def wake_outgoing(self) -> None:
        """Look for Pending Send email now (called when an email enters Pending Send)."""
        self._scan_pending = True
        self._wake.set()

    def depths(self) -> dict[str, tuple[int, int]]:
        """{queue: (waiting, running)}."""
        return {q.name: (q.items.qsize(), q.running) for q in self._queues.values()}

    def paused_profiles(self) -> list[int]:
        return [pid for pid, breaker in self._breakers.items() if breaker.is_open]

    def connection_peak(self, profile_id: int) -> int:
        """The most connections to the profile's server held at once since start."""
        throttle = self._throttles.get(profile_id)
        return throttle.slots.peak if throttle else 0

    # ---- scheduler ---------------------------------------------------------------------------

    async def _scheduler(self) -> None:
        # stops on the state too: Python 3.11's wait_for drops a cancel that lands as the wake-up completes
        while self.state != "stopping":
            try:
                self._pass()
            except (peewee.OperationalError, peewee.InterfaceError) as exc:  # locked, or the server went away
                fault = store_fault(exc)
                if fault is not None:
                    self._halt(fault)
                    return
                log.warning("Scheduler pass skipped: %s", exc)
                if drop_broken_connection():
                    log.warning("The database connection was lost; the next pass connects again.")
            except Exception:  # a bug must not stop all syncing; it is logged and the next tick tries again
                log.exception("Scheduler pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.tick_s)
            self._wake.clear()

    async def _heartbeat(self) -> None:
        """Every few seconds: renew the leases of the running jobs and keep this worker's row current
        (core/sync/workers.py); stop the jobs whose lease another engine took or that could not be renewed
        in time, before it expires."""
        every_s = heartbeat_s(self.config.lease_s)
        while True:
            now = self.clock.now()
            try:
                for key in self._leases.renew(now, self.config.lease_s):
                    self._lose_lease(key, "another engine took its lease over")
                if self.record is not None:
                    self.record.beat(now, sum(q.running for q in self._queues.values()))
            except (peewee.OperationalError, peewee.InterfaceError) as exc:  # the scheduler reports a lasting fault
                log.warning("Heartbeat skipped: %s", exc)
            for key in self._leases.expiring(2 * every_s):
                self._lose_lease(key, f"this engine could not renew its lease for {self.config.lease_s:g} s (the "
                                      "database did not answer)")
            await asyncio.sleep(every_s)

    def _lose_lease(self, key: tuple[int, codes.Direction], why: str) -> None:
        """Stop the running job of a lease this engine no longer surely holds; it writes nothing more."""
        work = self._leased.get(key)
        if work is None or work.lease_lost:
            return
        work.lease_lost = why
        log.warning("The %s sync of mailbox %s is stopped: %s; it writes nothing more (a request under way at the "
                    "server ends first).", work.direction.label.lower(), work.mailbox_id, why,
                    extra={"trace_code": "LeaseLost"})
        if work.scope is not None:
            work.scope.reschedule(asyncio.get_running_loop().time())

    def _pass(self, everything: bool = False) -> None:
        """Queue what is due now (all of it when `everything`, else what keeps the workers busy until the
        next pass): scheduled directions, Pending Send email, probes; housekeeping."""
        now = self.clock.now()
        self._profiles = {p.id: p for p in EmailServerProfile.select()}
        self._follow_pauses(now)
        paused = {pid for pid, b in self._breakers.items() if b.is_open}
        held = paused | {pid for pid, t in self._throttles.items() if t.is_busy(now)}
        for direction in D:
            queue = self._queues[COLUMNS[direction].name]
            limit = None
            if not everything:
                room = queue.config.workers * self.config.queue_ahead - queue.items.qsize()
                if room <= 0:
                    continue
                limit = room + sum(1 for _m, d in self._inflight if d == direction)
            rows = self._due(direction, now, held, limit)
            for mailbox_id, _profile_id, due_at in rows:
                if (mailbox_id, direction) not in self._inflight:
                    self._submit(_Work(WorkKind.SYNC, mailbox_id, direction, due_at or now, scheduled=True))
            if limit is not None and len(rows) >= limit:
                self._more_due.add(direction)
            else:
                self._more_due.discard(direction)
        if self._scan_pending or time.monotonic() - self._last_pending_scan >= self.config.pending_scan_s:
            self._queue_pending_send(now, paused)
        for profile_id, breaker in self._breakers.items():
            if breaker.probe_due(now):
                self._queue_probe(profile_id, breaker)
        if self._last_housekeeping is None or (now - self._last_housekeeping).total_seconds() >= self.config.housekeeping_s:
            self._last_housekeeping = now
            pruned = trace.prune(now)
            if pruned:
                log.info("Pruned %d old trace rows", pruned)
        self._publish_depths()

    def _due(self, direction: codes.Direction, now: datetime, held: set[int], limit: int | None):
        """(mailbox id, profile id, due time) of the due directions, earliest first, leaving out held profiles."""
        cols = COLUMNS[direction]
        next_run = getattr(Mailbox, cols.next_run)
        query = (Mailbox.select(Mailbox.id, Mailbox.profile, next_run)
                 .where((Mailbox.approval == codes.Approval.APPROVED) & Mailbox.profile.is_null(False)
                        & server_side_sync_sql(Mailbox, direction) & getattr(Mailbox, cols.enabled)
                        & (next_run.is_null() | (next_run <= now))
                        & (Mailbox.lock_host.is_null() | (Mailbox.lock_host == self.worker_id)
                           | (Mailbox.lock_expires < now)))
                 .order_by(next_run.asc(nulls="first")))
        if held:
            query = query.where(Mailbox.profile.not_in(list(held)))
        if limit is not None:
            query = query.limit(limit)
        return list(query.tuples())

    def _queue_pending_send(self, now: datetime, paused: set[int]) -> None:
        self._scan_pending = False
        self._last_pending_scan = time.monotonic()
        pending = Activity.email_status == codes.EmailStatus.PENDING_SEND
        by_mailbox = Activity.select(Activity.mailbox).where(pending & Activity.mailbox.is_null(False))
        by_user = (Mailbox.select(Mailbox.id).join(Activity, on=(Activity.owner_user == Mailbox.owner_user))
                   .where(pending & Activity.mailbox.is_null()))
        by_queue = (Mailbox.select(Mailbox.id).join(Activity, on=(Activity.owner_queue == Mailbox.owner_queue))
                    .where(pending & Activity.mailbox.is_null()))
        ids = {i for query in (by_mailbox, by_user, by_queue) for (i,) in query.tuples()}
        if not ids:
            return
        rows = (Mailbox.select(Mailbox.id, Mailbox.profile, Mailbox.outgoing_transient_failures, Mailbox.outgoing_next_run)
                .where(Mailbox.id.in_(list(ids)) & Mailbox.outgoing_enabled
                       & server_side_sync_sql(Mailbox, D.OUTGOING)
                       & (Mailbox.approval == codes.Approval.APPROVED) & Mailbox.profile.is_null(False))
                .tuples())
        for mailbox_id, profile_id, failures, next_run in rows:
            if profile_id in paused or (mailbox_id, D.OUTGOING) in self._inflight:
                continue
            if failures and next_run is not None and next_run > now:
                continue  # backing off after a transient failure
            if not self._throttle_busy(profile_id, now):
                self._submit(_Work(WorkKind.SYNC, mailbox_id, D.OUTGOING, now))

    def _queue_probe(self, profile_id: int, breaker: ProfileBreaker) -> None:
        candidates = list(breaker.failing) or [
            m for (m,) in Mailbox.select(Mailbox.id).where((Mailbox.profile == profile_id)
                                                           & Mailbox.incoming_enabled).limit(1).tuples()]
        for mailbox_id in candidates:
            mailbox = Mailbox.get_or_none(Mailbox.id == mailbox_id)
            direction = next((d for d in D if mailbox is not None and may_sync(mailbox, d)), None)
            if direction is not None and (mailbox_id, direction) not in self._inflight:
                breaker.probing = True
                self._submit(_Work(WorkKind.PROBE, mailbox_id, direction, self.clock.now()), priority=0)
                return
        # nothing left to probe with (all disabled or removed): nothing to protect, close
        self._close_breaker(profile_id, breaker, self.clock.now())

    def _submit(self, work: _Work, priority: int = 1) -> asyncio.Future:
        """Queue a piece of work; its future resolves to a JobResult."""
        key = (work.mailbox_id, work.direction)
        if work.kind.one_at_a_time:
            existing = self._inflight.get(key)
            if existing is not None:
                return existing.future
            self._inflight[key] = work
        work.future = asyncio.get_running_loop().create_future()
        queue_name = ASYNC if work.kind.on_async_queue else COLUMNS[work.direction].name
        self._queues[queue_name].items.put_nowait((priority, next(self._seq), work))
        return work.future

    def _throttle_busy(self, profile_id: int, now: datetime) -> bool:
        throttle = self._throttles.get(profile_id)
        return throttle is not None and throttle.is_busy(now)

    def _publish_depths(self) -> None:
        """Queue depths when they changed, at most twice a second (the console redraws on each).

        A change inside the half second goes out at its end, so the last state is never left unsaid."""
        wait = 0.5 - (time.monotonic() - self._last_depths_at)
        if wait > 0:
            if self._depths_timer is None:
                self._depths_timer = asyncio.get_running_loop().call_later(wait, self._publish_trailing_depths)
            return
        depths = tuple(q.depth() for q in self._queues.values())
        if depths != self._last_depths:
            self._last_depths_at = time.monotonic()
            self._last_depths = depths
            self.bus.publish(events.QueueDepths(depths, at=self.clock.now()))

    def _publish_trailing_depths(self) -> None:
        self._depths_timer = None
        self._publish_depths()

    def _on_event(self, event) -> None:
        if isinstance(event, events.EmailQueued):
            self.wake_outgoing()
        elif isinstance(event, events.IncomingMailArrived):
            self.incoming_due_now(event.mailbox_id)

    def incoming_due_now(self, mailbox_id: int) -> None:
        """New email may be there (core/sync/arrival.py): make the mailbox's incoming sync due now. The scheduler
        still applies every rule (approval, enabled, lease, breaker, throttle)."""
        Mailbox.update(incoming_next_run=self.clock.now()).where(Mailbox.id == mailbox_id).execute()
        self._wake.set()

    # ---- workers -----------------------------------------------------------------------------

    async def _worker(self, queue: _Queue) -> None:
        while True:
            _priority, _seq, work = await queue.items.get()
            if self.fault is not None:  # queued before the database failed: not run
                self._forget(work)
                if work.future is not None and not work.future.done():
                    work.future.set_result(self._fault_result(work))
                continue
            use_global = queue.running >= self.config.reserved_per_queue
            try:
                if use_global:
                    await self._global.acquire()
                queue.running += 1
                try:
                    result = await self._run(work, queue)
                finally:
                    queue.running -= 1
                    if use_global:
                        self._global.release()
            except asyncio.CancelledError:
                self._forget(work)
                raise
            except Exception as exc:
                fault = store_fault(exc)
                if fault is not None:
                    self._halt(fault)
                    result = self._fault_result(work)
                else:  # a bug in the engine itself: report, keep the worker alive
                    log.exception("Engine bug while running %s", work)
                    result = JobResult(work.mailbox_id, work.direction, code="EngineBug", message=str(exc),
                                       transient=True)
            self._forget(work)
            if work.future is not None and not work.future.done():
                work.future.set_result(result)
            if work.direction in self._more_due and queue.items.qsize() < queue.config.workers:
                self._wake.set()  # running low while more is due: refill before the next tick
            self._publish_depths()

    def _halt(self, fault: StoreError) -> None:
        """The database failed under the engine (a full disk, a lock held past the busy timeout): run nothing
        more. A job's unfinished transaction is rolled back and its folder's cursor not moved, so the next
        start does that work again."""
        if self.fault is None:
            self.fault = StoreError(f"The sync engine stopped. {fault} Then start the engine again: nothing "
                                    "was lost, the interrupted work is done again.")
            log.info("%s", self.fault)  # the one who runs the engine says it (the CLI, the console)
            self.halted.set()

    def _fault_result(self, work: _Work) -> JobResult:
        return JobResult(work.mailbox_id, work.direction, code="DatabaseUnavailable", message=str(self.fault),
                         transient=True)

    def _forget(self, work: _Work) -> None:
        if self._inflight.get((work.mailbox_id, work.direction)) is work:
            del self._inflight[(work.mailbox_id, work.direction)]

    async def _run(self, work: _Work, queue: _Queue) -> JobResult:
        mailbox = self._sql.mailbox(work.mailbox_id)
        if mailbox is not None and mailbox.profile_id is not None:
            mailbox.profile = self._profile(mailbox.profile_id)  # one profile object for all its jobs
        if mailbox is None:
            return JobResult(work.mailbox_id, work.direction, code="MailboxNotFound", message="The mailbox was deleted.")
        if work.kind is WorkKind.TEST:
            return await self._run_test(mailbox, work.direction, queue)
        if not may_sync(mailbox, work.direction):
            return JobResult(mailbox.id, work.direction, code="NotEnabled",
                             message="; ".join(sync_blockers(mailbox, work.direction)))
        next_run = getattr(mailbox, COLUMNS[work.direction].next_run)
        if work.scheduled and next_run is not None and next_run > self.clock.now():
            # another engine on the database synced it after this one queued it: not due any more
            return JobResult(mailbox.id, work.direction, code="NotDue", message="Another engine synced it already.")
        breaker = self._breakers.get(mailbox.profile_id)
        if work.kind.counts_for_breaker and breaker is not None and breaker.is_open:
            return JobResult(mailbox.id, work.direction, code="ProfilePaused", message="The profile is paused.",
                             transient=True)
        now = self.clock.now()
        if not work.kind.takes_lease:
            return await self._run_sync(work, mailbox, queue)
        key = (mailbox.id, work.direction)
        if not self._leases.take(mailbox, work.direction, now, self.config.lease_s, work.scheduled):
            return JobResult(mailbox.id, work.direction, code="Leased", message="Another engine is syncing it.",
                             transient=True)
        self._leased[key] = work
        try:
            return await self._run_sync(work, mailbox, queue)
        finally:
            if self._leased.get(key) is work:  # not handed back by stop()
                del self._leased[key]
                if work.lease_lost is None:
                    self._leases.release(mailbox.id, work.direction)
                else:  # maybe another engine's now, or the database is away: the lease expires on its own
                    with contextlib.suppress(peewee.OperationalError, peewee.InterfaceError):
                        self._leases.release(mailbox.id, work.direction)

    async def _run_sync(self, work: _Work, mailbox: Mailbox, queue: _Queue) -> JobResult:
        profile = mailbox.profile
        direction = work.direction
        self.bus.publish(events.JobStarted(mailbox.id, int(direction), queue.name, work.due_at, at=self.clock.now()))
        started = time.monotonic()
        error: SyncError | None = None
        items = 0
        job = None
        try:
            connector = self._connector(profile)
            job = self._job(mailbox, profile, direction, work.due_at)
            async with asyncio.timeout(queue.config.deadline_s) as work.scope:
                if work.kind is WorkKind.TRACK:
                    items = await connector.track_item(job, work.server_id)
                else:
                    items = await getattr(connector, METHODS[direction])(job)
        except SyncError as exc:
            error = exc
        except TimeoutError:
            error = TransientError("JobDeadline", f"The {direction.label.lower()} sync of mailbox '{mailbox.name}' "
                                                  f"ran over its {queue.config.deadline_s:g} s deadline and was stopped.")
        except Exception as exc:  # a connector bug: the engine goes on with the rest
            if store_fault(exc) is not None:
                raise  # the database, not the connector: the worker stops the engine
            log.exception("Connector failed unexpectedly for mailbox %s", mailbox.id)
            error = TransientError("EngineBug", f"Unexpected {type(exc).__name__} while syncing: {exc}.")
        duration = time.monotonic() - started
        if work.lease_lost is not None:
            return self._lease_lost(work, mailbox, queue, duration)
        now = self.clock.now()
        if error is None:
            items = int(items or 0)
            if work.kind.reschedules:
                self._record_success(mailbox, direction, items, now)
            if self.record is not None:
                self.record.synced(mailbox.id)
            self._count(ok=True, items=items)
            self.bus.publish(events.JobFinished(mailbox.id, int(direction), queue.name, items, duration, at=now))
            result = JobResult(mailbox.id, direction, items=items)
        else:
            result = self._record_failure(work, mailbox, error, now)
            self._count(ok=False, disabled=result.disabled)
            self.bus.publish(events.JobFailed(mailbox.id, int(direction), queue.name, error.code, str(error),
                                              error.transient, duration, at=now))
        if job is not None and job.budget is not None:
            outcomes.record_budget(mailbox, job.budget)
        if work.kind is WorkKind.PROBE:
            self._probe_result(profile.id, error, now)
        self.bus.publish(events.MailboxChanged(mailbox.id, at=now))
        return result

    def _lease_lost(self, work: _Work, mailbox: Mailbox, queue: _Queue, duration: float) -> JobResult:
        """A job stopped because its lease was lost: said in the log and to the console, and nothing recorded on
        the mailbox, which another engine may be syncing now."""
        message = (f"The {work.direction.label.lower()} sync of mailbox '{mailbox.name}' was stopped: {work.lease_lost}; "
                   "another engine may sync it now, and this one wrote nothing more.")
        self._count(ok=False)
        self.bus.publish(events.JobFailed(mailbox.id, int(work.direction), queue.name, "LeaseLost", message, True,
                                          duration, at=self.clock.now()))
        return JobResult(mailbox.id, work.direction, code="LeaseLost", message=message, transient=True)

    async def _run_test(self, mailbox: Mailbox, direction: codes.Direction, queue: _Queue) -> JobResult:
        now = self.clock.now()
        try:
            if mailbox.profile_id is None:
                raise PermanentError("BadConfiguration", "The mailbox has no email server profile.",
                                     action="Choose a profile for the mailbox.")
            profile = self._profile(mailbox.profile_id)
            connector = self._connector(profile)
            job = self._job(mailbox, profile, direction, None)
            async with asyncio.timeout(queue.config.deadline_s):
                await connector.test(job, direction)
        except (SyncError, TimeoutError) as exc:
            error = exc if isinstance(exc, SyncError) else TransientError(
                "Timeout", f"The test did not finish within {queue.config.deadline_s:g} s.")
            outcomes.record_test_failure(mailbox, direction, error, now)
            self.bus.publish(events.MailboxChanged(mailbox.id, at=now))
            return JobResult(mailbox.id, direction, code=error.code, message=str(error), transient=error.transient)
        outcomes.record_test_success(mailbox, direction, now)
        self.bus.publish(events.MailboxChanged(mailbox.id, at=now))
        self._wake.set()
        return JobResult(mailbox.id, direction)

    # ---- outcomes ----------------------------------------------------------------------------

    def _record_success(self, mailbox: Mailbox, direction: codes.Direction, items: int, now: datetime) -> None:
        profile = mailbox.profile
        outcome = outcomes.success(mailbox, direction, items, now, profile.min_polling_interval_minutes)
        self._sql.record_success(mailbox.id, direction, now=now, next_run=outcome.next_run, idle=outcome.idle,
                                 highest_failures=outcome.highest_failures)
        if items:
            self._sql.count_synced(direction, now=now, items=items)
        breaker = self._breakers.get(profile.id)
        if breaker is not None:
            breaker.answered(mailbox.id)

    def _record_failure(self, work: _Work, mailbox: Mailbox, error: SyncError, now: datetime) -> JobResult:
        direction = work.direction
        profile = mailbox.profile
        if isinstance(error, ServerBackingOff):  # the server's pause, not the mailbox's failure
            outcomes.record_server_pause(mailbox, direction, error.retry_after_s, now)
            return JobResult(mailbox.id, direction, code=error.code, message=str(error), transient=True)
        breaker = self._breaker(profile.id)
        if isinstance(error, TransientError) and error.retry_after_s:
            self._throttle(profile).back_off(now, error.retry_after_s)
        outcome = outcomes.failure(mailbox, direction, work.kind, error, now, outage=breaker.is_open,
                                   max_transient_failures=self._max_transient_failures(),
                                   outage_retry_s=self.config.probe_first_s,
                                   min_polling_minutes=profile.min_polling_interval_minutes)
        row = outcomes.record_failure(mailbox, direction, outcome, now)
        self.bus.publish(events.TraceLogged(row.id, row.level, row.code, row.message, at=now))
        if outcome.disabled:
            self.bus.publish(events.MailboxDisabled(
                mailbox.id, int(direction), outcome.code, outcome.message,
                messages.dumps(outcome.args) if outcome.args else None, at=now))
        if not error.transient:
            breaker.answered(mailbox.id)
        elif work.kind.counts_for_breaker and self._failure_opens_breaker(breaker, profile.id, mailbox.id, now):
            self._pause_profile(profile, breaker, now, error)
        self._check_alert(profile.id, now)
        return JobResult(mailbox.id, direction, code=outcome.code, message=outcome.message,
                         transient=outcome.transient, disabled=outcome.disabled)

    def _failure_opens_breaker(self, breaker: ProfileBreaker, profile_id: int, mailbox_id: int, now: datetime) -> bool:
        """Count a transient failure, with those other engines recorded; True when it opens the breaker."""
        breakers.count_recorded_failures(breaker, profile_id, now)
        return breaker.failed(mailbox_id, now, self._active_mailboxes(profile_id))

    def _follow_pauses(self, now: datetime) -> None:
        """Another engine on the database paused or resumed a profile: do the same here."""
        for profile_id, profile in self._profiles.items():
            breaker = self._breakers.get(profile_id)
            if profile.paused_at is not None and (breaker is None or not breaker.is_open):
                self._breaker(profile_id).open(now)  # this engine probes on its own schedule as well
            elif profile.paused_at is None and breaker is not None and breaker.is_open and not breaker.probing:
                breaker.close()

    def _probe_result(self, profile_id: int, error: SyncError | None, now: datetime) -> None:
        breaker = self._breakers.get(profile_id)
        if breaker is None or not breaker.is_open:
            return
        if error is not None and error.transient:
            breaker.probe_failed(now)
        else:
            self._close_breaker(profile_id, breaker, now)

    def _pause_profile(self, profile, breaker: ProfileBreaker, now: datetime, error: SyncError) -> None:
        reason, args = breakers.record_pause(profile, breaker, now, error)
        self.bus.publish(events.ProfilePaused(profile.id, reason, messages.dumps(args), at=now))

    def _close_breaker(self, profile_id: int, breaker: ProfileBreaker, now: datetime) -> None:
        breakers.close_and_resume(profile_id, breaker, now)
        self.bus.publish(events.ProfileResumed(profile_id, at=now))
        self._wake.set()

    def _check_alert(self, profile_id: int, now: datetime) -> None:
        raised = alerts.raise_if_due(profile_id, now)
        if raised is None:
            return
        alert, emailed = raised
        if emailed:
            self.wake_outgoing()
        self.bus.publish(events.AlertRaised(alert.id, profile_id, alert.message, alert.code, alert.args, at=now))

    def _count(self, *, ok: bool, items: int = 0, disabled: bool = False) -> None:
        self.summary.jobs += 1
        self.summary.items += items
        if ok:
            self.summary.succeeded += 1
        else:
            self.summary.failed += 1
            self.summary.disabled += int(disabled)

    def _recover(self) -> None:
        """After a crash: free this host's leases whose process is gone; re-open paused profiles' breakers."""
        now = self.clock.now()
        self._leases.release_dead(now)
        for profile_id in breakers.paused_profile_ids():
            breaker = self._breaker(profile_id)
            breaker.open(now)
            breaker.next_probe_at = now

    # ---- helpers -----------------------------------------------------------------------------

    def _mailbox(self, mailbox_id: int) -> Mailbox:
        mailbox = Mailbox.get_or_none(Mailbox.id == mailbox_id)
        if mailbox is None:
            raise CrmSyncError(f"No mailbox with id {mailbox_id}; it may have been deleted.")
        if self.state != "running":
            raise CrmSyncError("The sync engine is not running; start it first.")
        return mailbox

    def _job(self, mailbox, profile, direction, due_at) -> EngineJob:
        return EngineJob(mailbox=mailbox, profile=profile, direction=direction, password=self._password(mailbox, profile),
                         throttle=self._throttle(profile), clock=self.clock, publish=self.bus.publish, due_at=due_at)

    def _password(self, mailbox, profile) -> str | None:
        """The profile's password when it signs in for every mailbox (impersonation), else the mailbox's own."""
        ref = secret_ref_of(mailbox, profile)
        if not ref or self.secrets is None:
            return None
        cached = self._password_cache.get(ref)
        if cached is not None and time.monotonic() - cached[0] < 60:
            return cached[1]
        password = self.secrets.get(ref)
        self._password_cache[ref] = (time.monotonic(), password)
        return password

    def _connector(self, profile):
        """One connector per profile, made again when the profile's settings change."""
        signature = tuple(v for k, v in profile.__data__.items() if k not in ("paused_at", "paused_reason"))
        cached = self._connectors.get(profile.id)
        if cached is not None and cached[0] == signature:
            return cached[1]
        if cached is not None:
            asyncio.get_running_loop().create_task(cached[1].close())
        connector = self._connector_factory(profile)
        self._connectors[profile.id] = (signature, connector)
        return connector

    def _profile(self, profile_id: int) -> EmailServerProfile:
        profile = self._profiles.get(profile_id)
        if profile is None:
            profile = self._profiles[profile_id] = EmailServerProfile.get_by_id(profile_id)
        return profile

    def _throttle(self, profile) -> ServerThrottle:
        throttle = self._throttles.get(profile.id)
        if throttle is None:
            cap = profile.max_concurrent_connections
            shared = SharedSlots(profile.id, cap) if on_postgres() else None
            throttle = self._throttles[profile.id] = ServerThrottle(cap, shared)
        elif throttle.slots.capacity != profile.max_concurrent_connections:
            throttle.resize(profile.max_concurrent_connections)
        return throttle

    def _breaker(self, profile_id: int) -> ProfileBreaker:
        breaker = self._breakers.get(profile_id)
        if breaker is None:
            breaker = self._breakers[profile_id] = ProfileBreaker(
                window_s=self.config.breaker_window_s, first_probe_s=self.config.probe_first_s,
                max_probe_s=self.config.probe_max_s)
        return breaker

    def _active_mailboxes(self, profile_id: int) -> int:
        return Mailbox.select().where((Mailbox.profile == profile_id) & (Mailbox.approval == codes.Approval.APPROVED)
                                      & any_enabled_sql(Mailbox)).count()

    def _max_transient_failures(self) -> int:
        settings = OrganizationSettings.get_or_none(OrganizationSettings.id == 1)
        return settings.max_transient_failures if settings else codes.MAX_TRANSIENT_FAILURES

    def _set_state(self, state: str) -> None:
        self.state = state
        self.bus.publish(events.EngineStateChanged(state, at=self.clock.now()))
