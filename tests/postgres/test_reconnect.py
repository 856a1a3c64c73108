"""A worker outlives the loss of its database connection (PostgreSQL restarted, a network cut)."""
from __future__ import annotations

import asyncio

import psycopg2

from crmsync_gui.core import codes
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.core.sync.clock import SystemClock
from crmsync_gui.core.sync.engine import Engine, EngineConfig
from tests.core.sync.fakes import World
from tests.waiting import until


def test_the_engine_connects_again_after_the_server_dropped_its_connection(pg_db, pg_shared_url):
    world = World()
    profile = EmailServerProfile.create(name="P", incoming_server="https://p.test/EWS/Exchange.asmx")
    mailbox = Mailbox.create(name="M", email="m@p.test", profile=profile, approval=codes.Approval.APPROVED,
                             incoming_enabled=True)
    admin = psycopg2.connect(pg_shared_url)
    admin.autocommit = True

    def syncs() -> int:
        return sum(1 for m, _d, kind in world.calls if m == mailbox.id and kind == "sync")

    async def scenario():
        engine = Engine(clock=SystemClock(), config=EngineConfig(tick_s=0.1), connector_factory=world.factory)
        await engine.start()
        try:
            await until(lambda: syncs() == 1, "the first sync", 10)
            with admin.cursor() as cursor:  # the server ends this worker's session, then the mailbox is due
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                cursor.execute("UPDATE mailbox SET incoming_next_run = now() AT TIME ZONE 'UTC' - interval '1 s'")
            await until(lambda: syncs() == 2, "the engine to sync again on a new connection", 10)
        finally:
            await engine.stop()

    try:
        asyncio.run(scenario())
    finally:
        admin.close()
