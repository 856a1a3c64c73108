"""Tracking alone (no server, no parsing): a realistic corpus into an empty store and into one with history.

Every email of the corpus (bench/corpus.py: median ~20 KB, attachments, Thread-Index, References),
parsed beforehand, goes through `tracking.track_page` in pages of 100 as the incoming pipeline hands
them over, with the option All (every email tracked: an activity, its parties, attachments and the
decision). Measured three ways, side by side in each run:
- into an empty store;
- into a store with history: 100,000 email activities (with Message-ID, Thread-Index and tracking
  token, 3 parties each), their decisions, 20,000 contacts, 2,000 accounts and 5,000 leads;
  target: at most 1.5× the empty store's cost per email (lookups must not degrade with history);
- the limit: the rows our run wrote into the store with history, inserted by plain sqlite3 into the
  same store as it was before (prepared statements,
  executemany, one transaction a page) into the same schema; the price of deciding and of the ORM.
And once more into an empty store while another thread parses MIME the whole time (the GIL's price,
issue 24 item 5). Each figure is the median of several runs; the note gives their range and the load.
Leaves out: fetching, MIME parsing (bench_mail's mime_parse), the engine and the cursor commit.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from contextlib import closing, contextmanager
from pathlib import Path

from bench.corpus import corpus, describe
from bench.harness import load_average, median_spread, progress, ratio_at_most, record, timed

PAGE = 100
TABLES = ("activity", "activity_party", "attachment", "tracking_decision")


def _owner_mailbox():
    from crmsync_gui.core import admin, codes

    profile = admin.save_profile({"name": "Bench", "incoming_server": "https://mail.contoso.test/EWS/Exchange.asmx"})
    user = admin.add_user("Ann Lee", "ann@contoso.test", tracking_option=codes.TrackingOption.ALL)
    mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@contoso.test", profile), user)
    return mailbox.__class__.get_by_id(mailbox.id)


def history(path: Path, activities: int, make_mailbox=None) -> None:
    """A store whose CRM has years of email: activities, parties, decisions, and many contacts.

    `make_mailbox()` maps the mailbox whose history it is (default: Ann's, with the option All)."""
    import base64
    import random

    from crmsync_gui.core import codes
    from crmsync_gui.core.store.base import database_proxy, utcnow
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import (
        Account,
        Activity,
        ActivityParty,
        Contact,
        Lead,
        TrackingDecision,
    )
    from crmsync_gui.core.store.rows import Rows

    rng = random.Random(7)
    open_database(path)
    try:
        mailbox = (make_mailbox or _owner_mailbox)()
        now = utcnow()
        with database_proxy.atomic():  # the store's own bulk path (store/rows.py): seconds, not minutes
            for model, count, make in (
                    (Contact, activities // 5, lambda i: {"last_name": f"C{i}", "email": f"c{i}@customer{i % 97}.test"}),
                    (Account, activities // 50, lambda i: {"name": f"A{i}", "email": f"info@account{i}.test"}),
                    (Lead, activities // 20, lambda i: {"full_name": f"L{i}", "email": f"l{i}@lead{i % 53}.test"})):
                rows = Rows(model)
                rows.add_many([rows.row(make(i)) for i in range(count)])
            activity_rows = Rows(Activity)
            activity_rows.add_many([activity_rows.row({
                "activity_type": codes.ActivityType.EMAIL, "subject": f"History {i}", "body": "old",
                "owner_user": mailbox.owner_user_id, "email_status": codes.EmailStatus.RECEIVED,
                "direction_outgoing": False, "message_id": f"<h{i}@history.test>",
                "thread_index": base64.b64encode(rng.randbytes(22 + 5 * (i % 4))).decode(),
                "tracking_token": f"CRM:{i % 1000:04d}{i % 997:03d}", "mailbox": mailbox.id,
                "created_at": now, "modified_at": now}) for i in range(activities)])
            ids = [i for (i,) in Activity.select(Activity.id).tuples()]
            party_rows = Rows(ActivityParty)
            party_rows.add_many([party_rows.row({"activity": a, "role": role,
                                                 "address": f"c{(a * 3 + role) % (activities // 5)}@x.test"})
                                 for a in ids for role in (1, 2, 3)])
            decision_rows = Rows(TrackingDecision)
            decision_rows.add_many([decision_rows.row({
                "mailbox": mailbox.id, "server_id": f"old-{a}", "outcome": 1, "reason": "Tracked: old.", "activity": a,
                "decided_at": now}) for a in ids])
    finally:
        close_database()


@contextmanager
def _parsing_beside(raws: list[bytes]):
    """A thread parsing MIME the whole time, as the incoming pipeline's parse of the next page does."""
    from crmsync_gui.core.sync.mime import parse_email

    stop = threading.Event()

    def parse():
        while not stop.is_set():
            for i, raw in enumerate(raws):
                if stop.is_set():
                    break
                parse_email(raw, server_id=str(i))

    thread = threading.Thread(target=parse, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _track(path: Path, emails) -> tuple[float, int]:
    """Track every email, page by page, into the store at `path`; return (seconds, emails tracked)."""
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox
    from crmsync_gui.core.sync import tracking

    open_database(path)
    try:
        mailbox = Mailbox.get(Mailbox.email == "ann@contoso.test") if Mailbox.select().exists() else _owner_mailbox()
        settings, book = tracking.organization_settings(), {}
        tracked = 0
        with timed() as t:
            for start in range(0, len(emails), PAGE):
                results = tracking.track_page(mailbox, emails[start:start + PAGE], settings=settings,
                                              address_book=book)
                tracked += sum(r.tracked for r in results)
        return t.seconds, tracked
    finally:
        close_database()


def rows_written(path: Path, since: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
    """Each table's new rows, ids included, in the order they were written."""
    with closing(sqlite3.connect(path)) as conn:
        out = {}
        for table in TABLES:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
            rows = conn.execute(f"SELECT {_quoted(columns)} FROM {table} WHERE id > ? ORDER BY id",
                                (since.get(table, 0),)).fetchall()
            out[table] = (columns, rows)
        return out


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)  # "references" is an SQL keyword


def insert_like_the_limit(start_from: Path, path: Path, written: dict) -> float:
    """The same rows with plain sqlite3: a prepared INSERT per table, executemany, one transaction a page."""
    from crmsync_gui.core.store.db import SQLITE_PRAGMAS

    shutil.copy(start_from, path)  # the store as ours started from
    pages: list[dict[str, list]] = []
    page_of = {}
    for n, row in enumerate(written["activity"][1]):
        if n % PAGE == 0:
            pages.append({table: [] for table in TABLES})
        pages[-1]["activity"].append(row)
        page_of[row[0]] = pages[-1]
    for table in TABLES[1:]:
        columns, rows = written[table]
        link = columns.index("activity_id")
        for row in rows:
            page_of[row[link]][table].append(row)
    conn = sqlite3.connect(path, isolation_level=None)
    for key, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {key} = {value}")
    with timed() as t:
        for page in pages:
            conn.execute("BEGIN")
            for table in TABLES:
                columns = written[table][0]
                conn.executemany(f"INSERT INTO {table} ({_quoted(columns)}) VALUES "
                                 f"({', '.join('?' * len(columns))})", page[table])
            conn.execute("COMMIT")
    conn.close()
    return t.seconds


def max_ids(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return {table: conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0] for table in TABLES}


def run(quick: bool) -> list[dict]:
    """Track a realistic corpus into an empty store and one with 100,000 activities; the sqlite3 limit."""
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.sync.mime import parse_email

    count, activities, runs = (60, 2_000, 1) if quick else (1_000, 100_000, 5)
    raws = corpus(count)
    emails = [parse_email(raw, server_id=f"item-{i}", folder="Inbox") for i, raw in enumerate(raws)]
    loads = [load_average()]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        progress(f"a store with {activities:,} activities of history")
        history(tmp / "history.db", activities)
        open_database(tmp / "empty.db")
        close_database()
        empty_ms, history_ms, beside_ms, limit_ms, tracked = [], [], [], [], 0
        for n in range(runs):
            progress(f"run {n + 1}/{runs}: {count:,} emails into an empty store, then into the store with history")
            shutil.copy(tmp / "empty.db", tmp / "a.db")
            seconds, tracked = _track(tmp / "a.db", emails)
            empty_ms.append(seconds * 1000 / count)
            shutil.copy(tmp / "history.db", tmp / "b.db")
            since = max_ids(tmp / "b.db")
            seconds, tracked_history = _track(tmp / "b.db", emails)
            history_ms.append(seconds * 1000 / count)
            assert tracked == tracked_history == count, (tracked, tracked_history)
            shutil.copy(tmp / "empty.db", tmp / "a.db")
            with _parsing_beside(raws):
                beside_ms.append(_track(tmp / "a.db", emails)[0] * 1000 / count)
            progress(f"run {n + 1}/{runs}: the same rows by plain sqlite3")
            limit_ms.append(insert_like_the_limit(tmp / "history.db", tmp / "c.db", rows_written(tmp / "b.db", since)) * 1000 / count)
            loads.append(load_average())
    empty, empty_note = median_spread(empty_ms)
    full, full_note = median_spread(history_ms)
    limit, limit_note = median_spread(limit_ms)
    beside, beside_note = median_spread(beside_ms)
    load = f"load average {min(loads)}–{max(loads)}"
    what = f"{describe(raws)}, every one tracked (option All), pages of {PAGE}"
    return [
        record("tracking per email, empty store", empty, "ms", target=None, baseline=limit,
               baseline_label="the same rows by plain sqlite3 (limit)",
               note=f"{what}; {empty_note} ms; limit {limit_note} ms; {load}"),
        record(f"tracking per email, store with {activities:,} activities", full, "ms", target=ratio_at_most(1.5),
               baseline=empty, baseline_label="the same into an empty store",
               note=f"{what}; {full_note} ms; {load}"),
        # issue 24 item 5: what the GIL costs tracking when MIME parsing runs in another thread of the process
        record("tracking per email, empty store, beside a parsing thread", beside, "ms", target=None,
               baseline=empty, baseline_label="the same without it",
               note=f"{what}; a thread parses MIME the whole time; {beside_note} ms; {load}"),
    ]
