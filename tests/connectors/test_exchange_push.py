"""Push for Exchange: the real engine, the Exchange connector's streaming notifications and the EWS sandbox."""
import asyncio
import threading
import time
from datetime import timedelta

import pytest

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.models import Activity, EmailServerProfile, Mailbox
from crmsync_gui.core.sync.clock import FakeClock
from crmsync_gui.core.sync.engine import Engine
from crmsync_gui.sandbox import SandboxServer
from tests.connectors.conftest import run
from tests.connectors.exchange_world import exchange_world
from tests.waiting import until


@pytest.fixture(autouse=True)
def short_streams(sandbox):
    """Streaming connections of 2 s instead of Exchange's minute, so mailboxes join and tests end fast."""
    sandbox.streaming_limit = 2
    yield
    sandbox.streaming_limit = None


def engine_for(world, tmp_path, *mailboxes) -> Engine:
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    ref = secrets.put(world.job.password)
    EmailServerProfile.update(secret_ref=ref).where(EmailServerProfile.id == world.mailbox.profile_id).execute()
    for mailbox in mailboxes or (world.mailbox,):
        Mailbox.update(secret_ref=ref, approval=codes.Approval.APPROVED, incoming_enabled=True,
                       incoming_method=codes.IncomingMethod.SERVER_SIDE_SYNC).where(Mailbox.id == mailbox.id).execute()
    return Engine(secrets=secrets)


def pushes(engine, mailbox_id: int) -> bool:
    return any(c.connector.push.connected(mailbox_id) for _, c in engine._connectors.values())


def tracked(subject: str) -> bool:
    return Activity.select().where(Activity.subject == subject).exists()


def deliver(world, subject: str, address: str | None = None) -> None:
    world.sandbox.add_message(address or world.address, subject=subject, sender=("Bo", "bo@fabrikam.com"),
                              to=[("Ann", address or world.address)])


def pushed_world(sandbox, tmp_path):
    world = exchange_world(sandbox, "push", tracking_option=codes.TrackingOption.ALL, max_concurrent_connections=4)
    return world, engine_for(world, tmp_path)


async def subscribed(engine, world) -> None:
    await engine.start()
    try:
        await until(lambda: pushes(engine, world.mailbox.id), "the first sync to subscribe", 15)
    except AssertionError:
        await engine.stop()
        raise


def test_new_email_is_tracked_within_5_seconds_of_arriving(sandbox, db, tmp_path):
    world, engine = pushed_world(sandbox, tmp_path)

    async def go():
        await subscribed(engine, world)
        try:
            await asyncio.to_thread(deliver, world, "Pushed by Exchange")
            return await until(lambda: tracked("Pushed by Exchange"), "the email to be tracked (5 s at most)", 5)
        finally:
            await engine.stop()

    assert run(go()) < 5
    assert sandbox.requests_by_operation(world.address)["Subscribe"] == 1
    assert Mailbox.get_by_id(world.mailbox.id).arrival == codes.Arrival.PUSH



def test_email_filed_in_or_moved_into_a_tracked_folder_is_pushed(sandbox, db, tmp_path):
    """The subscription covers the tracked folders too: a Created event (a server rule filed the email) and a
    Moved event (the user dragged an email in from a folder nobody tracks) each bring an incoming sync."""
    world, engine = pushed_world(sandbox, tmp_path)
    clients = sandbox.add_folder(world.address, "Clients")
    later = sandbox.add_folder(world.address, "Later")
    admin.save_folder_rules(world.mailbox, [{"folder": "Clients"}])
    sandbox.add_message(world.address, folder=later, subject="Kept for later", sender=("Bo", "bo@fabrikam.com"),
                        to=[("Ann", world.address)])

    def move_in() -> None:
        (world.account.inbox / "Later").get(subject="Kept for later").move(world.account.inbox / "Clients")

    async def go():
        await subscribed(engine, world)
        try:
            await asyncio.to_thread(sandbox.add_message, world.address, folder=clients, subject="Filed by a rule",
                                    sender=("Bo", "bo@fabrikam.com"), to=[("Ann", world.address)])
            await until(lambda: tracked("Filed by a rule"), "the email filed in Clients to be tracked", 5)
            await asyncio.to_thread(move_in)
            return await until(lambda: tracked("Kept for later"), "the email moved into Clients to be tracked", 5)
        finally:
            await engine.stop()

    assert run(go()) < 5
    assert sandbox.requests_by_operation(world.address)["Subscribe"] == 1

