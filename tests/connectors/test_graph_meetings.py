"""Meetings over Microsoft Graph end to end: a CRM appointment with attendees, synced by its organizer's mailbox
over Graph, reaches them as Exchange Online's invitation (Graph sends it), its changes as updates, its delete as a
cancellation; their answers come back as the parties' responses. The Graph connector over HTTPS to the Graph
sandbox, whose meetings are the EWS sandbox's (its meetings between its own mailboxes): what attendees do in
Outlook is done over EWS (exchangelib). The same scenarios over EWS are test_exchange_meetings.py's."""
import asyncio
import json
from datetime import datetime, timedelta

import pytest
from exchangelib.items import MeetingCancellation, MeetingRequest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ActivityParty, ItemMap, Mailbox, SyncFilter
from crmsync_gui.core.sync import act
from tests.connectors.exchange_world import exchange_world
from tests.connectors.graph_act_world import both_world

START = datetime(2030, 3, 1, 9)
Answer = codes.MeetingResponse


@pytest.fixture
def ann(db, sandbox, graph):
    """The organizer, whose mailbox syncs over Graph."""
    world = both_world(sandbox, graph, "gorganizer")
    Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == world.mailbox.id).execute()
    yield world
    world.close()


@pytest.fixture
def bob(db, sandbox):
    """A CRM user invited to Ann's meetings, whose own mailbox syncs (over EWS)."""
    world = exchange_world(sandbox, "ginvited", sync_filter_templates=True)
    Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == world.mailbox.id).execute()
    yield world
    world.close()


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def meeting(world, *attendees, subject="Review"):
    record = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject=subject, owner_user=world.user,
                             starts_at=START, ends_at=START + timedelta(hours=1), location="Room 1")
    for address in attendees:
        ActivityParty.create(activity=record, role=int(codes.PartyRole.REQUIRED), address=address)
    return record


def requests(account, cls=MeetingRequest):
    return [i for i in account.inbox.all() if isinstance(i, cls)]


def answers(record) -> dict[str, Answer]:
    return {p.address: Answer(p.response or 0) for p in ActivityParty.select().where(ActivityParty.activity == record)}


def test_a_crm_meeting_reaches_its_attendees_over_graph_and_their_answers_come_back(ann, bob, sandbox, outlook):
    carl = "carl.g@sandbox.test"
    sandbox.add_mailbox(carl, "pw", name="Carl")
    record = meeting(ann, bob.address, carl)
    assert sync(ann) == 1
    [organizer_copy] = sandbox.items(ann.address, "calendar")
    mine = outlook(ann.address, "unused-over-graph").calendar.get(id=organizer_copy["id"])
    assert mine.is_meeting and Activity.get_by_id(record.id).meeting_uid == mine.uid  # the UID Graph made
    for address in (bob.address, carl):
        [request] = requests(outlook(address))
        assert (request.subject, request.location) == ("Review", "Room 1")
        assert outlook(address).calendar.get(id=request.associated_calendar_item_id.id).uid == mine.uid
    assert set(answers(record).values()) == {Answer.NONE}
    requests(outlook(bob.address))[0].accept()
    outlook(carl).calendar.all()[0].decline()
    sync(ann)
    assert answers(record) == {bob.address: Answer.ACCEPTED, carl: Answer.DECLINED}
    assert sync(ann) == 0  # the answers are in; nothing goes back to Exchange


def test_a_crm_change_is_an_update_and_a_crm_delete_a_cancellation_over_graph(ann, bob, outlook):
    record = meeting(ann, bob.address)
    sync(ann)
    requests(outlook(bob.address))[0].tentatively_accept()
    record.starts_at, record.ends_at = START + timedelta(hours=2), START + timedelta(hours=3)
    record.save()
    sync(ann)
    [update] = requests(outlook(bob.address))
    assert update.meeting_request_type == "FullUpdate" and update.start.replace(tzinfo=None) == START + timedelta(hours=2)
    assert answers(record) == {bob.address: Answer.TENTATIVE}  # the update kept the answer
    record.delete_instance()
    sync(ann)
    [cancellation] = requests(outlook(bob.address), MeetingCancellation)
    assert cancellation.subject == "Canceled: Review"
    assert outlook(bob.address).calendar.all()[0].is_cancelled


def test_a_meeting_that_leaves_the_filters_is_not_cancelled_over_graph(ann, bob, outlook):
    """Graph cancels a meeting its organizer deletes; this one still stands in the CRM, so it stays."""
    shared = meeting(ann, bob.address)
    sync(ann)
    shared.starts_at = datetime.now() - timedelta(days=60)  # out of "My appointments" (the last 30 days on)
    shared.ends_at = shared.starts_at + timedelta(hours=1)
    shared.save()
    sync(ann)
    assert not ItemMap.get_or_none(record_id=shared.id)
    assert not requests(outlook(bob.address), MeetingCancellation)
    assert sync(ann) == 0  # the meeting left in the calendar is no one's to sync


def test_an_invited_crm_user_gets_no_second_appointment_when_the_organizer_syncs_over_graph(ann, bob, outlook):
    record = meeting(ann, bob.address)
    SyncFilter.create(user=bob.user, entity=int(codes.SyncEntity.APPOINTMENT), name="Reviews",
                      rules=json.dumps([{"field": "subject", "operator": "contains", "value": "Review"}]))
    sync(ann)
    [copy] = outlook(bob.address).calendar.all()
    copy.categories = [TRACKED_CATEGORY]  # Bob tracks the invitation in Outlook
    copy.save(update_fields=["categories"])
    sync(bob)
    assert Activity.select().where(Activity.activity_type == codes.ActivityType.APPOINTMENT).count() == 1
    assert not ItemMap.select().where(ItemMap.mailbox == bob.mailbox).exists()
    assert Activity.get_by_id(record.id).meeting_uid == copy.uid
