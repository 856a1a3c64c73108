"""The real engine driving the Graph connector against the Graph sandbox: every direction of a Graph mailbox
through `sync_now`, the client secret from the secret store; a throttled mailbox is the server's pause."""
import asyncio

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import graph as graph_connector  # noqa: F401  (registers the connector)
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.models import Activity, ActivityParty, Contact, EmailServerProfile, Mailbox
from crmsync_gui.core.sync.engine import Engine
from crmsync_gui.sandbox.graph.tokens import ALL_PERMISSIONS
from tests.connectors.graph_world import SECRET, TENANT, graph_world

Status = codes.EmailStatus


@pytest.fixture(autouse=True)
def _trust_only_the_profiles_ca(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)


def enabled(world, tmp_path, secret=SECRET) -> Engine:
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    EmailServerProfile.update(secret_ref=secrets.put(secret)).where(
        EmailServerProfile.id == world.mailbox.profile_id).execute()
    Mailbox.update(approval=codes.Approval.APPROVED, act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(
        Mailbox.id == world.mailbox.id).execute()
    admin.set_enabled(Mailbox.get_by_id(world.mailbox.id), True)
    return Engine(secrets=secrets)


def sync_now(engine, mailbox_id, *directions):
    async def go():
        await engine.start(scheduler=False)
        try:
            return [r for d in directions for r in await engine.sync_now(mailbox_id, d)]
        finally:
            await engine.stop()

    return asyncio.run(go())


def test_every_direction_syncs_through_the_engine(db, sandbox, graph, tmp_path):
    world = graph_world(sandbox, graph, "geng", tracking_option=codes.TrackingOption.ALL, sync_filter_templates=True)
    bob = world.address.replace("geng", "gbob", 1)
    sandbox.add_mailbox(bob, "unused")
    sandbox.add_message(world.address, subject="Hello over Graph", sender=("Bo", "bo@fabrikam.com"),
                        to=[("Ann", world.address)])
    email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Proposal", body="Attached.",
                            owner_user=world.user, email_status=Status.PENDING_SEND, direction_outgoing=True)
    ActivityParty.create(activity=email, role=codes.PartyRole.TO, address=bob)
    Contact.create(first_name="Bo", last_name="Berg", email="bo@fabrikam.com", owner=world.user)
    engine = enabled(world, tmp_path)
    results = sync_now(engine, world.mailbox.id, codes.Direction.INCOMING, codes.Direction.OUTGOING,
                       codes.Direction.ACT)
    assert [(r.direction, r.code) for r in results] == [(codes.Direction.INCOMING, None),
                                                        (codes.Direction.OUTGOING, None), (codes.Direction.ACT, None)]
    assert Activity.select().where(Activity.subject == "Hello over Graph").exists()
    assert Activity.get_by_id(email.id).email_status == Status.SENT and len(sandbox.items(bob)) == 1
    assert len(sandbox.items(world.address, "contacts")) == 1
    assert graph.peak_concurrent(world.address) <= 4


def test_a_missing_permission_disables_the_direction_naming_it(db, sandbox, graph, tmp_path):
    graph.add_app("eng-narrow", "eng-narrow-secret", tenant=TENANT, permissions=ALL_PERMISSIONS - {"Mail.ReadWrite"})
    world = graph_world(sandbox, graph, "gengp", username="eng-narrow")
    engine = enabled(world, tmp_path, secret="eng-narrow-secret")
    [result] = sync_now(engine, world.mailbox.id, codes.Direction.INCOMING)
    assert result.code == "PermissionMissing" and result.disabled and "Mail.ReadWrite" in result.message
    mailbox = Mailbox.get_by_id(world.mailbox.id)
    assert "eng-narrow-secret" not in (mailbox.last_error_message or "")


def test_a_long_throttle_is_the_servers_pause_not_a_failure(db, sandbox, graph, tmp_path):
    world = graph_world(sandbox, graph, "gengt")
    engine = enabled(world, tmp_path)
    graph.inject("busy", mailbox=world.address, operation="message_delta", times=1, back_off_ms=300_000)
    [result] = sync_now(engine, world.mailbox.id, codes.Direction.INCOMING)
    mailbox = Mailbox.get_by_id(world.mailbox.id)
    assert result.transient and not result.disabled
    assert mailbox.incoming_transient_failures == 0 and mailbox.incoming_enabled
    graph.clear_faults()


def test_the_request_budget_a_job_used_is_stored_on_the_mailbox(db, sandbox, graph, tmp_path):
    """So the console shows it after a restart: the last figure the connector told of, as the job ended."""
    world = graph_world(sandbox, graph, "gengb")
    engine = enabled(world, tmp_path)
    assert Mailbox.get_by_id(world.mailbox.id).request_budget_at is None
    [result] = sync_now(engine, world.mailbox.id, codes.Direction.INCOMING)
    assert result.code is None
    mailbox = Mailbox.get_by_id(world.mailbox.id)
    sent = sum(graph.requests_by_operation(world.address).values())
    assert 1 <= mailbox.request_budget_used <= sent
    assert (mailbox.request_budget_limit, mailbox.request_budget_window_s) == (10_000, 600.0)
    assert mailbox.request_budget_at is not None
