"""Graph's new email by delta polling: the real engine, the Graph connector and the Graph sandbox. An active
mailbox's Inbox and tracked folder are read again within the poll interval, one request per folder per check."""
import asyncio

import pytest

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.models import Activity, EmailServerProfile, Mailbox
from crmsync_gui.core.sync import arrival
from crmsync_gui.core.sync.engine import Engine
from tests.connectors.conftest import run
from tests.connectors.graph_world import SECRET, graph_world
from tests.waiting import until

SHIPPED_POLL_S = arrival.DELTA_POLL_S
POLL_S = 1.0  # the interval under test, instead of the shipped one, so the test ends fast


@pytest.fixture(autouse=True)
def _short_poll_and_the_profiles_ca(monkeypatch):
    monkeypatch.setattr(arrival, "DELTA_POLL_S", POLL_S)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)


def polled_world(sandbox, graph, tmp_path):
    world = graph_world(sandbox, graph, "gpoll", tracking_option=codes.TrackingOption.ALL)
    sandbox.add_folder(world.address, "Clients")
    admin.save_folder_rules(world.mailbox, [{"folder": "Clients"}])
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    EmailServerProfile.update(secret_ref=secrets.put(SECRET)).where(
        EmailServerProfile.id == world.mailbox.profile_id).execute()
    Mailbox.update(approval=codes.Approval.APPROVED).where(Mailbox.id == world.mailbox.id).execute()
    admin.set_enabled(Mailbox.get_by_id(world.mailbox.id), True)
    return world, Engine(secrets=secrets)


def test_new_email_is_tracked_within_the_poll_interval_at_one_request_per_folder(db, sandbox, graph, tmp_path):
    world, engine = polled_world(sandbox, graph, tmp_path)
    checks = []
    engine.bus.subscribe(lambda e: checks.append(e) if isinstance(e, events.JobFinished)
                         and e.direction == codes.Direction.INCOMING else None)

    async def go():
        await engine.start()
        try:
            await until(lambda: len(checks) >= 1, "the first incoming sync", 15)
            graph.stats.reset()
            done = len(checks)
            await until(lambda: len(checks) >= done + 3, "the mailbox to be polled again", 3 * POLL_S + 10)
            idle_checks = len(checks) - done
            idle_requests = graph.requests_by_operation(world.address)
            await asyncio.to_thread(sandbox.add_message, world.address, subject="Polled from Graph",
                                    sender=("Bo", "bo@fabrikam.com"), to=[("Ann", world.address)])
            waited = await until(lambda: Activity.select().where(Activity.subject == "Polled from Graph").exists(),
                                 "the email to be tracked within the poll interval", POLL_S + 5)
            return idle_checks, idle_requests, waited
        finally:
            await engine.stop()

    idle_checks, idle_requests, waited = run(go())
    # every request of an idle check is one delta read per folder (Inbox and Clients), nothing else
    assert set(idle_requests) == {"message_delta"}
    assert idle_requests["message_delta"] in (2 * idle_checks, 2 * (idle_checks + 1))  # one more may be under way
    assert waited < POLL_S + 5
    assert Mailbox.get_by_id(world.mailbox.id).arrival == codes.Arrival.DELTA_POLL
    assert Mailbox.get_by_id(world.mailbox.id).arrival_latency_s is not None


def test_the_shipped_poll_interval_is_30_to_60_s_and_inside_graphs_request_budget():
    # 10,000 requests per 10 minutes per mailbox (Exchange Online); a check is one request per folder
    most_folders = codes.MAX_TRACKED_FOLDERS + 1  # the Inbox and every tracked folder a mailbox may have
    assert 30 <= SHIPPED_POLL_S <= 60
    assert most_folders * (600 / SHIPPED_POLL_S) < 10_000
