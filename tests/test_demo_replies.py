"""Acceptance for issue 21: while a full demo sync runs, every reply the EWS sandbox gives the product is one
Exchange could give: no HTTP 500 that is not a SOAP fault (clients take a bare 500 for throttling), and every
SOAP reply valid against Microsoft's schema. After the demo's first sync, two more rounds bring the request
shapes a first sync does not send: a meeting moved and then deleted in the CRM, a meeting series with a moved
and a cancelled occurrence, an email to send and one whose sending was cut off, an email the pipeline cannot
read."""
import asyncio
import json
from datetime import datetime, timedelta

import pytest
from lxml import etree

from crmsync_gui.core import codes
from crmsync_gui.core.codes import EmailStatus
from crmsync_gui.core.store.db import close_database
from crmsync_gui.core.store.models import Activity, ActivityParty, EmailServerProfile, Mailbox
from crmsync_gui.sandbox import SandboxServer
from crmsync_gui.sandbox.soap import SOAP_NS
from tests.schema_check import assert_schema_valid


@pytest.fixture
def answered(monkeypatch):
    """(operation or path, HTTP status, content type, body) of every reply the sandbox gives."""
    replies: list[tuple[str, int, str, bytes]] = []
    handle = SandboxServer._handle

    async def watched(self, request):
        try:
            reply = await handle(self, request)
        except Exception as exc:  # aiohttp would answer this with a bare text 500
            replies.append((request.path, 500, "aiohttp's own", repr(exc).encode()))
            raise
        body = reply.body if hasattr(reply, "body") and isinstance(reply.body, bytes) else b""
        replies.append((request.path, reply.status, reply.content_type, body))
        return reply
    monkeypatch.setattr(SandboxServer, "_handle", watched)
    return replies


def test_a_demo_sync_gets_no_non_soap_500(answered, validator):
    from crmsync_gui.core.sync.engine import Engine
    from crmsync_gui.demo import start_demo

    demo = start_demo(mailboxes=6, items=5)
    seen: list[tuple[str, bytes, bytes]] = []
    demo.sandbox.recorder = lambda op, req, rep: seen.append((op, req, rep))

    async def cycle():
        engine = Engine(secrets=demo.secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()
    try:
        summary = asyncio.run(cycle())
        review = Activity.get(Activity.subject == "Fabrikam quarterly review")
        organizer = Mailbox.get(Mailbox.owner_user == review.owner_user_id)
        _second_round(demo, review, organizer)
        rounds = [asyncio.run(cycle())]
        review.delete_instance()  # the meeting called off in the CRM: a cancellation
        _due(organizer)
        rounds.append(asyncio.run(cycle()))
    finally:
        close_database()
        demo.stop()
    assert summary.succeeded > 0 and all(r.succeeded > 0 for r in rounds)
    operations = {op for op, _req, _rep in seen}
    assert operations >= {"ConvertId", "GetFolder", "Subscribe", "GetStreamingEvents", "SyncFolderItems",
                          "UpdateItem", "CreateItem", "GetItem", "DeleteItem", "FindItem", "CreateFolder",
                          "MoveItem"}, operations

    def sent(operation: str, *marks: bytes) -> int:
        return sum(all(mark in req for mark in marks) for op, req, _rep in seen if op == operation)
    assert sent("CreateItem", b'SendMeetingInvitations="SendToAllAndSaveCopy"') == 2  # the CRM meetings
    # the email to send, and the cut-off one, not in Sent Items, sent again
    assert sent("CreateItem", b'MessageDisposition="SendAndSaveCopy"', b"MimeContent") == 2
    assert sent("GetItem", b"<t:OccurrenceItemId") == 2  # the series' moved and cancelled occurrences, read
    # the meeting moved, then that occurrence; the occurrence cancelled, then the meeting called off
    assert sent("UpdateItem", b'SendMeetingInvitationsOrCancellations="SendToChangedAndSaveCopy"') == 2
    assert sent("DeleteItem", b'SendMeetingCancellations="SendToAllAndSaveCopy"') == 2
    assert sent("FindItem", b"<m:Restriction>", b"message:InternetMessageId")  # was the cut-off email sent?

    def soap_fault(body: bytes) -> bool:
        root = etree.fromstring(body)
        return root.tag == f"{{{SOAP_NS}}}Envelope" and root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault") is not None
    bare = [(path, kind, body[:200]) for path, status, kind, body in answered
            if status == 500 and (kind != "text/xml" or not soap_fault(body))]
    assert answered and not bare, f"non-SOAP HTTP 500 replies: {bare}"
    assert_schema_valid(validator, seen)


def _due(mailbox: Mailbox) -> None:
    """The mailbox's directions run in the next cycle, not at their scheduled time."""
    Mailbox.update(incoming_next_run=None, outgoing_next_run=None, act_next_run=None).where(
        Mailbox.id == mailbox.id).execute()


def _second_round(demo, review: Activity, organizer: Mailbox) -> None:
    _due(organizer)
    attendees = [p.address for p in review.parties if p.role == int(codes.PartyRole.REQUIRED)]
    review.starts_at, review.ends_at = review.starts_at + timedelta(hours=1), review.ends_at + timedelta(hours=1)
    review.modified_at = datetime.now()
    review.save()  # moved in the CRM: an update
    first = review.starts_at.replace(hour=9) + timedelta(days=7)
    day = [(first + timedelta(days=n)).date().isoformat() for n in range(4)]
    series = Activity.create(
        activity_type=codes.ActivityType.APPOINTMENT, subject="Fabrikam stand-up", owner_user=review.owner_user_id,
        starts_at=first, ends_at=first + timedelta(minutes=15), recurrence=json.dumps({
            "pattern": "daily", "occurrences": 4, "cancelled": [day[2]],
            "moved": {day[1]: {"starts_at": f"{day[1]}T14:00:00", "ends_at": f"{day[1]}T14:15:00"}}}))
    for address in attendees:
        ActivityParty.create(activity=series, role=int(codes.PartyRole.REQUIRED), address=address)
    for subject, status, message_id in (("Proposal", EmailStatus.PENDING_SEND, None),
                                        ("Cut off", EmailStatus.SENDING, "<cut-off.demo@fabrikam.example>")):
        email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, body="Please find it.",
                                owner_user=review.owner_user_id, email_status=status, direction_outgoing=True,
                                mailbox=organizer, message_id=message_id, delivery_attempts=int(bool(message_id)))
        ActivityParty.create(activity=email, role=int(codes.PartyRole.TO), address=attendees[0])
    EmailServerProfile.update(move_failed_to_undeliverable=True).where(
        EmailServerProfile.id == organizer.profile_id).execute()
    demo.sandbox.add_message(organizer.email, mime=b"no headers at all\r\n")  # unreadable: moved aside
