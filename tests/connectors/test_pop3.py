"""POP3 incoming against a real Dovecot: UIDL state, restarts, deletion, TLS, errors, broken email."""
import json
import time

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import pop3
from crmsync_gui.core.connectors.pop3 import Pop3Connector
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import (
    Activity,
    FolderSyncState,
    Mailbox,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import incoming
from crmsync_gui.core.sync.pipelines import ProfileSync
from tests.connectors import corpus
from tests.connectors.conftest import run
from tests.servers.ports import free_port


def sync(account, **job):
    async def go():
        connector = Pop3Connector(account.profile)
        try:
            return await incoming.run(account.job(**job), connector)
        finally:
            await connector.close()
    return run(go())


def subjects():
    return sorted(a.subject for a in Activity.select())


def test_ssl_import_tracks_each_email_once_across_restarts(pop3_account):
    pop3_account.append(corpus.email("First"), corpus.email("Second"), corpus.INTERNATIONAL)
    assert sync(pop3_account) == 3
    assert subjects() == ["First", "Résumé €10", "Second"]
    intl = Activity.get(Activity.subject == "Résumé €10")
    assert intl.body.strip() == "Привет"
    assert [(p.address, p.display_name) for p in intl.parties if p.role == codes.PartyRole.FROM] == [
        ("juergen@fabrikam.test", "Jürgen Groß")]
    state = json.loads(FolderSyncState.get().state)
    assert len(state["handled"]) == 3

    # a new connector, as after a restart: nothing again, then only the new email
    assert sync(pop3_account) == 0
    pop3_account.append(corpus.email("Third"))
    assert sync(pop3_account) == 1
    assert subjects() == ["First", "Résumé €10", "Second", "Third"]
    assert pop3_account.dovecot.count(pop3_account.login, pop3_account.password) == 4  # left on the server


def test_lost_state_still_creates_no_duplicates(pop3_account):
    pop3_account.append(corpus.email("Once"))
    assert sync(pop3_account) == 1
    FolderSyncState.delete().execute()  # e.g. a crash before the state commit
    assert sync(pop3_account) == 0  # tracking already decided this server item
    assert subjects() == ["Once"]


def test_delete_after_import_removes_from_server(pop3_account):
    pop3_account.set(leave_email_on_server=False)
    pop3_account.append(corpus.email("Gone 1"), corpus.email("Gone 2"))
    assert sync(pop3_account) == 2
    assert pop3_account.dovecot.count(pop3_account.login, pop3_account.password) == 0
    assert subjects() == ["Gone 1", "Gone 2"]
    assert sync(pop3_account) == 0
    assert json.loads(FolderSyncState.get().state)["handled"] == []  # pruned: the server holds none


def test_starttls_on_the_plain_port(pop3_account):
    pop3_account.set(incoming_server=f"127.0.0.1:{pop3_account.dovecot.pop3_port}", incoming_starttls=True)
    pop3_account.append(corpus.email("Over STARTTLS"))
    assert sync(pop3_account) == 1


@pytest.mark.parametrize("starttls", [False, True], ids=["ssl", "starttls"])
def test_untrusted_certificate_is_refused(pop3_account, starttls):
    if starttls:
        pop3_account.set(incoming_server=f"127.0.0.1:{pop3_account.dovecot.pop3_port}", incoming_starttls=True)
    pop3_account.set(trusted_ca_file=None)  # the system CAs do not know the test CA
    pop3_account.append(corpus.email("Never read"))
    with pytest.raises(PermanentError) as caught:
        sync(pop3_account)
    assert caught.value.code == "CertificateNotTrusted"
    assert "trusted CA file" in str(caught.value)
    assert Activity.select().count() == 0


def test_bad_password_is_permanent_and_never_shown(pop3_account, caplog):
    secret = "Wr0ng-Pa55word!"
    with pytest.raises(PermanentError) as caught:
        sync(pop3_account, password=secret)
    assert caught.value.code == "SignInRejected"
    assert pop3_account.login in str(caught.value) and "Check the user name and password" in str(caught.value)
    assert secret not in str(caught.value) and secret not in caplog.text


def test_test_and_enable_checks_both_directions(pop3_account):
    async def go():
        connector = Pop3Connector(pop3_account.profile)
        await connector.test(pop3_account.job(), codes.Direction.INCOMING)
        await connector.test(pop3_account.job(), codes.Direction.OUTGOING)
        with pytest.raises(PermanentError) as caught:
            await connector.test(pop3_account.job(), codes.Direction.INCOMING.__class__.ACT)
        assert caught.value.code == "NotSupported"
        with pytest.raises(PermanentError):
            await connector.test(pop3_account.job(password="nope"), codes.Direction.INCOMING)
    run(go())


def test_server_down_is_transient(pop3_account):
    pop3_account.set(incoming_server=f"127.0.0.1:{free_port()}")
    with pytest.raises(TransientError) as caught:
        sync(pop3_account)
    assert caught.value.code == "ServerUnreachable"
    assert "refused the connection" in str(caught.value)


def test_unreadable_email_is_kept_and_never_blocks_the_mailbox(pop3_account):
    pop3_account.set(leave_email_on_server=False)
    good = [corpus.email("Before"), *corpus.ODD_BUT_READABLE, corpus.email("After")]
    pop3_account.append(good[0], *corpus.UNREADABLE.values(), *good[1:])
    processed = sync(pop3_account)
    assert processed == len(good) + len(corpus.UNREADABLE)
    assert "Before" in subjects() and "After" in subjects() and "bad b64" in subjects()
    assert TrackingDecision.select().count() == len(good)
    rows = list(UnreadableEmail.select().order_by(UnreadableEmail.id))
    assert len(rows) == len(corpus.UNREADABLE)
    for row, raw in zip(rows, corpus.UNREADABLE.values(), strict=True):
        assert corpus.lines(bytes(row.raw)) == corpus.lines(raw)[:len(corpus.lines(bytes(row.raw)))]
        assert row.raw_size >= len(row.raw) > 0
        assert "could not be read" in row.reason
    # unreadable emails stay on the server (nothing lost); readable ones were deleted
    assert pop3_account.dovecot.count(pop3_account.login, pop3_account.password) == len(corpus.UNREADABLE)
    assert sync(pop3_account) == 0  # and they are not retried forever


def test_a_header_line_over_2048_bytes_arrives_whole_and_the_mailbox_goes_on(pop3_account):
    """poplib reads lines of at most 2,048 bytes ("line too long"); a long References line is ordinary."""
    references = " ".join(f"<thread-{n:04d}@fabrikam.test>" for n in range(120))  # ~3,000 bytes, unfolded
    long_line = corpus.email("Long references").replace(b"\nSubject:", f"\nReferences: {references}\nSubject:".encode())
    assert max(len(line) for line in long_line.splitlines()) > 2048
    pop3_account.append(corpus.email("Before"), long_line, corpus.email("After"))
    assert sync(pop3_account) == 3
    assert subjects() == ["After", "Before", "Long references"]
    assert "<thread-0119@fabrikam.test>" in Activity.get(subject="Long references").references  # to its end


def test_deletes_wait_for_the_batch_downloading_ahead_on_the_same_connection(pop3_account, monkeypatch):
    """Batch 2 downloads, from a slow network, while batch 1's emails are deleted; one of batch 2 is refused."""
    monkeypatch.setattr(pop3, "BATCH", 2)
    read_lines = pop3.Pop3Session._read_lines

    def slowly(session):
        time.sleep(0.2)  # the email's lines are on their way when a DELE could be sent
        return read_lines(session)

    monkeypatch.setattr(pop3.Pop3Session, "_read_lines", slowly)
    pop3_account.set(leave_email_on_server=False)
    pop3_account.append(corpus.email("One"), corpus.email("Two"), corpus.email("Broken on disk"),
                        corpus.email("Four"), corpus.email("Five"))
    pop3_account.unreadable_on_disk(b"Broken on disk")
    try:
        assert sync(pop3_account) == 5
        assert subjects() == ["Five", "Four", "One", "Two"]
        assert pop3_account.dovecot.count(pop3_account.login, pop3_account.password) == 1  # the refused one stays
        [row] = UnreadableEmail.select()
        assert "refused to hand it over" in row.reason
        assert sync(pop3_account) == 0
    finally:
        pop3_account.readable_again()


def test_an_email_the_server_refuses_to_hand_over_is_kept_unreadable_and_the_mailbox_goes_on(pop3_account):
    pop3_account.append(corpus.email("Before"), corpus.email("Broken on disk"), corpus.email("After"))
    pop3_account.unreadable_on_disk(b"Broken on disk")  # Dovecot lists it, and cannot read it: -ERR to its RETR
    try:
        assert sync(pop3_account) == 3
        assert subjects() == ["After", "Before"]
        [row] = UnreadableEmail.select()
        assert "refused to hand it over" in row.reason and "-ERR" in row.reason
        assert sync(pop3_account) == 0  # kept, not retried for ever
    finally:
        pop3_account.readable_again()


def test_a_server_echoing_the_password_never_shows_it(pop3_account, caplog):
    """Some POP3 servers repeat the command they refuse ("-ERR ... PASS <password>"); a stand-in server on
    loopback does, since Dovecot never echoes."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as stream:
            stream.write(b"+OK echo ready\r\n")
            stream.flush()
            for line in stream:
                reply = b"+OK\r\n" if line.startswith(b"USER") else b"-ERR [AUTH] refused: " + line.strip() + b"\r\n"
                stream.write(reply)
                stream.flush()
                if line.startswith(b"PASS"):
                    return

    threading.Thread(target=serve, daemon=True).start()
    pop3_account.set(incoming_server=f"127.0.0.1:{listener.getsockname()[1]}", incoming_use_ssl=False)
    try:
        with pytest.raises(PermanentError) as caught:
            sync(pop3_account, password="Echo-Me-9")
    finally:
        listener.close()
    assert caught.value.code == "SignInRejected" and "refused: PASS" in str(caught.value)
    assert "Echo-Me-9" not in str(caught.value) and "Echo-Me-9" not in caplog.text


def test_a_pop3_mailbox_records_that_its_protocol_lacks_push(pop3_account):
    """The Mailboxes page's New email column: POP3 has no push, so the mailbox waits for the schedule's poll."""
    pop3_account.append(corpus.email("Polled"))

    async def go():
        connector = Pop3Connector(pop3_account.profile)
        try:
            return await ProfileSync(connector).sync_incoming(pop3_account.job())
        finally:
            await connector.close()

    assert run(go()) == 1
    assert Mailbox.get_by_id(pop3_account.mailbox.id).arrival == codes.Arrival.NO_PUSH