def test_stopping_the_engine_hangs_up_its_open_stream_at_once_and_leaves_no_thread_reading(sandbox, db, tmp_path):
    sandbox.streaming_limit = None  # Exchange's minute: the open stream would not end by itself before the stop
    world, engine = pushed_world(sandbox, tmp_path)

    async def go():
        await subscribed(engine, world)
        await until(lambda: sandbox.open_streams == 1, "the stream to be open at the sandbox", 10)
        started = time.monotonic()
        await engine.stop()
        stopping = time.monotonic() - started
        # a thread hung up has stopped reading; it may still be handing its outcome back for a moment
        await until(lambda: not [t for t in threading.enumerate() if t.name == "ews-stream"],
                    "the stream's thread to end (it read on)", 1)
        await until(lambda: sandbox.open_streams == 0, "the sandbox to see the stream closed", 3)
        return stopping

    assert run(go()) < 3, "the engine's stop waited for its open stream to end"


def test_a_profile_whose_cap_leaves_no_streaming_connection_records_why_its_mailbox_is_polled(sandbox, db, tmp_path):
    world = exchange_world(sandbox, "capped", tracking_option=codes.TrackingOption.ALL, max_concurrent_connections=1)
    engine = engine_for(world, tmp_path)

    async def go():
        await engine.start(scheduler=False)
        try:
            return await engine.sync_now(world.mailbox.id, codes.Direction.INCOMING)
        finally:
            await engine.stop()

    assert [r.code for r in run(go())] == [None]
    assert Mailbox.get_by_id(world.mailbox.id).arrival == codes.Arrival.CAP_REACHED
    assert "Subscribe" not in sandbox.requests_by_operation(world.address)



def test_a_mailbox_whose_subscription_the_server_refuses_records_why_it_is_polled(sandbox, db, tmp_path):
    world, engine = pushed_world(sandbox, tmp_path)
    refused = sandbox.inject("error", mailbox=world.address, operation="Subscribe", code="ErrorAccessDenied")

    async def go():
        await engine.start(scheduler=False)
        try:
            return await engine.sync_now(world.mailbox.id, codes.Direction.INCOMING)
        finally:
            await engine.stop()

    assert [r.code for r in run(go())] == [None]  # the sync itself went well
    assert refused.hits >= 1
    assert Mailbox.get_by_id(world.mailbox.id).arrival == codes.Arrival.REFUSED
    assert sandbox.open_streams == 0 and "GetStreamingEvents" not in sandbox.requests_by_operation(world.address)

@pytest.mark.parametrize("ended", ["ErrorSubscriptionNotFound", "ErrorExpiredSubscription"])
def test_a_dropped_stream_and_an_expired_subscription_lose_nothing(sandbox, db, tmp_path, ended):
    world, engine = pushed_world(sandbox, tmp_path)

    async def go():
        await subscribed(engine, world)
        try:
            dropped = sandbox.inject("drop", mailbox=world.address, operation="GetStreamingEvents", times=1)
            # the open stream ends within its 2 s; the next connection is the one dropped
            await asyncio.to_thread(deliver, world, "While the stream reconnects")
            await until(lambda: tracked("While the stream reconnects"), "the email sent while the stream reconnects",
                        20)
            await until(lambda: dropped.hits == 1, "the stream to be opened again", 20)
            await asyncio.to_thread(deliver, world, "After the drop")
            await until(lambda: tracked("After the drop"), "the email sent after the dropped stream", 20)
            gone = sandbox.inject("error", mailbox=world.address, operation="GetStreamingEvents",
                                  code=ended, times=1)
            await until(lambda: gone.hits == 1, "the expired subscription to be read", 20)
            await asyncio.to_thread(deliver, world, "After the subscription expired")
            await until(lambda: tracked("After the subscription expired"),
                        "the email sent after the subscription expired", 20)
            await until(lambda: pushes(engine, world.mailbox.id), "push to be renewed", 30)
        finally:
            await engine.stop()

    run(go())
    assert sandbox.requests_by_operation(world.address)["Subscribe"] == 2  # the first, and the renewal



def test_a_lost_notification_costs_minutes_never_the_email(sandbox, db, tmp_path):
    """Polling stays the safety net (issue 19 item 4): the stream loses the email's notification, the mailbox
    stays push connected and nothing syncs it, until its scheduled poll, at most 12 minutes later."""
    world, _ = pushed_world(sandbox, tmp_path)
    clock = FakeClock()
    engine = Engine(secrets=engine_for(world, tmp_path).secrets, clock=clock)

    async def go():
        await subscribed(engine, world)
        try:
            lost = sandbox.inject("lose", mailbox=world.address, operation="GetStreamingEvents", times=1)
            await until(lambda: lost.hits == 1, "the next stream, the one that loses its notifications", 10)
            await asyncio.to_thread(deliver, world, "Notification lost")
            await asyncio.sleep(3)  # the lossy stream ends, the next begins: none says anything, nothing syncs
            assert not tracked("Notification lost") and pushes(engine, world.mailbox.id)
            due = Mailbox.get_by_id(world.mailbox.id).incoming_next_run
            assert due <= clock.now() + timedelta(minutes=12)
            clock.advance((due - clock.now()).total_seconds())
            return await until(lambda: tracked("Notification lost"), "the scheduled poll to track the email", 10)
        finally:
            await engine.stop()

    run(go())

