"""MIME parsing in worker processes, so the store never waits for it (issue 24 item 5).

Parsed on a thread of the engine's process, one mailbox's page held Python's GIL while another
mailbox's page was tracked on the loop: every SQLite call of tracking gave the GIL away and waited up
to a switch interval for it, and tracking beside one parsing thread cost 31x its time alone
(docs/benchmarks.md, tracking). Worker processes parse on the other cores instead.

A worker that dies on an email (the standard library's parser has had crash bugs) breaks only the
page it had: the page is parsed again one email at a time in a fresh pool, and an email that kills a
worker again becomes that email's unreadable record; the mailbox goes on.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.util
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from crmsync_gui.core.sync import mime
from crmsync_gui.core.sync.mail import IncomingEmail

WORKERS = max(1, min(4, os.cpu_count() or 1))
Parsed = IncomingEmail | mime.UnreadableEmailError
Item = tuple[str, bytes, int | None]  # server id, the MIME, its size on the server

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


async def parse(items: list[Item], folder: str) -> list[Parsed]:
    """Each email of `items` parsed, in order: an IncomingEmail, or why it is unreadable."""
    if not items:
        return []
    try:
        return await _in_pool(_parse_items, items, folder)
    except BrokenProcessPool:
        return [await _one_alone(item, folder) for item in items]


async def _one_alone(item: Item, folder: str) -> Parsed:
    try:
        return (await _in_pool(_parse_items, [item], folder))[0]
    except BrokenProcessPool:
        server_id, raw, size = item
        return mime.UnreadableEmailError(server_id, "the email parser crashed on it", raw, size)


async def _in_pool(fn, *args):
    pool = _worker_pool()
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
    except BrokenProcessPool:
        _discard(pool)
        raise


def workers() -> list[int]:
    """The process ids of the parsing workers running now (none before the first parse)."""
    with _pool_lock:
        return list(_pool._processes) if _pool is not None else []


def _worker_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the console's and the engine's processes have threads
            _pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_watch_parent, initargs=(os.getpid(),))
            # In a multiprocessing child (the console's engine), the process waits for its children at
            # exit before concurrent.futures ends the pool: end it first (before the pool's queues close,
            # whose finalizers have priority 10), or the child never exits.
            multiprocessing.util.Finalize(_pool, _pool.shutdown, exitpriority=20)
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


# ---- in the worker
def _parse_items(items: list[Item], folder: str) -> list[Parsed]:
    out: list[Parsed] = []
    for server_id, raw, size in items:
        try:
            out.append(mime.parse_email(raw, server_id=server_id, folder=folder, raw_size=size))
        except mime.UnreadableEmailError as error:
            out.append(error)
    return out


def _watch_parent(parent: int) -> None:
    """Exit when the engine's process is gone: a killed engine's workers would wait for work forever."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="crmsync-parser-watch", daemon=True).start()
