"""The console's embedded engine, in a child process of the console.

The console starts the engine with its window and stops it when it closes, shows its events live and
calls it for Test & Enable and Sync now. The engine runs in a process of its own because in the
console's process it held up the window: on the GUI loop its bookkeeping froze the window for hundreds
of milliseconds, and on a thread of its own the window still waited for Python's GIL while exchangelib
parsed XML (docs/benchmarks.md, gui_lag). The child opens the same database (SQLite in WAL mode, or
PostgreSQL) and the same secret store; nothing but events, calls and their results cross the pipe.

Child → console: batches of events (every BATCH_S at most, so a flood is a few pickles, not thousands),
the answers to calls, "halted" with the reason when the database failed under the engine (a full
disk: the child stops, and the console shows why), and "stopped". Console → child: calls and "stop". When the
console goes away without stopping it, the child reads end-of-file, stops its engine and exits; when
the child dies, the console publishes the engine as stopped and fails the calls waiting on it.

The child is not a daemon process, because it starts processes of its own (MIME parsing,
core/sync/parsing.py); a console that exits with its engine still running stops it at exit as stop()
would, before multiprocessing waits for its children.
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import multiprocessing
import signal
import threading
from collections import deque
from pathlib import Path

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.sync.engine import EngineConfig, JobResult

BATCH_S = 0.05
CALLS = ("test_and_enable", "sync_now")  # what the console may ask of the engine


class EngineProcess:
    """Start, stop and call an Engine running in a child process; its events go to `bus`, from a reader thread."""

    def __init__(self, database: str | Path, secrets, bus: events.EventBus, config: EngineConfig | None = None):
        self.database = str(database)
        self.secrets = secrets
        self.bus = bus
        self.config = config
        self.connector_problems: dict[str, str] = {}  # {connector: why it could not load}, as the child found
        self.state = "stopped"
        self.ended_unexpectedly: str | None = None  # why the last process ended without being stopped
        self._process = self._conn = self._reader = self._loop = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}

    async def start(self) -> None:
        """Start the child and its engine; return once the engine runs (CrmSyncError when it cannot start)."""
        if self._process is not None:
            return
        self.ended_unexpectedly = None
        spawn = multiprocessing.get_context("spawn")  # not fork: the console has Qt's threads
        self._conn, child_end = spawn.Pipe()
        self._process = spawn.Process(target=serve, args=(child_end, self.database, self.secrets, self.config),
                                      name="crmsync-engine")
        self._process.start()
        atexit.register(self._stop_at_exit)
        child_end.close()
        self._loop = asyncio.get_running_loop()
        started = self._waiting[0] = self._loop.create_future()
        self._reader = threading.Thread(target=self._read, name="crmsync-engine-reader", daemon=True)
        self._reader.start()
        try:
            self.connector_problems = await started
        except CrmSyncError:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the engine (running jobs get its grace period) and wait for its process to end."""
        if self._process is None:
            return
        reader = self._reader
        await asyncio.to_thread(self._end_process)
        await asyncio.to_thread(reader.join)
        self._conn.close()
        self._process = self._conn = self._reader = None

    def _end_process(self) -> None:
        """Ask the child to stop, wait out its grace period, and kill it if it is still there."""
        atexit.unregister(self._stop_at_exit)
        process = self._process
        with contextlib.suppress(OSError):  # already gone
            self._conn.send(("stop",))
        process.join((self.config or EngineConfig()).stop_grace_s + 15)
        if process.is_alive():
            process.kill()
            process.join()

    def _stop_at_exit(self) -> None:
        if self._process is not None:
            self._end_process()

    async def test_and_enable(self, mailbox_id: int) -> dict[codes.Direction, JobResult]:
        return await self._call("test_and_enable", mailbox_id)

    async def sync_now(self, mailbox_id: int, direction: codes.Direction | None = None) -> list[JobResult]:
        return await self._call("sync_now", mailbox_id, direction)

    async def _call(self, method: str, *args):
        if self.state != "running":
            raise CrmSyncError(f"The sync engine is {self.state}; start it and try again.")
        call_id = next(self._ids)
        answer = self._waiting[call_id] = asyncio.get_running_loop().create_future()
        self._conn.send(("call", call_id, method, args))
        return await answer

    # ---- the reader thread
    def _read(self) -> None:
        try:
            while True:
                message = self._conn.recv()
                if message[0] == "events":
                    for event in message[1]:
                        if isinstance(event, events.EngineStateChanged):
                            self.state = event.state
                        self.bus.publish(event)
                elif message[0] == "halted":  # the database failed under the engine; "stopped" follows
                    self.ended_unexpectedly = message[1]
                elif message[0] == "stopped":
                    self._ended("The sync engine stopped before it answered.")
                    return
                else:  # ("answer", call_id, value) / ("refused", call_id, reason)
                    self._loop.call_soon_threadsafe(self._settle, *message)
        except (EOFError, OSError):  # the child died without saying "stopped"
            self._process.join(5)
            self.ended_unexpectedly = f"The sync engine process ended unexpectedly (exit code {self._process.exitcode})."
            self._ended(self.ended_unexpectedly)

    def _ended(self, reason: str) -> None:
        if self.state != "stopped":
            self.state = "stopped"
            self.bus.publish(events.EngineStateChanged("stopped"))
        for call_id in list(self._waiting):
            self._loop.call_soon_threadsafe(self._settle, "refused", call_id, reason)

    def _settle(self, kind: str, call_id: int, value) -> None:
        answer = self._waiting.pop(call_id, None)
        if answer is None or answer.done():
            return
        if kind == "answer":
            answer.set_result(value)
        else:
            answer.set_exception(CrmSyncError(value))


