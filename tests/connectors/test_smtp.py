"""SMTP outgoing against a real SMTP server (aiosmtpd): Pending Send → Sent through core/sync/outgoing.py."""
import aiosmtplib
import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors.imap import ImapConnector
from crmsync_gui.core.connectors.pop3 import Pop3Connector
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import Activity, ActivityParty
from crmsync_gui.core.sync import outgoing
from tests.connectors.conftest import run
from tests.servers.ports import free_port

Status = codes.EmailStatus


def pending(account, subject: str, *recipients: str) -> Activity:
    activity = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=subject, body="Hi Bob, see below.",
                               owner_user=account.user, email_status=Status.PENDING_SEND, direction_outgoing=True)
    for address in recipients or ("bob@fabrikam.test",):
        ActivityParty.create(activity=activity, role=codes.PartyRole.TO, address=address, display_name="Bob")
    return activity


def send(account, connector_class=Pop3Connector, **job):
    async def go():
        connector = connector_class(account.profile)
        try:
            return await outgoing.run(account.job(**job), connector)
        finally:
            await connector.close()
    return run(go())


def test_pending_email_goes_out_over_starttls_once(pop3_account, smtp_server):
    activity = pending(pop3_account, "Offer")
    before = len(smtp_server.received)
    assert send(pop3_account) == 1
    activity = Activity.get_by_id(activity.id)
    assert activity.email_status == Status.SENT and activity.sent_on is not None
    sent = smtp_server.received[before:]
    assert len(sent) == 1
    assert sent[0].login == pop3_account.login
    assert sent[0].mail_from == pop3_account.login
    assert sent[0].rcpt_tos == ["bob@fabrikam.test"]
    assert sent[0].message["Message-ID"] == activity.message_id
    assert sent[0].message["Subject"] == activity.subject
    assert send(pop3_account) == 0  # nothing twice
    assert len(smtp_server.received) == before + 1


def test_implicit_ssl_port_from_an_imap_profile(imap_account, smtp_server):
    imap_account.set(outgoing_server=f"127.0.0.1:{smtp_server.ssl_port}", outgoing_starttls=False)
    pending(imap_account, "Over SSL")
    before = len(smtp_server.received)
    assert send(imap_account, ImapConnector) == 1
    assert [r.message["Subject"].split(" CRM:")[0] for r in smtp_server.received[before:]] == ["Over SSL"]


class Killed(BaseException):
    """The process dies here."""


@pytest.mark.parametrize("dies_in", ["connect", "login"])
def test_a_run_killed_before_the_email_reached_the_server_sends_it_once_at_the_restart(pop3_account, smtp_server,
                                                                                        monkeypatch, dies_in):
    """Killed while connecting or signing in, nothing of the email left: the restart sends it, it is not
    failed as "cannot tell whether it went out" (the crash harness found a third of its SMTP emails so)."""
    activity = pending(pop3_account, f"Killed in {dies_in}")
    before = len(smtp_server.received)

    async def killed(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(aiosmtplib.SMTP, dies_in, killed)
    with pytest.raises(Killed):
        send(pop3_account)
    monkeypatch.undo()
    assert send(pop3_account) == 1
    activity = Activity.get_by_id(activity.id)
    assert activity.email_status == Status.SENT, activity.failure_reason
    assert [r.message["Message-ID"] for r in smtp_server.received[before:]] == [activity.message_id]


def test_a_run_killed_after_the_server_took_the_email_never_sends_it_again(pop3_account, smtp_server, monkeypatch):
    activity = pending(pop3_account, "Killed after DATA")
    before = len(smtp_server.received)
    send_message = aiosmtplib.SMTP.send_message

    async def sent_then_killed(self, *args, **kwargs):
        await send_message(self, *args, **kwargs)
        raise Killed()

    monkeypatch.setattr(aiosmtplib.SMTP, "send_message", sent_then_killed)
    with pytest.raises(Killed):
        send(pop3_account)
    monkeypatch.undo()
    assert send(pop3_account) == 1
    activity = Activity.get_by_id(activity.id)
    assert activity.email_status == Status.FAILED and activity.failure_reason.startswith("Not resent")
    assert len(smtp_server.received) == before + 1


def test_refused_recipient_fails_only_that_email(pop3_account, smtp_server):
    bad = pending(pop3_account, "To nobody", "ghost@refused.test")
    good = pending(pop3_account, "To Bob")
    assert send(pop3_account) == 2
    bad, good = Activity.get_by_id(bad.id), Activity.get_by_id(good.id)
    assert bad.email_status == Status.FAILED
    assert "ghost@refused.test" in bad.failure_reason and "No such user" in bad.failure_reason
    assert good.email_status == Status.SENT


def test_bad_password_is_permanent_and_the_email_waits(pop3_account, caplog):
    activity = pending(pop3_account, "Waiting")
    secret = "Bad-Secret-123"
    with pytest.raises(PermanentError) as caught:
        send(pop3_account, password=secret)
    assert caught.value.code == "SignInRejected" and "SMTP server" in str(caught.value)
    assert secret not in str(caught.value) and secret not in caplog.text
    assert Activity.get_by_id(activity.id).email_status == Status.PENDING_SEND


def test_server_down_is_transient_and_retried(pop3_account):
    activity = pending(pop3_account, "Later")
    pop3_account.set(outgoing_server=f"127.0.0.1:{free_port()}")
    with pytest.raises(TransientError) as caught:
        send(pop3_account)
    assert caught.value.code == "ServerUnreachable"
    activity = Activity.get_by_id(activity.id)
    assert activity.email_status == Status.PENDING_SEND and activity.delivery_attempts == 1


@pytest.mark.parametrize("starttls", [True, False], ids=["starttls", "ssl"])
def test_untrusted_certificate_is_refused(pop3_account, smtp_server, starttls):
    pending(pop3_account, "Not to a stranger")
    if not starttls:
        pop3_account.set(outgoing_server=f"127.0.0.1:{smtp_server.ssl_port}", outgoing_starttls=False)
    pop3_account.set(trusted_ca_file=None)
    before = len(smtp_server.received)
    with pytest.raises(PermanentError) as caught:
        send(pop3_account)
    assert caught.value.code == "CertificateNotTrusted"
    assert len(smtp_server.received) == before