def test_a_burst_of_500_arrivals_is_a_handful_of_syncs_and_many_mailboxes_share_one_stream(db, tmp_path):
    with SandboxServer() as sandbox:  # its own: the connection peak counts this test's connections only
        sandbox.streaming_limit = 2
        _burst_and_cap(sandbox, tmp_path)


def _service_world(sandbox, cap: int):
    """A mailbox of a profile that signs in as one impersonating service account, as an organisation's does."""
    service = "svc-push@sandbox.test"
    sandbox.add_mailbox(service, "svc-pw")
    sandbox.grant_impersonation(service)
    return exchange_world(sandbox, "push", tracking_option=codes.TrackingOption.ALL, password="svc-pw",
                          username=service, max_concurrent_connections=cap)


def incoming_runs(engine, mailbox_id: int) -> list:
    """The incoming runs of a mailbox the engine starts from now on."""
    runs = []
    engine.bus.subscribe(lambda e: runs.append(e) if isinstance(e, events.JobStarted) and e.mailbox_id == mailbox_id
                         and e.direction == codes.Direction.INCOMING else None)
    return runs


def _burst_and_cap(sandbox, tmp_path):
    world = _service_world(sandbox, 3)
    others = [exchange_world(sandbox, "push", tracking_option=codes.TrackingOption.ALL).mailbox for _ in range(5)]
    Mailbox.update(profile=world.mailbox.profile_id).where(Mailbox.id.in_([m.id for m in others])).execute()
    engine = engine_for(world, tmp_path, world.mailbox, *others)

    async def go():
        await engine.start()
        try:
            await until(lambda: all(pushes(engine, m.id) for m in [world.mailbox, *others]),
                        "every mailbox to join the stream", 30)
            before = sandbox.requests_by_operation(world.address)["SyncFolderItems"]
            runs = incoming_runs(engine, world.mailbox.id)
            await asyncio.to_thread(lambda: [deliver(world, f"Burst {n}") for n in range(500)])
            await until(lambda: Activity.select().where(Activity.subject.startswith("Burst")).count() == 500,
                        "the burst to be tracked", 30)
            return len(runs), sandbox.requests_by_operation(world.address)["SyncFolderItems"] - before
        finally:
            await engine.stop()

    runs, pages = run(go())
    assert 1 <= runs <= 5, f"{runs} incoming runs for 500 arrivals"  # a handful, not one run per email
    # pages of 100 and each run's last page; a page or two more when a run was under way as the count began
    # (seen once in 7 clean-clone runs: 7 pages for 1 run), never one request per email
    assert pages <= 7 + runs
    assert sandbox.peak_concurrent() <= 3
    assert sandbox.peak_connections() <= 3  # the profile's cap, streams included
    assert sandbox.peak_streams == 1  # one sign-in: its mailboxes share one streaming connection


def test_200_subscribed_mailboxes_with_a_cap_of_5_never_exceed_5_connections_at_the_sandbox(db, tmp_path):
    with SandboxServer() as sandbox:  # its own: the peak counts this test's connections only
        sandbox.streaming_limit = 2
        world = _service_world(sandbox, 5)
        others = []
        for n in range(199):
            address = f"many{n}@sandbox.test"
            sandbox.add_mailbox(address, "pw", name=f"User {n}")
            owner = admin.add_user(f"User {n}", address, tracking_option=codes.TrackingOption.ALL)
            others.append(admin.map_mailbox(admin.add_mailbox(f"User {n}", address, world.job.profile), owner))
        mailboxes = [world.mailbox, *others]
        engine = engine_for(world, tmp_path, *mailboxes)

        async def go():
            await engine.start()
            try:
                await until(lambda: all(pushes(engine, m.id) for m in mailboxes), "all 200 mailboxes to subscribe",
                            120)
                # one email for every mailbox at once: 200 due syncs and the stream share the 5 connections
                await asyncio.to_thread(lambda: [deliver(world, f"To {m.email}", m.email) for m in mailboxes])
                await until(lambda: Activity.select().where(Activity.subject.startswith("To ")).count() == 200,
                            "an email in each of the 200 mailboxes to be tracked", 120)
            finally:
                await engine.stop()

        run(go())
        assert sandbox.requests_by_operation()["Subscribe"] == 200
        assert sandbox.peak_connections() <= 5, f"{sandbox.peak_connections()} connections over a cap of 5"
        assert sandbox.peak_concurrent() <= 5
        assert sandbox.peak_streams == 1  # 200 subscriptions of one sign-in on one streaming connection
