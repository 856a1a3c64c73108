"""Push for Exchange: EWS streaming notifications make a mailbox's incoming sync due the moment email lands.

After each incoming run a mailbox holds one streaming subscription on the folders it read (Inbox and
tracked folders: NewMail, Created, Moved). Subscriptions made by one sign-in (an impersonating service
account) share streaming connections, up to 200 on each, as Exchange groups them; a profile gets at
most half its connection cap as streaming connections (each holds one of its slots, like IMAP's IDLE
watchers), so syncs always keep the other half, and mailboxes beyond that are polled. A connection
lasts one minute (the shortest EWS allows) and is opened again at once, which is when newly
subscribed mailboxes join it. An event publishes IncomingMailArrived, once per mailbox until its next
run starts (a burst of arrivals is one sync). Polling stays the safety net: a lost or expired
subscription only costs the mailbox its push until its next incoming run subscribes again, every
break in a stream makes its mailboxes sync at once from their stored state, and a renewed subscription
is followed by one more run for what landed while it had lapsed.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from exchangelib import errors as ews
from exchangelib.folders import FolderCollection
from exchangelib.properties import CreatedEvent, MovedEvent, NewMailEvent
from exchangelib.services import GetStreamingEvents

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import SyncError
from crmsync_gui.core.sync.limits import WatchersFull

log = logging.getLogger(__name__)

SUBSCRIPTIONS_PER_CONNECTION = 200
CONNECTION_MINUTES = 1  # EWS's shortest streaming connection: new subscriptions join at the next one
_EVENTS = [NewMailEvent.ELEMENT_NAME, CreatedEvent.ELEMENT_NAME, MovedEvent.ELEMENT_NAME]
_NEWS = (NewMailEvent, CreatedEvent, MovedEvent)
_GONE = (ews.ErrorSubscriptionNotFound, ews.ErrorExpiredSubscription, ews.ErrorInvalidSubscription)
RETRY_S = (2, 5, 15, 60)  # waits after a stream broke, then every minute
CLOSE_WAIT_S = 5.0  # how long stopping waits for the streams' threads to end (hung up, they end at once)


@dataclass
class _Watch:
    job: object  # the job of the mailbox's last incoming run: its account, its connection slot
    subscription_id: str
    notified: bool = False  # an event was published and the mailbox's next run has not started yet
    during_run: bool = False  # an event came while a run was under way: due again once it ends


@dataclass
class _Stream:
    sign_in: str
    give_back: Callable[[], None]  # its watcher place among every worker's (job.watcher_place())
    mailboxes: set[int] = field(default_factory=set)
    task: asyncio.Task | None = None


class EwsPush:
    """The streaming subscriptions and connections of one Exchange profile."""

    def __init__(self, session, max_connections: int):
        self.session = session
        self.limit = max(0, max_connections // 2)
        self._watches: dict[int, _Watch] = {}
        self.folders_read: dict[int, list] = {}  # mailbox id → the folders its last good incoming run read
        self._streams: list[_Stream] = []
        self._connected: set[int] = set()  # mailboxes whose subscription is on an open stream now
        self._running: set[int] = set()
        self._lapsed: set[int] = set()  # their subscription ended on the server: renewed by their next run
        self._stop = _HangUp()

    def connected(self, mailbox_id: int) -> bool:
        return mailbox_id in self._connected

    def run_starts(self, mailbox_id: int) -> None:
        """An incoming run of the mailbox begins: it reads everything up to now, so events so far are served."""
        self._running.add(mailbox_id)
        if (watch := self._watches.get(mailbox_id)) is not None:
            watch.notified = False

    def run_ended(self, mailbox_id: int) -> None:
        self._running.discard(mailbox_id)
        watch = self._watches.get(mailbox_id)
        if watch is not None and watch.during_run:
            # The engine stores the next run time after this run returns, which would push back a due-now
            # published during the run; so publish again just after it.
            watch.during_run = False
            asyncio.get_running_loop().call_later(1.0, self._publish, watch)

    async def follow(self, job) -> codes.Arrival:
        """After an incoming run: subscribe the mailbox on the folders the run read, when it is not yet and a
        stream has room. A refusal only leaves the mailbox polled."""
        if (folders := self.folders_read.get(job.mailbox.id)) is None:
            return codes.Arrival.REFUSED  # not reached: the pipeline follows only a run that read its folders
        try:
            return await self._watch(job, folders)
        except SyncError as exc:
            log.info("EWS push: %s stays polled (%s)", job.mailbox.email, exc)
            return codes.Arrival.REFUSED

    async def _watch(self, job, folders: list) -> codes.Arrival:
        mailbox_id = job.mailbox.id
        if mailbox_id in self._watches:
            self._watches[mailbox_id].job = job
            return codes.Arrival.PUSH
        sign_in = self.session.sign_in(job)
        stream = next((s for s in self._streams if s.sign_in == sign_in
                       and len(s.mailboxes) < SUBSCRIPTIONS_PER_CONNECTION), None)
        if stream is None:
            if len(self._streams) >= self.limit:
                return codes.Arrival.CAP_REACHED  # the profile's streaming connections are taken: polled
            try:
                give_back = job.watcher_place()
            except WatchersFull:  # other workers' streams have the half of the cap: polled
                return codes.Arrival.CAP_REACHED
            stream = _Stream(sign_in, give_back)
            self._streams.append(stream)
        # The place on the stream is taken before subscribing: mailboxes subscribing at the same time
        # must share it, not each open a stream of its own past the limit.
        stream.mailboxes.add(mailbox_id)
        try:
            subscription_id = await self.session.call(job, f"subscribing to new email of {job.mailbox.email}",
                                                      _subscribe, self.session.account(job), folders)
        except BaseException:
            stream.mailboxes.discard(mailbox_id)
            if not stream.mailboxes and stream.task is None:
                self._drop(stream)
            raise
        self._watches[mailbox_id] = _Watch(job, subscription_id)
        if mailbox_id in self._lapsed:
            # Email that landed while the subscription had lapsed has no event: one more run takes it in
            # (after the engine has stored this run's outcome, which would push a due-now back).
            self._lapsed.discard(mailbox_id)
            asyncio.get_running_loop().call_later(1.0, self._publish, self._watches[mailbox_id])
        if stream.task is None:
            stream.task = asyncio.get_running_loop().create_task(self._run(stream), name=f"ews-stream-{sign_in}")
        return codes.Arrival.PUSH

    def _publish(self, watch: _Watch) -> None:
        watch.job.publish(events.IncomingMailArrived(mailbox_id=watch.job.mailbox.id))

    def _arrived(self, subscription_id: str) -> None:
        for watch in self._watches.values():
            if watch.subscription_id == subscription_id:
                if watch.job.mailbox.id in self._running:
                    watch.during_run = True
                elif not watch.notified:
                    watch.notified = True
                    self._publish(watch)

    def _catch_up(self, stream: _Stream) -> None:
        """A stream broke: its mailboxes sync now from their stored state, whatever the break lost."""
        for mailbox_id in stream.mailboxes:
            if (watch := self._watches.get(mailbox_id)) is not None:
                self._publish(watch)

    async def _run(self, stream: _Stream) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while not self._stop.is_set():
            watches = [self._watches[m] for m in sorted(stream.mailboxes) if m in self._watches]
            if not watches:  # none left, or only mailboxes still subscribing: the first to succeed starts it again
                break
            job = watches[0].job
            by_id = {w.subscription_id for w in watches}
            try:
                async with job.connection():
                    # only those whose subscription this connection carries: one still subscribing joins the next
                    self._connected |= {w.job.mailbox.id for w in watches}
                    await _in_daemon_thread(_listen, self.session.account(job), sorted(by_id), self._stop,
                                            lambda sid: loop.call_soon_threadsafe(self._arrived, sid))
                failures = 0
            except asyncio.CancelledError:
                raise
            except _GONE as exc:  # gone from the server: subscribed again by each mailbox's next run
                log.info("EWS push: %d subscriptions of %s ended (%s); polling until they renew",
                         len(watches), stream.sign_in, type(exc).__name__)
                self._connected -= stream.mailboxes
                self._catch_up(stream)
                for mailbox_id in stream.mailboxes:
                    self._watches.pop(mailbox_id, None)
                    self._lapsed.add(mailbox_id)
                stream.mailboxes.clear()
            except (SyncError, ews.EWSError, OSError) as exc:  # a dropped connection, a busy server, ...
                self._connected -= stream.mailboxes
                self._catch_up(stream)
                wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
                failures += 1
                log.info("EWS push for %s broke (%s); connecting again in %d s", stream.sign_in, exc, wait)
                await asyncio.sleep(wait)
        self._connected -= stream.mailboxes
        stream.task = None
        if not stream.mailboxes:
            self._drop(stream)

    def _drop(self, stream: _Stream) -> None:
        self._streams.remove(stream)
        stream.give_back()

    async def close(self) -> None:
        self._stop.set()  # ends the open streaming connections now: their threads end with them
        tasks = [s.task for s in self._streams if s.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        for stream in list(self._streams):
            self._drop(stream)
        await asyncio.to_thread(self._stop.wait_ended, CLOSE_WAIT_S)


class _HangUp:
    """The stop of the streaming connections, which also ends those open now: shutting a connection's socket for
    reading ends its thread's blocked read at once (closing the socket instead would block on that read)."""

    def __init__(self):
        self._ended = threading.Condition()
        self._stopped = False
        self._open: set = set()  # the GetStreamingEvents services of the connections being read now

    def is_set(self) -> bool:
        return self._stopped

    def set(self) -> None:
        with self._ended:
            self._stopped = True
            for service in self._open:
                _shut(service)

    @contextlib.contextmanager
    def reading(self, service):
        """While `service` streams; yields False when already stopped (then there is nothing to read)."""
        with self._ended:
            if self._stopped:
                yield False
                return
            self._open.add(service)
        try:
            yield True
        finally:
            with self._ended:
                self._open.discard(service)
                self._ended.notify_all()

    def wait_ended(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._ended:
            while self._open and (left := deadline - time.monotonic()) > 0:
                self._ended.wait(min(left, 0.1))
                for service in self._open:  # a connection that had no response yet at the hang-up has one now
                    _shut(service)


def _shut(service) -> None:
    response = service._streaming_response  # exchangelib keeps the open streaming response there
    if response is not None:
        with contextlib.suppress(ValueError, RuntimeError, OSError):  # already released or closed
            response.raw.shutdown()


async def _in_daemon_thread(fn, *args):
    """Run a blocking call in a daemon thread, which never holds up the process's exit."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settle(outcome, error) -> None:
        if not done.done():
            done.set_exception(error) if error is not None else done.set_result(outcome)

    def target() -> None:
        try:
            outcome, error = fn(*args), None
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome, error)

    threading.Thread(target=target, name="ews-stream", daemon=True).start()
    return await done


def _subscribe(account, folders) -> str:
    return FolderCollection(account=account, folders=folders).subscribe_to_streaming(event_types=_EVENTS)


def _listen(account, subscription_ids: list[str], stop: _HangUp, arrived) -> None:
    """One streaming connection, until the server closes it after CONNECTION_MINUTES or we stop."""
    service = GetStreamingEvents(account=account)
    with stop.reading(service) as reading:
        try:
            for notification in (service.call(subscription_ids=subscription_ids,
                                              connection_timeout=CONNECTION_MINUTES) if reading else ()):
                if isinstance(notification, Exception):
                    raise notification
                if any(isinstance(event, _NEWS) for event in notification.events):
                    arrived(notification.subscription_id)
                if stop.is_set():
                    break
        except Exception:
            if not stop.is_set():
                raise
            # the hang-up broke the read: stopping, not a failure
        finally:
            service.stop_streaming()
