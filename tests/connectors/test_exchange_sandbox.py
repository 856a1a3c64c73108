"""The Exchange connector end to end: exchangelib over HTTPS to the EWS sandbox, the store on SQLite.

The sandbox's CA is trusted only through the profile's trusted CA file (no global adapter, no
verification switched off), exactly as an administrator would configure a private CA.
"""
import asyncio
import base64
from datetime import UTC, datetime, timedelta

import pytest
import requests

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import exchange
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.connectors._ews_mail import EwsTransport
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import (
    Account,
    Activity,
    ActivityParty,
    Attachment,
    FolderSyncState,
    Mailbox,
    TrackingDecision,
)
from crmsync_gui.core.sync import incoming, outgoing, tracking
from tests.connectors.exchange_world import exchange_world

Status = codes.EmailStatus


@pytest.fixture
def world(db, sandbox):
    """A CRM user Ann with an approved mailbox on the sandbox, a profile trusting the sandbox CA, a connector."""
    world = exchange_world(sandbox, "ann", password="ann-pw", max_concurrent_connections=2)
    yield world
    world.close()


def run(coro):
    return asyncio.run(coro)


def set_option(world, option):
    world.user.tracking_option = option
    world.user.save()
    world.mailbox = world.mailbox.__class__.get_by_id(world.mailbox.id)
    world.job.mailbox = world.mailbox


def crm_email(world, **fields):
    return Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Offer", owner_user=world.user,
                           email_status=Status.SENT, direction_outgoing=True, regarding_type="account",
                           regarding_id=7, **fields)


def test_test_and_enable_trusts_only_the_profiles_ca(world, tmp_path):
    run(world.connector.test(world.job, codes.Direction.INCOMING))
    run(world.connector.test(world.job, codes.Direction.OUTGOING))
    # Nothing was switched off globally: a plain client still refuses the sandbox's private CA.
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(world.sandbox.url, data=b"", timeout=5)
    world.profile_without_ca = admin.save_profile({"trusted_ca_file": None}, profile=world.job.profile)
    stranger = exchange.ExchangeConnector(world.job.profile)
    try:
        with pytest.raises(PermanentError) as caught:
            run(stranger.test(world.job, codes.Direction.INCOMING))
        assert caught.value.code == "CertificateInvalid"
    finally:
        run(stranger.close())


def test_wrong_password_is_permanent_and_never_echoed(world):
    world.job.password = "wrong-Secret-42"
    with pytest.raises(PermanentError) as caught:
        run(world.connector.test(world.job, codes.Direction.INCOMING))
    assert caught.value.code == "AuthenticationFailed" and "wrong-Secret-42" not in str(caught.value)


def test_incoming_tracks_replies_marks_them_and_records_why_not(world):
    parent = crm_email(world, message_id="<crm-1@contoso.com>")
    sandbox, address = world.sandbox, world.address
    reply = sandbox.add_message(address, subject="Re: Offer", body="Yes please", sender=("Bo", "bo@fabrikam.com"),
                                to=[("Ann", address)], message_id="<r1@fabrikam.com>",
                                in_reply_to="<crm-1@contoso.com>",
                                attachments=[("terms.txt", "text/plain", b"signed")])
    stranger = sandbox.add_message(address, subject="Cheap watches", sender=("Spam", "spam@junk.example"),
                                   to=[("Ann", address)], message_id="<s1@junk.example>")
    assert run(incoming.run(world.job, world.connector)) == 2
    tracked = Activity.get(Activity.message_id == "<r1@fabrikam.com>")
    assert tracked.email_status == Status.RECEIVED and (tracked.regarding_type, tracked.regarding_id) == ("account", 7)
    assert TrackingDecision.get(server_id=reply).correlated_with_id == parent.id
    assert {p.address for p in ActivityParty.select().where(ActivityParty.activity == tracked)} == {
        "bo@fabrikam.com", address}
    assert Attachment.get(activity=tracked).content == b"signed"
    assert "answers no CRM email" in tracking.why_not_tracked(world.mailbox, server_id=stranger)
    on_server = {i["id"]: i["categories"] for i in sandbox.items(address)}
    assert TRACKED_CATEGORY in on_server[reply] and on_server[stranger] == []
    assert FolderSyncState.get(mailbox=world.mailbox, folder="Inbox").state


