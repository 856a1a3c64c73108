"""The engine with the real Exchange connector against the EWS sandbox (loopback, TLS with its own CA):
the per-profile connection cap, a 10-minute outage, and a permanent error."""
import asyncio

import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.connectors import exchange  # noqa: F401 - registers the Exchange connector
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.core.sync.engine import EngineConfig
from crmsync_gui.sandbox.faults import Fault
from tests.core.sync.conftest import reload

D = codes.Direction


@pytest.fixture
def secrets(tmp_path):
    return SecretStore(tmp_path / "secrets.json", use_keyring=False)


def exchange_mailboxes(sandbox, secrets, count, *, max_connections=10, items=3):
    """A profile on the sandbox and `count` approved mailboxes signing in with their own passwords."""
    profile = EmailServerProfile.create(name="Sandbox", incoming_server=sandbox.url, trusted_ca_file=sandbox.ca_file,
                                        auth_type=codes.AuthType.BASIC, max_concurrent_connections=max_connections,
                                        timeout_ms=10_000)
    boxes = []
    for user in sandbox.populate(count, items):
        boxes.append(Mailbox.create(name=user.name, email=user.email, username=user.email,
                                    secret_ref=secrets.put(user.password), profile=profile,
                                    approval=codes.Approval.APPROVED, incoming_enabled=True, outgoing_enabled=True))
    return profile, boxes


def engine_for(make_engine, secrets, **config):
    from crmsync_gui.core.sync.connector import connector_for

    return make_engine(EngineConfig(**config), factory=connector_for, secrets=secrets)


def test_the_connection_cap_holds_against_the_sandbox(db, sandbox, secrets, make_engine):
    profile, boxes = exchange_mailboxes(sandbox, secrets, 12, max_connections=3)
    sandbox.inject("delay", seconds=0.05)  # every request a little slow, so requests overlap

    async def scenario():
        engine = await engine_for(make_engine, secrets, max_concurrent_jobs=40)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    summary = asyncio.run(scenario())
    from crmsync_gui.core.store.models import TraceLog
    assert summary.failed == 0 and summary.jobs == 24, [(r.code, r.message) for r in TraceLog.select()]
    assert summary.items >= 12  # every mailbox's email was read
    from crmsync_gui.core.store.models import SyncedHour
    assert sum(h.items for h in SyncedHour.select()) == summary.items, "the dashboard's per-hour count"
    assert sandbox.peak_concurrent() == 3, "the cap was reached but never exceeded"


def test_a_10_minute_outage_disables_no_mailbox_and_all_resume_within_one_cycle(db, sandbox, secrets, make_engine,
                                                                             clock, recorder):
    profile, boxes = exchange_mailboxes(sandbox, secrets, 6, items=1)
    start, end, step = 60, 60 + 600, 15
    log = []

    async def scenario():
        engine = await engine_for(make_engine, secrets)
        down = False
        try:
            for t in range(0, 1500, step):
                if start <= t < end and not down:
                    sandbox.go_down()
                    down = True
                elif t >= end and down:
                    sandbox.come_up()
                    down = False
                await engine.run_once()
                log.append((t, bool(engine.paused_profiles())))
                clock.advance(step)
        finally:
            await engine.stop()

    asyncio.run(scenario())
    assert all(reload(b).incoming_enabled and reload(b).outgoing_enabled for b in boxes), "none disabled"
    paused = [t for t, p in log if p]
    assert paused and start < paused[0] and max(paused) < end + 5 * 60
    resumed = recorder.of(events.ProfileResumed)
    assert len(resumed) == 1
    after = {e.mailbox_id for e in recorder.of(events.JobFinished) if e.at >= resumed[0].at}
    assert after == {b.id for b in boxes}, "every mailbox synced again right after the outage"
    assert all(reload(b).incoming_transient_failures == 0 for b in boxes)


def test_a_permanent_error_disables_within_one_cycle(db, sandbox, secrets, make_engine, recorder):
    profile, boxes = exchange_mailboxes(sandbox, secrets, 3, items=1)
    sandbox.faults.add(Fault("error", mailbox=boxes[0].email, code="ErrorNonExistentMailbox"))

    async def scenario():
        engine = await engine_for(make_engine, secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    broken = reload(boxes[0])
    assert not broken.incoming_enabled and broken.last_error_code == "MailboxNotFound"
    assert all(reload(b).incoming_enabled for b in boxes[1:])
    assert [e.mailbox_id for e in recorder.of(events.MailboxDisabled)] == [boxes[0].id]


def test_a_good_run_clears_the_last_error_unless_another_direction_still_fails_by_it(db, sandbox, secrets,
                                                                                     make_engine, clock):
    profile, (recovers, stays_broken, healthy) = exchange_mailboxes(sandbox, secrets, 3, items=1)
    sandbox.faults.add(Fault("error", mailbox=recovers.email, operation="GetFolder", times=1))  # transient, once
    sandbox.faults.add(Fault("error", mailbox=stays_broken.email, code="ErrorNonExistentMailbox"))

    async def scenario():
        engine = await engine_for(make_engine, secrets)
        try:
            await engine.run_once()
            failed = reload(recovers).last_error_code
            clock.advance(15 * 60)  # past the back-off
            await engine.run_once()
            return failed
        finally:
            await engine.stop()

    assert asyncio.run(scenario()) == "StoreUnavailable"
    row = reload(recovers)
    assert row.incoming_status == codes.DirectionStatus.SUCCESS and row.transient_failure_count == 0
    assert row.last_error_code is None and row.last_error_message is None, "the good run cleared the error"
    assert row.last_error_at is not None, "when it last failed is kept (alerts count by it)"
    broken = reload(stays_broken)
    assert broken.outgoing_status == codes.DirectionStatus.SUCCESS, "its outgoing direction synced"
    assert broken.last_error_code == "MailboxNotFound", "the incoming direction it disabled still stands"
    assert reload(healthy).last_error_code is None
