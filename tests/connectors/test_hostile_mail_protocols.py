"""The hostile-input soak's generated emails over real protocols: appended to Dovecot and imported over POP3
and IMAP, or put in a mailbox on the EWS sandbox and imported over EWS (MimeContent), by the incoming
pipeline. Each becomes a tracking decision or its own unreadable record with a reason, and the mailbox goes on. make test: 60 of them per protocol (seed 7); make soak: CRMSYNC_HOSTILE_EMAILS=1000."""
import os
import time

import pytest

from bench.hostile_mail import generated
from crmsync_gui.core import codes
from crmsync_gui.core.connectors.imap import ImapConnector
from crmsync_gui.core.connectors.pop3 import Pop3Connector
from crmsync_gui.core.store.models import TrackingDecision, UnreadableEmail
from crmsync_gui.core.sync import incoming
from tests.connectors.conftest import run
from tests.connectors.exchange_world import exchange_world

COUNT = int(os.environ.get("CRMSYNC_HOSTILE_EMAILS", "60"))
SEED = int(os.environ.get("CRMSYNC_HOSTILE_SEED", "7"))


def append_accepted(account, messages) -> int:
    """APPEND each email; Dovecot refuses a few (a NUL byte, say): those never reach a mailbox."""
    client = account.dovecot.imap(account.login, account.password)
    try:
        return sum(client.append("INBOX", None, None, raw)[0] == "OK" for raw in messages)
    finally:
        client.logout()


@pytest.mark.parametrize("connector, account", [(Pop3Connector, "pop3_account"), (ImapConnector, "imap_account")])
def test_generated_emails_over_the_protocol_are_tracked_or_unreadable_with_a_reason(request, connector, account):
    account = request.getfixturevalue(account)
    accepted = append_accepted(account, generated(COUNT, SEED))
    assert accepted > COUNT * 0.8

    async def sync():
        session = connector(account.profile)
        try:
            return await incoming.run(account.job(timeout_s=60), session)
        finally:
            await session.close()

    started = time.perf_counter()
    assert run(sync()) == accepted
    elapsed = time.perf_counter() - started
    unreadable = list(UnreadableEmail.select())
    assert TrackingDecision.select().count() + len(unreadable) == accepted  # each one, once
    assert all(row.reason and (row.raw or row.raw_size == 0) for row in unreadable)  # an empty one is empty
    assert len(unreadable) < accepted  # the mutations reach both outcomes
    assert run(sync()) == 0, "nothing is retried forever"
    print(f"{connector.__name__}: {accepted} emails in {elapsed:.1f} s, {len(unreadable)} unreadable")


def test_generated_emails_over_ews_are_tracked_or_unreadable_with_a_reason(db, sandbox):
    world = exchange_world(sandbox, "hostile", tracking_option=codes.TrackingOption.ALL)
    try:
        for raw in generated(COUNT, SEED):
            sandbox.add_message(world.address, mime=raw)
        started = time.perf_counter()
        assert run(incoming.run(world.job, world.connector)) == COUNT
        elapsed = time.perf_counter() - started
        unreadable = list(UnreadableEmail.select())
        assert TrackingDecision.select().count() + len(unreadable) == COUNT  # each one, once
        assert all(row.reason and (row.raw or row.raw_size == 0) for row in unreadable)  # an empty one is empty
        assert 0 < len(unreadable) < COUNT
        assert run(incoming.run(world.job, world.connector)) == 0, "nothing is retried forever"
        print(f"EWS: {COUNT} emails in {elapsed:.1f} s, {len(unreadable)} unreadable")
    finally:
        world.close()