def test_idle_cycle_costs_one_request_per_folder(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    sandbox.add_folder(address, "Clients")
    admin.save_folder_rules(world.mailbox, [{"folder": "Clients"}])
    sandbox.add_message(address, subject="hello", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    assert run(incoming.run(world.job, world.connector)) == 1
    sandbox.reset_stats()  # our category change was taken in (ignored) by the first cycle itself
    assert run(incoming.run(world.job, world.connector)) == 0
    assert sandbox.requests_by_operation(address) == {"SyncFolderItems": 2}  # Inbox and Clients


def test_tracked_folder_sets_regarding_and_correlation_rules_work_over_ews(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.NONE)
    folder_id = sandbox.add_folder(address, "Fabrikam deal")
    Account.create(id=42, name="Fabrikam")
    admin.save_folder_rules(world.mailbox, [{"folder": "Fabrikam deal", "regarding_type": "account", "regarding_id": 42}])
    sandbox.add_message(address, folder=folder_id, subject="Contract", sender=("Bo", "bo@fabrikam.com"),
                        to=[("Ann", address)], message_id="<f1@fabrikam.com>")
    set_option(world, codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    crm_email(world, tracking_token="CRM:0001007")
    header = bytes(range(22))
    crm_email(world, thread_index=base64.b64encode(header).decode())
    sandbox.add_message(address, subject="RE: Offer CRM:0001007", sender=("Bo", "bo@fabrikam.com"),
                        to=[("Ann", address)], message_id="<t1@fabrikam.com>")
    sandbox.add_message(address, subject="RE: Offer", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                        message_id="<c1@fabrikam.com>", thread_index=base64.b64encode(header + b"12345").decode())
    run(incoming.run(world.job, world.connector))
    in_folder = Activity.get(Activity.message_id == "<f1@fabrikam.com>")
    assert (in_folder.regarding_type, in_folder.regarding_id) == ("account", 42)
    assert TrackingDecision.get(message_id="<t1@fabrikam.com>").correlation == "Tracking token"
    assert TrackingDecision.get(message_id="<c1@fabrikam.com>").correlation == "Thread-Index"


def test_server_busy_becomes_transient_with_the_servers_back_off(world):
    world.sandbox.inject("busy", mailbox=world.address, operation="SyncFolderItems", times=1, back_off_ms=1500)
    with pytest.raises(TransientError) as caught:
        run(incoming.run(world.job, world.connector))
    assert caught.value.code == "ErrorServerBusy" and caught.value.retry_after_s == 1.5
    assert run(incoming.run(world.job, world.connector)) == 0  # and the next cycle works


@pytest.mark.parametrize("code, kind, trace_code", [
    ("ErrorMailboxStoreUnavailable", TransientError, "StoreUnavailable"),
    ("ErrorNonExistentMailbox", PermanentError, "MailboxNotFound"),
    ("ErrorAccessDenied", PermanentError, "AccessDenied"),
])
def test_response_errors_map_to_the_taxonomy(world, code, kind, trace_code):
    # On GetFolder: the sandbox's scripted SyncFolderItems error reply lacks SyncState, which exchangelib needs.
    world.sandbox.inject("error", mailbox=world.address, operation="GetFolder", times=1, code=code)
    with pytest.raises(kind) as caught:
        run(world.connector.test(world.job, codes.Direction.INCOMING))
    assert caught.value.code == trace_code


def test_outage_is_transient_and_passes(world):
    world.sandbox.inject("http", mailbox=None, operation=None, times=1, status=503)
    with pytest.raises(TransientError) as caught:
        run(world.connector.test(world.job, codes.Direction.INCOMING))
    assert caught.value.code == "ServerError"
    run(world.connector.test(world.job, codes.Direction.INCOMING))


def pending(world, to, subject="Proposal"):
    email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, body="Please find it.",
                            owner_user=world.user, email_status=Status.PENDING_SEND, direction_outgoing=True)
    ActivityParty.create(activity=email, role=codes.PartyRole.TO, address=to)
    return email


def test_outgoing_sends_through_ews_with_token_and_saves_a_copy(world):
    sandbox, address = world.sandbox, world.address
    bob = address.replace("ann", "bob", 1)  # as fresh as Ann's
    sandbox.add_mailbox(bob, "bob-pw")
    email = pending(world, bob)
    assert run(outgoing.run(world.job, world.connector)) == 1
    email = Activity.get_by_id(email.id)
    assert email.email_status == Status.SENT and email.tracking_token
    [copy] = sandbox.items(address, "sentitems")
    assert copy["message_id"] == email.message_id and email.tracking_token in copy["subject"]
    [delivered] = sandbox.items(bob)
    assert delivered["message_id"] == email.message_id


def test_a_long_subject_reaches_exchange_with_its_token_whole_and_keeps_it_in_a_reply(world, outlook):
    sandbox, address = world.sandbox, world.address
    bob = address.replace("ann", "bob", 1)
    sandbox.add_mailbox(bob, "bob-pw")
    email = pending(world, bob, subject="Renewal of the framework agreement " + "and its annexes " * 14)
    assert run(outgoing.run(world.job, world.connector)) == 1
    token = Activity.get_by_id(email.id).tracking_token
    [copy] = sandbox.items(address, "sentitems")
    [delivered] = sandbox.items(bob)
    for item in (copy, delivered):  # as Exchange holds them: 255 characters at most, the token last
        assert len(item["subject"]) <= 255 and item["subject"].endswith(" " + token)
        assert tracking.find_token(item["subject"], tracking.organization_settings()) == token

    received = outlook(bob, "bob-pw").inbox.get(id=delivered["id"])
    received.reply(subject=None, body="Agreed.")  # Exchange writes "RE: " + the subject, and keeps 255 of it
    [reply] = sandbox.items(address)
    assert reply["subject"].startswith("RE: Renewal")
    assert tracking.find_token(reply["subject"], tracking.organization_settings()) == token


class Crash(BaseException):
    pass


def test_kill_between_send_and_commit_never_sends_twice(world):
    sandbox, address = world.sandbox, world.address
    bob = address.replace("ann", "bob", 1)  # as fresh as Ann's
    sandbox.add_mailbox(bob, "bob-pw")
    email = pending(world, bob)
    transport = EwsTransport(world.connector.session)

    class DiesAfterSending(EwsTransport):
        async def send(self, job, message, handing_over):
            await transport.send(job, message, handing_over)
            raise Crash()  # the process dies before "Sent" is committed

    with pytest.raises(Crash):
        run(outgoing.send_pending(world.job, DiesAfterSending(world.connector.session)))
    assert Activity.get_by_id(email.id).email_status == Status.SENDING
    assert run(outgoing.send_pending(world.job, transport)) == 1  # the restart
    assert Activity.get_by_id(email.id).email_status == Status.SENT
    assert len(sandbox.items(bob)) == 1 and len(sandbox.items(address, "sentitems")) == 1


def test_connections_stay_within_the_profiles_cap(world):
    set_option(world, codes.TrackingOption.ALL)
    for n in range(5):
        world.sandbox.add_message(world.address, subject=f"m{n}", sender=("Bo", "bo@fabrikam.com"),
                                  to=[("Ann", world.address)])

    async def many():
        await asyncio.gather(*(incoming.run(world.job, world.connector) for _ in range(4)),
                             outgoing.run(world.job, world.connector))

    run(many())
    assert world.job.peak <= world.job.profile.max_concurrent_connections
    assert world.sandbox.peak_concurrent(world.address) <= world.job.profile.max_concurrent_connections


def test_an_unreadable_email_is_kept_for_the_admin_and_the_rest_goes_on(world):
    from crmsync_gui.core.store.models import UnreadableEmail

    set_option(world, codes.TrackingOption.ALL)
    bad = world.sandbox.add_message(world.address, mime=b"just words, no header at all\r\n")
    world.sandbox.add_message(world.address, subject="fine", sender=("Bo", "bo@fabrikam.com"),
                              to=[("Ann", world.address)], message_id="<ok@fabrikam.com>")
    run(incoming.run(world.job, world.connector))
    assert UnreadableEmail.get(server_id=bad).raw.startswith(b"just words")
    assert Activity.get(Activity.message_id == "<ok@fabrikam.com>").subject == "fine"


def test_an_unreadable_email_moves_to_undeliverable_when_the_profile_says_so(world):
    from crmsync_gui.core.store.models import TraceLog, UnreadableEmail

    set_option(world, codes.TrackingOption.ALL)
    world.job.profile.move_failed_to_undeliverable = True
    bad = [world.sandbox.add_message(world.address, mime=b"no headers %d\r\n" % n) for n in range(2)]
    world.sandbox.add_message(world.address, subject="fine", sender=("Bo", "bo@fabrikam.com"),
                              to=[("Ann", world.address)], message_id="<fine@fabrikam.com>")
    assert run(incoming.run(world.job, world.connector)) == 3
    assert [i["subject"] for i in world.sandbox.items(world.address)] == ["fine"]
    undeliverable = world.sandbox.folders(world.address)["Top of Information Store/Inbox/Undeliverable"]
    moved = world.sandbox.items(world.address, undeliverable)
    assert len(moved) == 2 and all(world.sandbox.mime(world.address, i["id"]).startswith(b"no headers")
                                   for i in moved)
    assert {u.server_id for u in UnreadableEmail.select()} == set(bad)  # listed under the ids they were read by
    traces = list(TraceLog.select().where(TraceLog.code == "EmailUnreadable"))
    assert len(traces) == 2 and all("moved from Inbox to Inbox/Undeliverable" in t.message for t in traces)

    world.sandbox.add_message(world.address, mime=b"no headers again\r\n")
    assert run(incoming.run(world.job, world.connector)) == 1  # the folder exists now: found, not made twice
    assert len(world.sandbox.items(world.address, undeliverable)) == 3
    assert sum(1 for path in world.sandbox.folders(world.address) if path.endswith("/Undeliverable")) == 1


def test_a_first_syncs_old_email_is_no_arrival_and_a_new_one_after_it_is(world):
    """The Mailboxes page's arrival to CRM (Mailbox.arrival_latency_s) counts arrivals only: the old email a first
    sync finds waited for the mailbox to be enabled, not for the sync (views.is_arrival, the dashboard's rule)."""
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    old = [sandbox.add_message(address, subject=f"Old {i}", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
           for i in range(3)]
    with sandbox.store.lock:  # they reached the mailbox ten days ago
        for item_id in old:
            sandbox.store.get(address).items[item_id].received = datetime.now(UTC) - timedelta(days=10)
    assert run(incoming.run(world.job, world.connector)) == 3
    assert Mailbox.get_by_id(world.mailbox.id).arrival_latency_s is None
    assert run(incoming.run(world.job, world.connector)) == 0  # an idle run changes nothing
    assert Mailbox.get_by_id(world.mailbox.id).arrival_latency_s is None
    sandbox.add_message(address, subject="New", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    assert run(incoming.run(world.job, world.connector)) == 1
    latency = Mailbox.get_by_id(world.mailbox.id).arrival_latency_s
    assert latency is not None and latency < 60


def test_the_mailboxes_of_an_impersonating_account_share_one_protocol_and_its_connections(db, sandbox):
    """One exchangelib Protocol (one session pool, at most the profile's connections) for every mailbox the service
    account acts for: what keeps a big organization's memory per mailbox small (bench_ews_idle measures it)."""
    sandbox.add_mailbox("svc-share@sandbox.test", "svc-pw", name="Service")
    sandbox.grant_impersonation("svc-share@sandbox.test")
    ann = exchange_world(sandbox, "shared", password="svc-pw", mailbox_password="not-used",
                         username="svc-share@sandbox.test", max_concurrent_connections=2)
    try:
        bob_mailbox = admin.map_mailbox(admin.add_mailbox("Bob", "bob-share@sandbox.test", ann.job.profile),
                                        admin.add_user("Bob Ray", "bob-share@sandbox.test"))
        sandbox.add_mailbox("bob-share@sandbox.test", "not-used", name="Bob")
        bob = type(ann.job)(Mailbox.get_by_id(bob_mailbox.id), ann.job.profile, "svc-pw", slots=ann.job.slots)
        for job in (ann.job, bob, ann.job):
            assert asyncio.run(incoming.run(job, ann.connector)) == 0
        assert ann.connector.session.account(ann.job).protocol is ann.connector.session.account(bob).protocol
        assert sandbox.peak_connections("bob-share@sandbox.test") <= 2, "one pool of the profile's cap for both"
    finally:
        ann.close()
