"""Parsing off the hot path (issue 24 item 5): concurrent mailboxes parse and track on one engine loop.

Ten mailboxes' incoming pipelines run at once on one asyncio loop, as the engine runs its jobs: each
parses its pages of 20 emails of the realistic corpus (bench/corpus.py) and tracks them on the loop
with the option All (every email tracked). Side by side in each round:
- the product: pages parsed in worker processes (`core/sync/parsing.py`);
- the baseline, the code before: the same parse function on a thread of the engine's process
  (`asyncio.to_thread`), which holds the GIL that tracking's SQLite calls wait for;
- the limit: the same pages parsed beforehand, so the loop only tracks.
Reported: wall time per email for the 1,000 emails and the loop's time tracking them (what the GIL
and the parsing's CPU inflate). Each figure is the median of several rounds. Leaves out fetching, the
cursor commit and the engine's scheduling.
"""
from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.corpus import corpus, describe
from bench.harness import load_average, median_spread, progress, ratio_at_most, record, start_parsing_workers

MAILBOXES, PAGE = 10, 20


def _mailboxes():
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.store.models import Mailbox

    profile = admin.save_profile({"name": "Bench", "incoming_server": "https://mail.contoso.test/EWS/Exchange.asmx"})
    boxes = []
    for i in range(MAILBOXES):
        user = admin.add_user(f"User {i}", f"user{i}@contoso.test", tracking_option=codes.TrackingOption.ALL)
        mailbox = admin.map_mailbox(admin.add_mailbox(f"User {i}", f"user{i}@contoso.test", profile), user)
        boxes.append(Mailbox.get_by_id(mailbox.id))
    return boxes


WAYS = ("in worker processes", "on a thread", "beforehand")


def _round(path: Path, raws: list[bytes], parsed_how: str) -> tuple[float, float, int]:
    """(seconds for all, seconds the loop spent tracking, emails tracked) for one round."""
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox
    from crmsync_gui.core.sync import parsing, tracking

    open_database(path)
    try:
        boxes = list(Mailbox.select().order_by(Mailbox.id))
        settings = tracking.organization_settings()
        share = len(raws) // len(boxes)
        tracking_s, tracked = [0.0], [0]
        if parsed_how == "beforehand":
            items = [(f"{i}-{n}", raw, None) for i in range(len(boxes))
                     for n, raw in enumerate(raws[i * share:(i + 1) * share])]
            ready = {email.server_id: email for email in parsing._parse_items(items, "Inbox")}

        async def parse(items):
            if parsed_how == "in worker processes":
                return await parsing.parse(items, "Inbox")
            if parsed_how == "on a thread":
                return await asyncio.to_thread(parsing._parse_items, items, "Inbox")
            await asyncio.sleep(0)
            return [ready[server_id] for server_id, _, _ in items]

        async def pipeline(i: int, box) -> None:
            mine = [(f"{i}-{n}", raw, None) for n, raw in enumerate(raws[i * share:(i + 1) * share])]
            for start in range(0, len(mine), PAGE):
                emails = [e for e in await parse(mine[start:start + PAGE]) if not isinstance(e, Exception)]
                began = time.perf_counter()
                results = tracking.track_page(box, emails, settings=settings, address_book={})
                tracking_s[0] += time.perf_counter() - began
                tracked[0] += sum(r.tracked for r in results)

        async def run() -> float:
            began = time.perf_counter()
            await asyncio.gather(*(pipeline(i, box) for i, box in enumerate(boxes)))
            return time.perf_counter() - began

        return asyncio.run(run()), tracking_s[0], tracked[0]
    finally:
        close_database()


def run(quick: bool) -> list[dict]:
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync import parsing

    count, rounds = (100, 1) if quick else (1_000, 5)
    raws = corpus(count)
    start_parsing_workers()
    loads = [load_average()]
    wall: dict[str, list[float]] = {how: [] for how in WAYS}
    loop_tracking: dict[str, list[float]] = {how: [] for how in WAYS}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        open_database(tmp / "empty.db")
        _mailboxes()
        close_database()
        for n in range(rounds):
            for how in WAYS:
                progress(f"round {n + 1}/{rounds}: {count:,} emails, parsed {how}")
                shutil.copy(tmp / "empty.db", tmp / "round.db")
                seconds, tracking_s, tracked = _round(tmp / "round.db", raws, how)
                assert tracked == count - count % MAILBOXES, tracked
                wall[how].append(seconds * 1000 / count)
                loop_tracking[how].append(tracking_s * 1000 / count)
            loads.append(load_average())
    load = f"load average {min(loads)}–{max(loads)}"
    what = (f"{MAILBOXES} mailboxes' pipelines at once on one loop, {describe(raws)}, pages of {PAGE}, "
            f"every one tracked; {parsing.WORKERS} worker processes")
    (ours, ours_note), (before, before_note), (_, limit_note) = (median_spread(wall[how]) for how in WAYS)
    (ours_tracking, ours_tracking_note), (before_tracking, before_tracking_note), (_, limit_tracking_note) = (
        median_spread(loop_tracking[how]) for how in WAYS)
    return [
        record("parse and track per email, 10 mailboxes at once", ours, "ms", target=ratio_at_most(1.0),
               baseline=before, baseline_label="the same with parsing on a thread (before)",
               note=f"{what}; {ours_note} ms; before {before_note} ms; limit (parsed beforehand) "
                    f"{limit_note} ms; {load}"),
        record("loop time tracking per email, 10 mailboxes at once", ours_tracking, "ms", target=None,
               baseline=before_tracking, baseline_label="the same with parsing on a thread (before)",
               note=f"{what}; {ours_tracking_note} ms; before {before_tracking_note} ms; limit (parsed "
                    f"beforehand, nothing else running) {limit_tracking_note} ms; {load}"),
    ]
