"""Secrets scan (issue 22, suite item 12): after a full demo sync with known passwords, none of them is in the
database file or its WAL, in any log line at DEBUG, in a trace row or in the trace CSV export."""
import asyncio
import base64
import io
import logging

import pytest

from crmsync_gui.core.store.db import close_database
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox, TraceLog
from crmsync_gui.core.store.views import TraceFilter, export_trace_csv


@pytest.fixture
def demo():
    from crmsync_gui.demo import start_demo

    started = start_demo(mailboxes=4, items=3)
    yield started
    close_database()
    started.stop()


def forms(secret: str, users: set[str]) -> set[bytes]:
    """The ways a password can leak: as itself, and in a Basic Authorization header for any of the users."""
    found = {secret.encode()}
    found |= {base64.b64encode(f"{user}:{secret}".encode()) for user in users}
    return found


def test_no_password_anywhere_after_a_full_demo_sync(demo, caplog):
    from crmsync_gui.core.sync.engine import Engine

    caplog.set_level(logging.DEBUG)  # every library's debug lines: exchangelib dumps requests and replies
    refs = {m.secret_ref for m in Mailbox.select()} | {p.secret_ref for p in EmailServerProfile.select()}
    passwords = {demo.secrets.get(ref) for ref in refs if ref}
    passwords.discard(None)
    users = {m.username or m.email for m in Mailbox.select()}
    assert len(passwords) >= 4 and all(len(p) >= 6 for p in passwords)

    async def cycle():
        engine = Engine(secrets=demo.secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    summary = asyncio.run(cycle())
    assert summary.succeeded > 0 and TraceLog.select().count() > 0  # it synced, and wrote trace rows
    export = io.StringIO()
    assert export_trace_csv(TraceFilter(), export) > 0

    places = {
        "the database": demo.db_path.read_bytes(),
        "its WAL": demo.db_path.with_name(demo.db_path.name + "-wal").read_bytes(),
        "the DEBUG log": (caplog.text + "".join(str(r.args) for r in caplog.records)).encode(),
        "the trace rows": "".join(f"{t.message} {t.remediation}" for t in TraceLog.select()).encode(),
        "the trace CSV export": export.getvalue().encode(),
    }
    assert len(places["its WAL"]) > 0 and len(caplog.records) > 100
    leaks = [(where, secret) for secret in passwords for form in forms(secret, users)
             for where, content in places.items() if form in content]
    assert leaks == []
