"""IMAP incoming against a real Dovecot: UIDVALIDITY/UID state, restarts, folders, IDLE push, errors."""
import asyncio
import time

import imapclient
import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.connectors import imap
from crmsync_gui.core.connectors.imap import ImapConnector
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import (
    Activity,
    FolderSyncState,
    FolderTrackingRule,
    Mailbox,
    TraceLog,
    UnreadableEmail,
)
from crmsync_gui.core.sync import incoming
from crmsync_gui.core.sync.pipelines import ProfileSync
from tests.connectors import corpus
from tests.connectors.conftest import run
from tests.servers.ports import free_port


def sync(account, **job):
    async def go():
        connector = ImapConnector(account.profile)
        try:
            return await incoming.run(account.job(**job), connector)
        finally:
            await connector.close()
    return run(go())


def subjects():
    return sorted(a.subject for a in Activity.select())


def test_import_by_uid_across_restarts_leaves_read_marks_alone(imap_account):
    imap_account.append(corpus.email("One"), corpus.INTERNATIONAL)
    assert sync(imap_account) == 2
    assert subjects() == ["One", "Résumé €10"]
    state = FolderSyncState.get()
    assert state.uid_validity and state.last_uid == 2
    assert Activity.get(Activity.subject == "One").sent_on is not None  # INTERNALDATE, naive UTC

    assert sync(imap_account) == 0  # a new connector: nothing twice
    imap_account.append(corpus.email("Two"))
    assert sync(imap_account) == 1
    assert subjects() == ["One", "Résumé €10", "Two"]

    client = imap_account.dovecot.imap(imap_account.login, imap_account.password)
    client.select("INBOX", readonly=True)
    typ, unseen = client.search(None, "UNSEEN")
    client.logout()
    assert len(unseen[0].split()) == 3  # BODY.PEEK: the user still sees them as unread


def test_new_uidvalidity_rereads_without_duplicates(imap_account):
    imap_account.append(corpus.email("Stable"))
    assert sync(imap_account) == 1
    FolderSyncState.update(uid_validity=1, last_uid=99).execute()  # as if the server renumbered the folder
    assert sync(imap_account) == 0
    assert subjects() == ["Stable"]
    assert FolderSyncState.get().last_uid == 1


def test_tracked_folder_is_synced_too(imap_account):
    FolderTrackingRule.create(mailbox=imap_account.mailbox, folder="Inbox/Projects")
    imap_account.append(corpus.email("In the folder"), folder="INBOX.Projects"
                        if _delimiter(imap_account) == "." else "INBOX/Projects")
    imap_account.append(corpus.email("In the inbox"))
    assert sync(imap_account) == 2
    assert subjects() == ["In the folder", "In the inbox"]
    assert {s.folder for s in FolderSyncState.select()} == {"Inbox", "Inbox/Projects"}


def _delimiter(account) -> str:
    client = account.dovecot.imap(account.login, account.password)
    typ, data = client.list('""', "INBOX")
    client.logout()
    return data[0].split(b'"')[1].decode()


def test_starttls_on_the_plain_port(imap_account):
    imap_account.set(incoming_server=f"127.0.0.1:{imap_account.dovecot.imap_port}", incoming_starttls=True)
    imap_account.append(corpus.email("Over STARTTLS"))
    assert sync(imap_account) == 1


def test_bad_password_is_permanent(imap_account, caplog):
    secret = "n0t-the-Pa55word"
    with pytest.raises(PermanentError) as caught:
        sync(imap_account, password=secret)
    assert caught.value.code == "SignInRejected"
    assert secret not in str(caught.value) and secret not in caplog.text


@pytest.mark.parametrize("starttls", [False, True], ids=["ssl", "starttls"])
def test_untrusted_certificate_is_refused(imap_account, starttls):
    if starttls:
        imap_account.set(incoming_server=f"127.0.0.1:{imap_account.dovecot.imap_port}", incoming_starttls=True)
    imap_account.set(trusted_ca_file=None)
    with pytest.raises(PermanentError) as caught:
        sync(imap_account)
    assert caught.value.code == "CertificateNotTrusted"


def test_server_down_is_transient(imap_account):
    imap_account.set(incoming_server=f"127.0.0.1:{free_port()}")
    with pytest.raises(TransientError) as caught:
        sync(imap_account)
    assert caught.value.code == "ServerUnreachable"


