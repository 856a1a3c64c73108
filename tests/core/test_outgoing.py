"""Outgoing email against the store with a recording transport (the real ones are tested in tests/connectors)."""
import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import MessageRejected, PermanentError, TransientError
from crmsync_gui.core.store.models import Activity, ActivityParty, Attachment
from crmsync_gui.core.sync import outgoing
from crmsync_gui.core.sync.tracking import organization_settings

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

Status = codes.EmailStatus


class Crash(BaseException):
    """The process dying right after the server accepted the email, before the commit."""


class RecordingTransport:
    """Keeps what it 'sent' like a server's Sent Items; fails on demand."""

    def __init__(self, *, can_tell=True):
        self.sent = []
        self.can_tell = can_tell
        self.failures: list[BaseException] = []  # raised by the next sends, in order
        self.crash_after_send = False
        self.was_sent_calls = []

    async def send(self, job, message, handing_over):
        handing_over()
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        if self.crash_after_send:
            raise Crash()

    async def was_sent(self, job, message_id):
        self.was_sent_calls.append(message_id)
        if not self.can_tell:
            return None
        return any(m["Message-ID"] == message_id for m in self.sent)


@dataclass
class FakeJob:
    mailbox: object
    profile: object = None
    password: str | None = None
    timeout_s: float = 5
    events: list = field(default_factory=list)

    @asynccontextmanager
    async def connection(self):
        yield

    def publish(self, event):
        self.events.append(event)


@pytest.fixture
def ann(db):
    user = admin.add_user("Ann Lee", "ann@contoso.com")
    user.token_digits = 1
    user.save()
    mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@contoso.com"), user)
    return FakeJob(mailbox.__class__.get_by_id(mailbox.id))


def pending(job, subject="Offer", to=("bo@fabrikam.com",), **fields) -> Activity:
    activity = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, body="Hi Bo",
                               owner_user=job.mailbox.owner_user, email_status=Status.PENDING_SEND,
                               direction_outgoing=True, **fields)
    for address in to:
        ActivityParty.create(activity=activity, role=codes.PartyRole.TO, address=address, display_name="Bo")
    return activity


def run(job, transport):
    return asyncio.run(outgoing.send_pending(job, transport))


def reload(activity):
    return Activity.get_by_id(activity.id)


def test_sends_with_token_and_message_id_recorded(ann):
    email = pending(ann, in_reply_to="<earlier@x>")
    Attachment.create(activity=email, file_name="a.txt", mime_type="text/plain", size=3, content=b"abc")
    Attachment.create(activity=email, file_name="big.bin", size=10**8, content=None)  # over the limit: not kept
    transport = RecordingTransport()
    assert run(ann, transport) == 1
    email = reload(email)
    assert email.email_status == Status.SENT and email.sent_on and email.delivery_attempts == 1
    assert email.tracking_token == "CRM:0001001" and email.subject == "Offer CRM:0001001"
    message = transport.sent[0]
    assert message["Message-ID"] == email.message_id and message["Message-ID"].endswith("@contoso.com>")
    assert message["Subject"] == "Offer CRM:0001001" and message["To"] == "Bo <bo@fabrikam.com>"
    assert message["From"] == "Ann Lee <ann@contoso.com>" and message["In-Reply-To"] == "<earlier@x>"
    assert [p.get_filename() for p in message.iter_attachments()] == ["a.txt"]
    assert run(ann, transport) == 0 and len(transport.sent) == 1  # nothing left to send


def test_token_counter_increments_and_org_switch_turns_tokens_off(ann):
    first, second = pending(ann), pending(ann)
    run(ann, RecordingTransport())
    assert (reload(first).tracking_token, reload(second).tracking_token) == ("CRM:0001001", "CRM:0001002")
    settings = organization_settings()
    settings.tracking_token_enabled = False
    settings.save()
    third = pending(ann, subject="No token")
    run(ann, RecordingTransport())
    assert reload(third).tracking_token is None and reload(third).subject == "No token"


def test_a_long_subject_is_shortened_before_the_token_never_the_token(ann):
    subject = "Quarterly offer " + "x" * 234  # 250 characters: the CRM holds it, with the token it is 262
    email = pending(ann, subject=subject)
    transport = RecordingTransport()
    assert run(ann, transport) == 1
    assert reload(email).subject == subject[:235] + " CRM:0001001"
    assert transport.sent[0]["Subject"] == reload(email).subject
    assert len("RE: FW: " + reload(email).subject) == outgoing.SUBJECT_LIMIT  # room for a reply's prefix


def test_subject_with_token_keeps_a_subject_that_fits():
    assert outgoing.subject_with_token("RE: Offer CRM:0001001", "CRM:0001001") == "RE: Offer CRM:0001001"
    assert outgoing.subject_with_token(None, "CRM:0001001") == "CRM:0001001"
    assert outgoing.subject_with_token("  ", "CRM:0001001") == "CRM:0001001"
    assert outgoing.subject_with_token("a" * 236, "CRM:0001001") == "a" * 235 + " CRM:0001001"
    assert outgoing.subject_with_token("a" * 235 + " CRM:0001001", "CRM:0001001") == "a" * 235 + " CRM:0001001"
    # a token past the limit moves to the end
    assert outgoing.subject_with_token("RE: CRM:0001001 " + "y" * 300, "CRM:0001001") == (
        "RE: " + "y" * 231 + " CRM:0001001")


