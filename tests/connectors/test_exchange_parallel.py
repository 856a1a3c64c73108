"""Mailboxes' first folder lookups run side by side, not one after another (issue 24)."""
from concurrent.futures import ThreadPoolExecutor

from tests.connectors.exchange_world import exchange_world


def test_first_folder_lookups_of_different_mailboxes_overlap_at_the_server(db, sandbox):
    """exchangelib's Account.root/.inbox share one lock across accounts; ours holds one per account."""
    worlds = [exchange_world(sandbox, "parallel") for _ in range(4)]
    try:
        accounts = [world.account for world in worlds]
        sandbox.reset_stats()
        for world in worlds:
            sandbox.inject("delay", mailbox=world.address, operation="GetFolder", seconds=0.3)
        with ThreadPoolExecutor(len(accounts)) as threads:
            inboxes = list(threads.map(lambda account: account.inbox, accounts))
        assert all(inbox.name == "Inbox" for inbox in inboxes)
        assert sandbox.peak_concurrent() >= 2, "the mailboxes' GetFolder requests went one at a time"
        assert all(account.inbox is inbox for account, inbox in zip(accounts, inboxes, strict=True))  # looked up once
    finally:
        sandbox.clear_faults()
        for world in worlds:
            world.close()