def test_unreadable_email_is_kept_and_the_rest_tracked(imap_account):
    imap_account.append(corpus.email("Before"), *corpus.UNREADABLE.values(), *corpus.ODD_BUT_READABLE,
                        corpus.email("After"))
    assert sync(imap_account) == 2 + len(corpus.ODD_BUT_READABLE) + len(corpus.UNREADABLE)
    assert {"Before", "After", "bad b64"} <= set(subjects())
    rows = list(UnreadableEmail.select().order_by(UnreadableEmail.id))
    assert [corpus.lines(bytes(r.raw)) for r in rows] == [corpus.lines(raw) for raw in corpus.UNREADABLE.values()]
    assert all(r.server_id.count(":") == 1 for r in rows)
    assert sync(imap_account) == 0
    # the error browser shows each one on a row of its own
    traces = TraceLog.select().where(TraceLog.code == "EmailUnreadable")
    assert sorted(t.message.split(": ", 1)[1] for t in traces) == sorted(r.reason for r in rows)


def test_unreadable_email_moves_to_undeliverable_when_the_profile_says_so(imap_account):
    imap_account.set(move_failed_to_undeliverable=True)
    imap_account.append(corpus.email("Fine"), *corpus.UNREADABLE.values())
    assert sync(imap_account) == 1 + len(corpus.UNREADABLE)
    assert subjects() == ["Fine"]
    client = imap_account.dovecot.imap(imap_account.login, imap_account.password)
    delimiter = _delimiter(imap_account)
    counts = {}
    for folder in ("INBOX", f"INBOX{delimiter}Undeliverable"):
        typ, data = client.select(folder, readonly=True)
        assert typ == "OK", data
        counts[folder] = int(data[0])
    client.logout()
    assert counts == {"INBOX": 1, f"INBOX{delimiter}Undeliverable": len(corpus.UNREADABLE)}
    assert UnreadableEmail.select().count() == len(corpus.UNREADABLE)  # still listed, with their first bytes
    assert all("moved from Inbox to Inbox/Undeliverable" in t.message
               for t in TraceLog.select().where(TraceLog.code == "EmailUnreadable"))
    imap_account.append(corpus.email("Later"))
    assert sync(imap_account) == 1  # the Undeliverable folder already exists; nothing read twice


def test_idle_push_announces_new_email_within_seconds(imap_account):
    """With IDLE, an appended email is announced (IncomingMailArrived) and tracked within 5 s."""

    async def go():
        connector = ImapConnector(imap_account.profile)
        job = imap_account.job()
        try:
            assert await ProfileSync(connector).sync_incoming(job) == 0
            assert job.mailbox.id in connector.arrival.watching
            await asyncio.sleep(0.5)  # the watcher is idling
            started = time.monotonic()
            await asyncio.to_thread(imap_account.append, corpus.email("Pushed"))
            while not any(isinstance(e, events.IncomingMailArrived) for e in job.published):
                assert time.monotonic() - started < 5, "no IDLE push within 5 s"
                await asyncio.sleep(0.05)
            assert job.published[0].mailbox_id == job.mailbox.id
            assert await incoming.run(imap_account.job(), connector) == 1  # what the engine then runs
            assert time.monotonic() - started < 5
            assert job.peak_connections == 1 and job.open_connections == 1  # the watcher holds its slot
        finally:
            await connector.close()
        assert job.open_connections == 0
        assert connector.arrival.watching == set()
    run(go())
    assert subjects() == ["Pushed"]


def test_idle_watches_tracked_folders_too_within_half_the_cap(imap_account):
    FolderTrackingRule.create(mailbox=imap_account.mailbox, folder="Inbox/Projects")
    FolderTrackingRule.create(mailbox=imap_account.mailbox, folder="Inbox/Later")
    projects = "INBOX.Projects" if _delimiter(imap_account) == "." else "INBOX/Projects"
    later = projects.replace("Projects", "Later")
    for folder in (projects, later):
        imap_account.append(corpus.email(f"Seed of {folder}"), folder=folder)
    imap_account.set(max_concurrent_connections=4)

    async def go():
        connector = ImapConnector(imap_account.profile)
        job = imap_account.job()
        try:
            assert await ProfileSync(connector).sync_incoming(job) == 2
            watched = {folder for _, folder in connector.arrival.watched_folders}
            assert watched == {"INBOX", projects}  # half the cap of 4: the Inbox, then the first tracked folder
            await asyncio.sleep(0.5)  # the watchers are idling
            started = time.monotonic()
            await asyncio.to_thread(imap_account.append, corpus.email("Filed by a rule"), folder=projects)
            while not any(isinstance(e, events.IncomingMailArrived) for e in job.published):
                assert time.monotonic() - started < 5, "no IDLE push from the tracked folder within 5 s"
                await asyncio.sleep(0.05)
        finally:
            await connector.close()
    run(go())


