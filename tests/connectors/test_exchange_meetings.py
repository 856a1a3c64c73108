"""Meeting invitations (issue 21, item 9) end to end: CRM appointments with attendees reach them as Outlook's
invitations, updates and cancellations; their answers come back as the parties' responses; an invited CRM user
whose own mailbox syncs is never given a second appointment. The organizer's mailbox syncs over EWS (the Exchange
connector, exchangelib over HTTPS) or over Microsoft Graph (the Graph connector over HTTPS to the Graph sandbox,
whose meetings are the EWS sandbox's, which Exchange Online sends itself); the invited users' mailboxes and what
attendees do in Outlook go over EWS. The EWS sandbox holds the meetings between its own mailboxes."""
import asyncio
import itertools
import json
from datetime import datetime, timedelta

import pytest
from exchangelib import UTC, EWSDateTime
from exchangelib.items import MeetingCancellation, MeetingRequest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, ActivityParty, ItemMap, Mailbox, SyncFilter
from crmsync_gui.core.sync import act
from tests.connectors.exchange_world import exchange_world
from tests.connectors.graph_act_world import OUTLOOK_PASSWORD, both_world

START = datetime(2030, 3, 1, 9)
Answer = codes.MeetingResponse
_carls = itertools.count(1)


def act_world(world):
    Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == world.mailbox.id).execute()
    return world


@pytest.fixture(params=["ews", "graph"])
def ann(request, db, sandbox):
    """The organizer, whose mailbox syncs over EWS or over Graph; .password: hers in Outlook (over EWS)."""
    if request.param == "ews":
        world, world.password = act_world(exchange_world(sandbox, "organizer", sync_filter_templates=True)), "pw"
    else:
        world = act_world(both_world(sandbox, request.getfixturevalue("graph"), "gorganizer"))
        world.password = OUTLOOK_PASSWORD
    yield world
    world.close()


@pytest.fixture
def bob(db, sandbox):
    """A CRM user invited to Ann's meetings, whose own mailbox syncs."""
    world = act_world(exchange_world(sandbox, "invited", sync_filter_templates=True))
    yield world
    world.close()


def invitee(sandbox) -> str:
    """Carl, a contact with a mailbox of his own in the sandbox (password pw), new for each test."""
    address = f"carl{next(_carls)}@sandbox.test"
    sandbox.add_mailbox(address, "pw", name="Carl")
    return address


def sync(world) -> int:
    return asyncio.run(act.run(world.job, world.connector))


def meeting(world, *attendees, subject="Review", optional=()):
    record = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject=subject, owner_user=world.user,
                             starts_at=START, ends_at=START + timedelta(hours=1), location="Room 1")
    for role, addresses in ((codes.PartyRole.REQUIRED, attendees), (codes.PartyRole.OPTIONAL, optional)):
        for address in addresses:
            ActivityParty.create(activity=record, role=int(role), address=address)
    return record


def requests(account, cls=MeetingRequest):
    return [i for i in account.inbox.all() if isinstance(i, cls)]


def answers(record) -> dict[str, Answer]:
    return {p.address: Answer(p.response or 0) for p in ActivityParty.select().where(ActivityParty.activity == record)}


def test_a_crm_meeting_reaches_its_attendees_and_their_answers_come_back(ann, bob, sandbox, outlook):
    carl, dora = invitee(sandbox), "dora@fabrikam.com"  # a contact with a sandbox mailbox; one outside it
    record = meeting(ann, bob.address, carl, optional=[dora])
    assert sync(ann) == 1
    record = Activity.get_by_id(record.id)
    [organizer_copy] = sandbox.items(ann.address, "calendar")
    mine = outlook(ann.address, ann.password).calendar.get(id=organizer_copy["id"])
    assert record.meeting_uid and mine.uid == record.meeting_uid and mine.is_meeting
    for address in (bob.address, carl):
        [request] = requests(outlook(address))
        assert (request.subject, request.start, request.location) == ("Review", START.replace(tzinfo=mine.start.tzinfo),
                                                                      "Room 1")
        assert outlook(address).calendar.get(id=request.associated_calendar_item_id.id).uid == record.meeting_uid
    assert set(answers(record).values()) == {Answer.NONE}

    requests(outlook(bob.address))[0].accept()
    outlook(carl).calendar.all()[0].decline()
    sync(ann)
    assert answers(record) == {bob.address: Answer.ACCEPTED, carl: Answer.DECLINED, dora: Answer.NONE}
    assert sync(ann) == 0  # the answers are in; nothing goes back to Exchange


def test_a_crm_change_is_an_update_and_a_crm_delete_a_cancellation(ann, bob, outlook):
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


def test_an_appointment_without_attendees_sends_nothing_and_leaving_the_filters_cancels_nothing(ann, bob, outlook):
    plain = meeting(ann, subject="Dentist")
    shared = meeting(ann, bob.address)
    sync(ann)
    assert len(requests(outlook(bob.address))) == 1 and Activity.get_by_id(plain.id).meeting_uid
    shared.starts_at = datetime.now() - timedelta(days=60)  # out of "My appointments" (the last 30 days on)
    shared.ends_at = shared.starts_at + timedelta(hours=1)
    shared.save()
    sync(ann)
    assert not ItemMap.get_or_none(record_id=shared.id)
    assert not requests(outlook(bob.address), MeetingCancellation)  # the meeting still stands in the CRM


