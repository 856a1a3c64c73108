"""Email both ways over Microsoft Graph, end to end against the Graph sandbox: the common incoming pipeline
over message delta (correlation, attachments, tracked folders, the category in $batch, an idle cycle of one
request per folder, a forgotten delta token), outgoing email that never goes out twice, and the connector's
ACT side on the same session."""
from __future__ import annotations

import base64

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.connectors._graph_mail import GraphTransport
from crmsync_gui.core.store.models import (
    Account,
    Activity,
    ActivityParty,
    Attachment,
    Contact,
    FolderSyncState,
    TrackingDecision,
)
from crmsync_gui.core.sync import act, incoming, outgoing, tracking
from tests.connectors.graph_world import graph_world

Status = codes.EmailStatus


@pytest.fixture(autouse=True)
def _trust_only_the_profiles_ca(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)


@pytest.fixture
def world(db, sandbox, graph):
    graph.clear_faults()
    return graph_world(sandbox, graph, "ann")


def set_option(world, option):
    world.user.tracking_option = option
    world.user.save()
    world.mailbox = world.mailbox.__class__.get_by_id(world.mailbox.id)
    world.job.mailbox = world.mailbox


def crm_email(world, **fields):
    return Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Offer", owner_user=world.user,
                           email_status=Status.SENT, direction_outgoing=True, regarding_type="account",
                           regarding_id=7, **fields)


def sync(world) -> int:
    return world.run(incoming.run(world.job, world.connector))


def test_incoming_tracks_replies_with_attachments_marks_them_and_records_why_not(world):
    parent = crm_email(world, message_id="<crm-1@contoso.com>")
    sandbox, address = world.sandbox, world.address
    reply = sandbox.add_message(address, subject="Re: Offer", body="Yes please", sender=("Bo", "bo@fabrikam.com"),
                                to=[("Ann", address)], message_id="<r1@fabrikam.com>",
                                in_reply_to="<crm-1@contoso.com>",
                                attachments=[("terms.txt", "text/plain", b"signed")])
    stranger = sandbox.add_message(address, subject="Cheap watches", sender=("Spam", "spam@junk.example"),
                                   to=[("Ann", address)], message_id="<s1@junk.example>",
                                   attachments=[("catalogue.pdf", "application/pdf", b"%PDF-1.4 watches")])
    assert sync(world) == 2
    tracked = Activity.get(Activity.message_id == "<r1@fabrikam.com>")
    assert tracked.email_status == Status.RECEIVED and (tracked.regarding_type, tracked.regarding_id) == ("account", 7)
    assert TrackingDecision.get(server_id=reply).correlated_with_id == parent.id
    assert {p.address for p in ActivityParty.select().where(ActivityParty.activity == tracked)} == {
        "bo@fabrikam.com", address}
    assert Attachment.get(activity=tracked).content == b"signed"
    assert "answers no CRM email" in tracking.why_not_tracked(world.mailbox, server_id=stranger)
    on_server = {i["id"]: i["categories"] for i in sandbox.items(address)}
    assert TRACKED_CATEGORY in on_server[reply] and on_server[stranger] == []
    assert FolderSyncState.get(mailbox=world.mailbox, folder="Inbox").state.startswith(world.graph.graph_url)
    asked = world.graph.requests_by_operation(address)
    assert asked["get_mime"] == 1  # decided on its properties: only the tracked email's MIME was downloaded
    assert asked["patch_message"] == 1  # the category, in a $batch


def test_a_reply_to_an_email_tracked_in_the_same_page_gets_its_attachments_too(world):
    """Both are decided on their properties, then fetched whole and the page decided again: the reply still
    finds the email it answers, and neither loses its attachment."""
    crm_email(world, message_id="<crm-2@contoso.com>")
    sandbox, address = world.sandbox, world.address
    first = sandbox.add_message(address, subject="Re: Offer", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                                message_id="<r2@fabrikam.com>", in_reply_to="<crm-2@contoso.com>",
                                attachments=[("terms.txt", "text/plain", b"signed")])
    second = sandbox.add_message(address, subject="Re: Re: Offer", sender=("Cy", "cy@fabrikam.com"),
                                 to=[("Ann", address)], message_id="<r3@fabrikam.com>", in_reply_to="<r2@fabrikam.com>",
                                 attachments=[("scan.txt", "text/plain", b"countersigned")])
    assert sync(world) == 2
    by_server = {d.server_id: d for d in TrackingDecision.select()}
    assert by_server[second].correlated_with_id == by_server[first].activity_id
    assert sorted(a.content for a in Attachment.select()) == [b"countersigned", b"signed"]
    assert Activity.select().where(Activity.direction_outgoing == False).count() == 2  # noqa: E712 (peewee)
    assert world.graph.requests_by_operation(address)["get_mime"] == 2


def test_where_every_email_is_tracked_attachments_are_fetched_before_deciding_once(world, monkeypatch):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    for n in range(3):
        sandbox.add_message(address, subject=f"Quote {n}", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                            attachments=[(f"quote{n}.txt", "text/plain", b"figures")] if n else [])
    pages, track_page = [], tracking.track_page

    def counted(mailbox, emails, **kwargs):
        pages.append(len(emails))
        return track_page(mailbox, emails, **kwargs)

    monkeypatch.setattr(tracking, "track_page", counted)
    assert sync(world) == 3
    assert pages[0] == 3 and len(pages) == 2  # the first read decided once; the second holds our marks only
    assert Attachment.select().count() == 2
    assert world.graph.requests_by_operation(address)["get_mime"] == 2