# ---- the child process
def serve(conn, database: str, secrets, config: EngineConfig | None) -> None:
    """The child's main: run an Engine on the database until the console says stop or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for the console, which stops us
    outbox = _Outbox(conn)
    try:
        asyncio.run(_run(conn, database, secrets, config, outbox))
    finally:
        outbox.close()


async def _run(conn, database: str, secrets, config: EngineConfig | None, outbox: _Outbox) -> None:
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync.engine import Engine

    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)  # as from multiprocessing when the console exits
    try:
        open_database(database)
        engine = Engine(secrets=secrets, config=config)
        engine.bus.subscribe(outbox.event)
        await engine.start()
    except Exception as exc:  # the console shows why its engine could not start
        outbox.send(("refused", 0, f"The sync engine could not start: {exc}"))
        return
    outbox.send(("answer", 0, engine.connector_problems))
    tasks: set[asyncio.Task] = set()

    async def answer(call_id: int, method: str, args) -> None:
        try:
            if method not in CALLS:
                raise CrmSyncError(f"The engine has no call '{method}'.")
            outbox.send(("answer", call_id, await getattr(engine, method)(*args)))
        except Exception as exc:  # every failure goes back to the caller, as a message it can show
            outbox.send(("refused", call_id, str(exc) or type(exc).__name__))

    def receive(message) -> None:
        if message[0] == "call":
            task = asyncio.create_task(answer(*message[1:]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        else:  # "stop", or the console gone
            stopping.set()

    def read() -> None:
        try:
            while True:
                message = conn.recv()
                loop.call_soon_threadsafe(receive, message)
                if message[0] == "stop":
                    return
        except (EOFError, OSError):
            loop.call_soon_threadsafe(receive, ("gone",))

    threading.Thread(target=read, name="crmsync-console-reader", daemon=True).start()
    waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(engine.halted.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    try:
        await engine.stop()
    finally:
        close_database()
    if engine.fault is not None:
        outbox.send(("halted", str(engine.fault)))


class _Outbox:
    """Everything the child sends, in order, from one thread: consecutive events go as one batch."""

    def __init__(self, conn):
        self._conn = conn
        self._items: deque = deque()
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="crmsync-engine-outbox", daemon=True)
        self._thread.start()

    def event(self, event: events.Event) -> None:
        self._items.append(event)

    def send(self, message: tuple) -> None:
        self._items.append(message)
        self._wake.set()

    def close(self) -> None:
        """Send what is left, then "stopped"."""
        self._closing = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                closing = self._closing
                self._flush()
                if closing:
                    self._conn.send(("stopped",))
                    return
                self._wake.wait(BATCH_S)
                self._wake.clear()
        except OSError:
            return  # the console went away: nobody to tell

    def _flush(self) -> None:
        batch: list[events.Event] = []
        while self._items:
            item = self._items.popleft()
            if isinstance(item, events.Event):
                batch.append(item)
                continue
            if batch:
                self._conn.send(("events", batch))
                batch = []
            self._conn.send(item)
        if batch:
            self._conn.send(("events", batch))
