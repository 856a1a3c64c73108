"""Reprocess (issue 23 item 7): an email decided before is fetched again from the real server at the mailbox's
next incoming run and decided under today's rules; twice never makes two activities; the trace says who and what."""
import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.admin import reprocess
from crmsync_gui.core.connectors.imap import ImapConnector
from crmsync_gui.core.connectors.pop3 import Pop3Connector
from crmsync_gui.core.store.models import (
    Activity,
    CrmUser,
    Mailbox,
    ReprocessRequest,
    TraceLog,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import incoming
from tests.connectors import corpus
from tests.connectors.conftest import run

CONNECTORS = {codes.ServerType.IMAP_SMTP: ImapConnector, codes.ServerType.POP3_SMTP: Pop3Connector}


def sync(account) -> int:
    async def go():
        connector = CONNECTORS[account.profile.server_type](account.profile)
        try:
            return await incoming.run(account.job(), connector)
        finally:
            await connector.close()
    return run(go())


def tracks(account, option: codes.TrackingOption) -> None:
    CrmUser.update(tracking_option=option).where(CrmUser.id == account.user.id).execute()


def decision(subject: str) -> TrackingDecision:
    return TrackingDecision.get(TrackingDecision.subject == subject)


@pytest.fixture(params=["imap", "pop3"])
def account(request):
    account = request.getfixturevalue(f"{request.param}_account")
    account.set(leave_email_on_server=True)  # POP3: what was decided stays on the server, to be fetched again
    Mailbox.update(approval=codes.Approval.APPROVED, incoming_enabled=True).where(
        Mailbox.id == account.mailbox.id).execute()
    return account


def test_an_email_not_tracked_then_is_tracked_once_after_the_option_changed(account):
    tracks(account, codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    account.append(corpus.email("Offer"), corpus.email("Lunch"))
    assert sync(account) == 2
    assert Activity.select().count() == 0 and decision("Offer").outcome == codes.TrackingOutcome.NOT_A_REPLY
    tracks(account, codes.TrackingOption.ALL)

    server_id = decision("Offer").server_id
    asked = reprocess.reprocess(account.mailbox, server_id, by="anna.admin")
    assert str(asked).startswith("Reprocess asked: mailbox 'Ann' fetches the email again at its next incoming sync")
    reprocess.reprocess(account.mailbox, server_id, by="anna.admin")  # asked twice while it waits: one request
    assert ReprocessRequest.select().count() == 1 and reprocess.outcome(account.mailbox, server_id) is None
    assert reprocess.waiting() == {(account.mailbox.id, server_id)}

    assert sync(account) == 1
    [activity] = Activity.select()
    assert activity.subject == "Offer"
    now = decision("Offer")
    assert (now.outcome, now.activity_id, now.server_id) == (codes.TrackingOutcome.TRACKED, activity.id, server_id)
    assert decision("Lunch").outcome == codes.TrackingOutcome.NOT_A_REPLY  # only the chosen email
    row = reprocess.outcome(account.mailbox, server_id)
    assert row.code == "EmailReprocessed" and row.message == (
        f"anna.admin reprocessed the email 'Offer' of mailbox 'Ann': Tracked: user Ann Lee <{account.login}> tracks "
        "'All email messages' and all email is tracked.")
    assert ReprocessRequest.select().count() == 0 and reprocess.waiting() == set()

    with pytest.raises(reprocess.ReprocessRefused, match=rf"already tracked as CRM email #{activity.id}"):
        reprocess.reprocess(account.mailbox, server_id, by="anna.admin")
    assert sync(account) == 0 and Activity.select().count() == 1


def test_a_request_left_by_a_failed_run_is_done_by_the_next_and_tracks_once(imap_account):
    tracks(imap_account, codes.TrackingOption.NONE)
    imap_account.append(corpus.email("Offer"))
    sync(imap_account)
    tracks(imap_account, codes.TrackingOption.ALL)
    server_id = decision("Offer").server_id
    reprocess.reprocess(imap_account.mailbox, server_id, by="anna.admin")
    imap_account.set(incoming_server="127.0.0.1:1")  # the server cannot be reached: the run fails
    with pytest.raises(Exception, match="(?i)connect"):
        sync(imap_account)
    assert ReprocessRequest.select().count() == 1 and Activity.select().count() == 0
    imap_account.set(incoming_server=f"127.0.0.1:{imap_account.dovecot.imaps_port}")
    assert sync(imap_account) == 1 and Activity.select().count() == 1
    assert sync(imap_account) == 0 and Activity.select().count() == 1


def test_an_email_the_server_refused_is_fetched_and_parsed_anew(imap_account):
    imap_account.append(corpus.email("Broken on disk"), corpus.email("After"))
    imap_account.unreadable_on_disk(b"Broken on disk")
    try:
        sync(imap_account)
    finally:
        imap_account.readable_again()
    [kept] = UnreadableEmail.select()
    assert "refused to hand it over" in kept.reason
    reprocess.reprocess(imap_account.mailbox, kept.server_id, by="anna.admin")
    assert sync(imap_account) == 1
    assert sorted(a.subject for a in Activity.select()) == ["After", "Broken on disk"]
    assert UnreadableEmail.select().count() == 0
    assert decision("Broken on disk").server_id == kept.server_id
    assert reprocess.outcome(imap_account.mailbox, kept.server_id).message.startswith(
        "anna.admin reprocessed the email 'Broken on disk' of mailbox 'Ann': Tracked:")  # its subject, read now


def test_an_email_still_unreadable_stays_kept_with_its_new_reason(imap_account):
    imap_account.append(corpus.UNREADABLE["binary garbage"])
    sync(imap_account)
    [kept] = UnreadableEmail.select()
    reprocess.reprocess(imap_account.mailbox, kept.server_id, by="anna.admin")
    assert sync(imap_account) == 1
    [again] = UnreadableEmail.select()
    assert again.server_id == kept.server_id and again.reason == kept.reason
    row = reprocess.outcome(imap_account.mailbox, kept.server_id)
    assert (row.code, row.level) == ("ReprocessedEmailUnreadable", codes.TraceLevel.WARNING)
    assert row.message.endswith(f"it still cannot be read: {kept.reason}")


def test_an_email_deleted_from_the_server_changes_nothing_and_says_so(imap_account):
    tracks(imap_account, codes.TrackingOption.NONE)
    imap_account.append(corpus.email("Offer"))
    sync(imap_account)
    client = imap_account.dovecot.imap(imap_account.login, imap_account.password)
    client.select("INBOX")
    client.store("1", "+FLAGS", "\\Deleted")
    client.expunge()
    client.logout()
    tracks(imap_account, codes.TrackingOption.ALL)
    server_id = decision("Offer").server_id
    reprocess.reprocess(imap_account.mailbox, server_id, by="anna.admin")
    assert sync(imap_account) == 1
    assert Activity.select().count() == 0 and decision("Offer").outcome == codes.TrackingOutcome.OPTION_NONE
    assert reprocess.outcome(imap_account.mailbox, server_id).message == (
        "anna.admin reprocessed the email 'Offer' of mailbox 'Ann': it is no longer in Inbox on the mail server "
        "(moved or deleted); nothing changed.")
    assert TraceLog.select().where(TraceLog.code == "ReprocessRequested").count() == 1


def test_an_email_the_mailbox_never_had_is_refused(imap_account):
    with pytest.raises(reprocess.ReprocessRefused, match="Mailbox 'Ann' has no email with the server id 9:9"):
        reprocess.reprocess(imap_account.mailbox, "9:9")
    assert ReprocessRequest.select().count() == 0