def test_an_idle_cycle_costs_one_request_per_folder(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    sandbox.add_folder(address, "Clients")
    admin.save_folder_rules(world.mailbox, [{"folder": "Clients"}])
    sandbox.add_message(address, subject="hello", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    assert sync(world) == 1
    world.graph.stats.reset()
    assert sync(world) == 0
    assert world.graph.requests_by_operation(address) == {"message_delta": 2}  # Inbox and Clients


def test_correlation_by_token_and_thread_index_and_a_folders_regarding(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.NONE)
    folder_id = sandbox.add_folder(address, "Fabrikam deal")
    Account.create(id=42, name="Fabrikam")
    admin.save_folder_rules(world.mailbox, [{"folder": "Fabrikam deal", "regarding_type": "account",
                                             "regarding_id": 42}])
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
    sync(world)
    in_folder = Activity.get(Activity.message_id == "<f1@fabrikam.com>")
    assert (in_folder.regarding_type, in_folder.regarding_id) == ("account", 42)
    assert TrackingDecision.get(message_id="<t1@fabrikam.com>").correlation == "Tracking token"
    assert TrackingDecision.get(message_id="<c1@fabrikam.com>").correlation == "Thread-Index"


def test_a_forgotten_delta_token_rereads_the_folder_and_tracks_nothing_twice(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    for n in range(3):
        sandbox.add_message(address, subject=f"m{n}", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    assert sync(world) == 3
    world.graph.expire_delta_tokens(address)
    sandbox.add_message(address, subject="new", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    assert sync(world) == 1
    assert Activity.select().where(Activity.mailbox == world.mailbox).count() == 4


def pending(world, to, subject="Proposal"):
    email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, body="Please find it.",
                            owner_user=world.user, email_status=Status.PENDING_SEND, direction_outgoing=True)
    ActivityParty.create(activity=email, role=codes.PartyRole.TO, address=to)
    return email


def test_outgoing_sends_a_draft_with_the_token_and_the_journaled_message_id(world):
    sandbox, address = world.sandbox, world.address
    bob = address.replace("ann", "bob", 1)
    sandbox.add_mailbox(bob, "bob-pw")
    email = pending(world, bob)
    assert world.run(outgoing.run(world.job, world.connector)) == 1
    email = Activity.get_by_id(email.id)
    assert email.email_status == Status.SENT and email.tracking_token
    [copy] = sandbox.items(address, "sentitems")
    assert copy["message_id"] == email.message_id and email.tracking_token in copy["subject"]
    [delivered] = sandbox.items(bob)
    assert delivered["message_id"] == email.message_id
    assert sandbox.items(address, "drafts") == []


class Crash(BaseException):
    pass


@pytest.mark.parametrize("dies", ["after sending", "after the draft"])
def test_a_kill_between_send_and_commit_never_sends_twice(world, dies):
    sandbox, address = world.sandbox, world.address
    bob = address.replace("ann", "bob", 1)
    sandbox.add_mailbox(bob, "bob-pw")
    email = pending(world, bob)
    session = world.connector.session

    class Dies(GraphTransport):
        async def send(self, job, message, handing_over):
            if dies == "after sending":
                await GraphTransport(session).send(job, message, handing_over)
            else:  # the draft is saved, then the process dies before sending it
                handing_over()
                await session.call(job, "saving a draft", "POST", session.user_url(job, "messages"),
                                   data=base64.b64encode(message.as_bytes()), headers={"Content-Type": "text/plain"})
            raise Crash()  # the process dies before "Sent" is committed

    with pytest.raises(Crash):
        world.run(outgoing.send_pending(world.job, Dies(session)))
    assert Activity.get_by_id(email.id).email_status == Status.SENDING
    assert world.run(outgoing.send_pending(world.job, GraphTransport(session))) == 1  # the restart
    assert Activity.get_by_id(email.id).email_status == Status.SENT
    assert len(sandbox.items(bob)) == 1 and len(sandbox.items(address, "sentitems")) == 1
    assert sandbox.items(address, "drafts") == []  # a draft the dead run left was the one sent


def test_a_refused_recipient_fails_only_that_email(world):
    email = pending(world, "")  # no address at all: Exchange Online refuses the recipient
    assert world.run(outgoing.run(world.job, world.connector)) == 1
    email = Activity.get_by_id(email.id)
    assert email.email_status == Status.FAILED


def test_the_connector_syncs_act_over_its_own_session(db, sandbox, graph):
    world = graph_world(sandbox, graph, "gact", sync_filter_templates=True)
    Contact.create(first_name="Bo", last_name="Berg", email="bo@fabrikam.com", owner=world.user)
    assert world.run(act.run(world.job, world.connector)) >= 1
    assert [c["type"] for c in sandbox.items(world.address, "contacts")] == ["Contact"]
    assert graph.peak_concurrent(world.address) <= 4


def test_non_ascii_names_and_subjects_arrive_as_written(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    sandbox.add_message(address, subject="Réunion: ça va?", body="Grüße, Zoë", sender=("Zoë Ünal", "zoe@fabrikam.com"),
                        to=[("Ann", address)], message_id="<u1@fabrikam.com>")
    assert sync(world) == 1
    tracked = Activity.get(Activity.message_id == "<u1@fabrikam.com>")
    assert tracked.subject == "Réunion: ça va?" and "Grüße, Zoë" in tracked.body
    sender = ActivityParty.get(ActivityParty.activity == tracked, ActivityParty.role == codes.PartyRole.FROM)
    assert (sender.address, sender.display_name) == ("zoe@fabrikam.com", "Zoë Ünal")