def test_an_invited_crm_user_gets_no_second_appointment(ann, bob, outlook):
    record = meeting(ann, bob.address)
    SyncFilter.create(user=bob.user, entity=int(codes.SyncEntity.APPOINTMENT), name="Reviews",
                      rules=json.dumps([{"field": "subject", "operator": "contains", "value": "Review"}]))
    sync(bob)  # before the organizer's mailbox has sent the invitation: Bob's calendar waits for it
    assert not list(outlook(bob.address).calendar.all())
    sync(ann)
    [copy] = outlook(bob.address).calendar.all()
    copy.categories = [TRACKED_CATEGORY]  # Bob tracks the invitation in Outlook
    copy.save(update_fields=["categories"])
    sync(bob)
    assert outlook(bob.address).calendar.all().count() == 1
    assert Activity.select().where(Activity.activity_type == codes.ActivityType.APPOINTMENT).count() == 1
    assert not ItemMap.select().where(ItemMap.mailbox == bob.mailbox).exists()
    record = Activity.get_by_id(record.id)
    copy = outlook(bob.address).calendar.get(id=copy.id)
    plan = act.make_plan(bob.mailbox, codes.SyncEntity.APPOINTMENT, {copy.id: act.RemoteItem(
        copy.id, copy.changekey, {"subject": "Review", "starts_at": START}, True, uid=copy.uid)})
    assert copy.uid == record.meeting_uid
    assert [(s.action, s.reason.split(" (")[0]) for s in plan] == [
        ("skip", "the user is invited to this meeting: the invitation its organizer's mailbox sends stands for it "
                 "in this calendar, not a second copy"),
        ("skip", f"the invitation to CRM appointment #{record.id}")]

    copy.decline()  # an attendee's decline never deletes the CRM meeting
    sync(bob)
    assert Activity.get_or_none(id=record.id) is not None
    sync(ann)
    assert answers(record) == {bob.address: Answer.DECLINED}


def test_an_attendee_added_in_the_crm_is_invited_and_one_removed_is_told(ann, bob, sandbox, outlook):
    carl = invitee(sandbox)
    record = meeting(ann, bob.address)
    sync(ann)
    requests(outlook(bob.address))[0].accept()
    ActivityParty.delete().where(ActivityParty.address == bob.address).execute()
    ActivityParty.create(activity=record, role=int(codes.PartyRole.REQUIRED), address=carl)
    Activity.update(modified_at=datetime.now()).where(Activity.id == record.id).execute()
    sync(ann)
    assert [r.meeting_request_type for r in requests(outlook(carl))] == ["NewMeetingRequest"]
    [cancellation] = requests(outlook(bob.address), MeetingCancellation)
    assert cancellation.subject == "Canceled: Review"
    assert answers(record) == {carl: Answer.NONE}


def test_a_crm_change_to_one_occurrence_reaches_the_attendees_for_that_occurrence(ann, sandbox, outlook):
    carl = invitee(sandbox)
    rule = {"pattern": "daily", "occurrences": 4}
    record = meeting(ann, carl, subject="Stand-up")
    record.recurrence = json.dumps(rule)
    record.save()
    sync(ann)
    requests(outlook(carl))[0].accept()
    record.recurrence = json.dumps({**rule, "cancelled": ["2030-03-03"], "moved": {
        "2030-03-02": {"starts_at": "2030-03-02T14:00:00", "ends_at": "2030-03-02T15:00:00"}}})
    record.save()
    assert sync(ann) == 1

    [update] = requests(outlook(carl))  # for the moved occurrence alone, not the series again
    assert (update.meeting_request_type, update.type) == ("FullUpdate", "Exception")
    assert update.start.replace(tzinfo=None) == datetime(2030, 3, 2, 14)
    [cancellation] = requests(outlook(carl), MeetingCancellation)
    assert cancellation.subject == "Canceled: Stand-up"
    first = EWSDateTime(2030, 3, 1, tzinfo=UTC)
    shown = [(o.start.astimezone(UTC).replace(tzinfo=None), o.type, bool(o.is_cancelled), o.my_response_type)
             for o in outlook(carl).calendar.view(start=first, end=first + timedelta(days=5))]
    assert shown == [(datetime(2030, 3, 1, 9), "Occurrence", False, "Accept"),
                     (datetime(2030, 3, 2, 14), "Exception", False, "Accept"),
                     (datetime(2030, 3, 3, 9), "Exception", True, "Accept"),
                     (datetime(2030, 3, 4, 9), "Occurrence", False, "Accept")]
    assert answers(record) == {carl: Answer.ACCEPTED}
    assert sync(ann) == 0 and len(requests(outlook(carl))) == 1  # nothing sent twice
