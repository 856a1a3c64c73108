"""EWS sandbox: generating big mailboxes (time, memory held), and many exchangelib clients at once.

Generation: 1,000 mailboxes × 1,000 items (quick: 5 × 50), timed, with the resident memory it adds.
Concurrency: a sandbox served by `crmsync sandbox serve` in its own process, 200 exchangelib clients (one per
mailbox, each its own thread and connection; quick: 10) syncing their inbox and reading items at the same time;
every request must succeed (no throttling is scripted, and 200 mailboxes each stay far below 27 requests).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading

from bench.harness import at_most, progress, record, timed


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _generate(mailboxes: int, items: int) -> list[dict]:
    from crmsync_gui.sandbox.generate import populate
    from crmsync_gui.sandbox.store import Store

    total = mailboxes * items
    store = Store()
    before = _rss_mib()
    with timed() as made:
        populate(store, mailboxes, items, seed_value=1)
    held = _rss_mib() - before
    count = sum(len(m.items) for m in store.mailboxes.values())
    assert count == total, f"generated {count} items, not {total}"
    progress(f"generated {mailboxes} x {items} in {made.seconds:.1f} s, holding {held:.0f} MiB")
    return [
        record(f"generate {mailboxes}x{items} items", made.seconds, "s", target=at_most(60),
               note=f"{total / made.seconds:,.0f} items/s"),
        record(f"memory held by {mailboxes}x{items} items", held, "MiB", target=at_most(2048),
               note=f"{held * 2**20 / total:.0f} bytes per item"),
    ]


def _clients(count: int, items: int) -> list[dict]:
    from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
    from exchangelib.protocol import FailFast

    from crmsync_gui.sandbox.trust import trust_for_exchangelib

    server = subprocess.Popen([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes",
                               str(count), "--items", str(items), "--seed", "2"], stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(server.stdout.readline())
        trust_for_exchangelib(ready["url"], ready["ca_file"])
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(count)

        def client(user: dict) -> None:
            try:
                cfg = Configuration(service_endpoint=ready["url"], credentials=Credentials(user["email"],
                                    user["password"]), auth_type=BASIC, retry_policy=FailFast())
                account = Account(user["email"], config=cfg, autodiscover=False, access_type=DELEGATE)
                start.wait()
                changes = list(account.inbox.sync_items(max_changes_returned=100))
                ids = [item.id for kind, item in changes if kind == "create"][:10]
                fetched = list(account.fetch(ids=[(i, None) for i in ids])) if ids else []
                found = account.inbox.filter(subject__icontains="re:").count()
                assert all(not isinstance(f, Exception) for f in fetched) and found >= 0
                account.protocol.close()
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                with lock:
                    errors.append(f"{user['email']}: {exc!r}")

        threads = [threading.Thread(target=client, args=(u,)) for u in ready["users"]]
        with timed() as took:
            for th in threads:
                th.start()
            for th in threads:
                th.join()
        progress(f"{count} concurrent exchangelib clients done in {took.seconds:.1f} s, {len(errors)} errors")
        for e in errors[:5]:
            progress(f"  error: {e}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
    return [
        record(f"errors with {count} concurrent clients", len(errors), "errors", target=at_most(0)),
        record(f"{count} concurrent clients, all done", took.seconds, "s", target=None,
               note="each: version probe, inbox, sync, fetch 10 items, filtered count; one shared machine"),
    ]


def run(quick: bool) -> list[dict]:
    """Generation time and memory, and concurrent exchangelib clients against a sandbox in its own process."""
    records = _generate(5, 50) if quick else _generate(1000, 1000)
    records += _clients(10, 5) if quick else _clients(200, 20)
    return records