def test_token_counter_wraps_after_999(ann):
    user = ann.mailbox.owner_user
    user.token_counter = 999
    user.save()
    assert outgoing.next_tracking_token(user, organization_settings()) == "CRM:0001001"


def test_message_id_is_committed_before_the_send(ann):
    email = pending(ann)
    seen = {}

    class Inspecting(RecordingTransport):
        async def send(self, job, message, handing_over):
            row = reload(email)  # what a crash right now, before the handover, would leave in the store
            seen.update(status=row.email_status, message_id=row.message_id)

            def inspected():
                handing_over()
                seen.update(handed_over=reload(email).email_status)  # and a crash right after it
            await super().send(job, message, inspected)

    run(ann, Inspecting())
    assert seen["status"] == Status.PENDING_SEND and seen["message_id"] == reload(email).message_id
    assert seen["handed_over"] == Status.SENDING


def test_kill_between_send_and_commit_never_sends_twice_when_server_can_tell(ann):
    email = pending(ann)
    transport = RecordingTransport()
    transport.crash_after_send = True
    with pytest.raises(Crash):
        run(ann, transport)
    assert reload(email).email_status == Status.SENDING and len(transport.sent) == 1
    transport.crash_after_send = False
    assert run(ann, transport) == 1
    assert reload(email).email_status == Status.SENT and len(transport.sent) == 1
    assert transport.was_sent_calls == [reload(email).message_id]


def test_kill_before_the_server_got_it_sends_again(ann):
    email = pending(ann)
    transport = RecordingTransport()
    transport.failures = [Crash()]  # died inside send, nothing reached the server
    with pytest.raises(Crash):
        run(ann, transport)
    assert run(ann, transport) == 1
    assert reload(email).email_status == Status.SENT and len(transport.sent) == 1


def test_kill_when_transport_cannot_tell_fails_for_the_admin_without_resending(ann):
    email = pending(ann)
    transport = RecordingTransport(can_tell=False)
    transport.crash_after_send = True
    with pytest.raises(Crash):
        run(ann, transport)
    transport.crash_after_send = False
    assert run(ann, transport) == 1
    email = reload(email)
    assert email.email_status == Status.FAILED and "cannot tell" in email.failure_reason
    assert "Pending Send" in email.failure_reason and len(transport.sent) == 1


def test_transient_failures_retry_up_to_ten_attempts(ann):
    email = pending(ann)
    transport = RecordingTransport(can_tell=False)
    transport.failures = [TransientError("Timeout", "The server did not answer.") for _ in range(10)]
    for attempt in range(1, 10):
        with pytest.raises(TransientError):
            run(ann, transport)
        row = reload(email)
        assert row.email_status == Status.PENDING_SEND and row.delivery_attempts == attempt
        assert f"Attempt {attempt} of 10" in row.failure_reason
    with pytest.raises(TransientError):
        run(ann, transport)
    row = reload(email)
    assert row.email_status == Status.FAILED and row.delivery_attempts == 10 and "10 attempts" in row.failure_reason
    assert transport.sent == []
    assert len(set(transport.was_sent_calls)) == 1  # every retry checked the server first


def test_retry_that_finds_the_email_already_sent_does_not_resend(ann):
    email = pending(ann)
    transport = RecordingTransport()

    class TimeoutAfterAccepting(RecordingTransport):
        async def send(self, job, message, handing_over):
            handing_over()
            transport.sent.append(message)  # the server took it, the answer was lost
            raise TransientError("Timeout", "No answer.")

    with pytest.raises(TransientError):
        run(ann, TimeoutAfterAccepting())
    assert run(ann, transport) == 1
    assert reload(email).email_status == Status.SENT and len(transport.sent) == 1


def test_rejected_email_fails_alone_and_the_rest_goes(ann):
    bad, good = pending(ann, to=("nobody@nowhere",)), pending(ann)
    transport = RecordingTransport()
    transport.failures = [MessageRejected("RecipientRejected", "The server refused recipient nobody@nowhere.")]
    assert run(ann, transport) == 2
    assert reload(bad).email_status == Status.FAILED and "nobody@nowhere" in reload(bad).failure_reason
    assert reload(good).email_status == Status.SENT


def test_mailbox_level_permanent_error_keeps_the_email_pending(ann):
    email = pending(ann)
    transport = RecordingTransport()
    transport.failures = [PermanentError("AuthenticationFailed", "The server refused the password.")]
    with pytest.raises(PermanentError):
        run(ann, transport)
    row = reload(email)
    assert row.email_status == Status.PENDING_SEND and row.delivery_attempts == 0
    assert run(ann, transport) == 1 and reload(email).email_status == Status.SENT


def test_email_without_recipients_fails_with_reason(ann):
    email = pending(ann, to=())
    transport = RecordingTransport()
    assert run(ann, transport) == 1
    assert reload(email).email_status == Status.FAILED and "no To, Cc or Bcc" in reload(email).failure_reason
    assert transport.sent == []


def test_only_this_mailboxs_emails_are_sent(ann):
    other_user = admin.add_user("Cy", "cy@contoso.com")
    mine = pending(ann)
    theirs = Activity.create(activity_type=codes.ActivityType.EMAIL, subject="x", owner_user=other_user,
                             email_status=Status.PENDING_SEND, direction_outgoing=True)
    ActivityParty.create(activity=theirs, role=codes.PartyRole.TO, address="a@b.c")
    run(ann, RecordingTransport())
    assert reload(mine).email_status == Status.SENT and reload(theirs).email_status == Status.PENDING_SEND
