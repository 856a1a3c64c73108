"""Meetings over Microsoft Graph end to end: a CRM appointment with attendees, synced by its organizer's mailbox
over Graph, reaches them as Exchange Online's invitation (Graph sends it), its changes as updates, its delete as a
cancellation; their answers come back as the parties' responses. The Graph connector over HTTPS to the Graph
sandbox, whose meetings are the EWS sandbox's (its meetings between its own mailboxes): what attendees do in
Outlook is done over EWS (exchangelib). The scenarios both protocols share run over both in
test_exchange_meetings.py; here, what an invited user's own mailbox makes of a meeting organized over Graph."""
import asyncio
import json
from datetime import datetime, timedelta

import pytest
from exchangelib.items import MeetingRequest

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