def test_no_idle_watcher_when_the_profile_allows_one_connection(imap_account):
    imap_account.set(max_concurrent_connections=1)

    async def go():
        connector = ImapConnector(imap_account.profile)
        try:
            await ProfileSync(connector).sync_incoming(imap_account.job())
            assert connector.arrival.watching == set()
        finally:
            await connector.close()
    run(go())


def test_idle_is_offered_by_the_test_server(imap_account):
    client = imapclient.IMAPClient("127.0.0.1", imap_account.dovecot.imap_port, ssl=False)
    assert b"IDLE" in client.capabilities()
    client.logout()
    assert codes.ServerType.IMAP_SMTP


def test_an_email_the_server_refuses_to_fetch_is_kept_unreadable_and_the_rest_tracked(imap_account):
    """Dovecot answers the batch's FETCH with an internal error and closes the connection (a broken file)."""
    imap_account.append(corpus.email("Before"), corpus.email("Broken on disk"), corpus.email("After"))
    imap_account.unreadable_on_disk(b"Broken on disk")
    try:
        assert sync(imap_account) == 3
        assert subjects() == ["After", "Before"]
        [row] = UnreadableEmail.select()
        assert row.server_id.endswith(":2") and "refused to hand it over" in row.reason
        imap_account.append(corpus.email("Later"))
        assert sync(imap_account) == 1 and "Later" in subjects()  # the mailbox goes on, the broken one stays kept
    finally:
        imap_account.readable_again()


def test_a_refusal_of_the_batch_downloading_ahead_loses_nothing_while_a_page_moves_its_unreadable(
        imap_account, monkeypatch):
    """Batch 2 downloads while batch 1 is handled; Dovecot refuses it and hangs up just as batch 1's unreadable
    email is to be moved over the same connection."""
    monkeypatch.setattr(imap, "BATCH", 2)
    imap_account.set(move_failed_to_undeliverable=True)
    unreadable = next(iter(corpus.UNREADABLE.values()))
    imap_account.append(corpus.email("One"), unreadable, corpus.email("Broken on disk"), corpus.email("Four"),
                        corpus.email("Five"))
    imap_account.unreadable_on_disk(b"Broken on disk")
    try:
        assert sync(imap_account) == 5
        assert subjects() == ["Five", "Four", "One"]
        rows = list(UnreadableEmail.select().order_by(UnreadableEmail.id))
        assert [r.server_id.rsplit(":", 1)[1] for r in rows] == ["2", "3"]
        assert "refused to hand it over" in rows[1].reason
        assert sync(imap_account) == 0
    finally:
        imap_account.readable_again()


def test_the_mailbox_records_how_its_new_email_arrives_when_the_cap_is_small(imap_account):
    """Cap 4: two IDLE connections, for the Inbox and one of two tracked folders (the rest polled); cap 1: none."""
    FolderTrackingRule.create(mailbox=imap_account.mailbox, folder="Inbox/Projects")
    FolderTrackingRule.create(mailbox=imap_account.mailbox, folder="Inbox/Later")
    for folder in ("Projects", "Later"):
        imap_account.append(corpus.email(f"Seed of {folder}"),
                            folder=f"INBOX{_delimiter(imap_account)}{folder}")

    async def arrives(cap: int):
        imap_account.set(max_concurrent_connections=cap)
        connector = ImapConnector(imap_account.profile)
        try:
            await ProfileSync(connector).sync_incoming(imap_account.job())
            return Mailbox.get_by_id(imap_account.mailbox.id).arrival, len(connector.arrival.watched_folders)
        finally:
            await connector.close()

    assert run(arrives(4)) == (codes.Arrival.PUSH_SOME, 2)
    assert run(arrives(1)) == (codes.Arrival.CAP_REACHED, 0)
    assert run(arrives(6)) == (codes.Arrival.PUSH, 3)
