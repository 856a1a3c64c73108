"""Mailboxes' first folder lookups run side by side, not one after another (issue 24)."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from tests.connectors.exchange_world import Job, exchange_world


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


def test_a_profiles_server_is_asked_its_version_once_for_all_its_mailboxes(db, sandbox):
    """Each mailbox with a password of its own has its own exchangelib Protocol, which asks the server's version
    (ConvertId) on its first request; the profile asks once."""
    from crmsync_gui.core import admin
    from crmsync_gui.core.sync import incoming

    first = exchange_world(sandbox, "version", password="pw0")
    jobs = [first.job]
    for n in range(1, 4):
        address = f"version-more{n}@sandbox.test"
        sandbox.add_mailbox(address, f"pw{n}", name=f"Mailbox {n}")
        mailbox = admin.map_mailbox(admin.add_mailbox(f"Mailbox {n}", address, first.mailbox.profile),
                                    admin.add_user(f"User {n}", address))
        jobs.append(Job(mailbox.__class__.get_by_id(mailbox.id), first.mailbox.profile, f"pw{n}"))
    sandbox.reset_stats()
    try:
        async def everyone():
            await asyncio.gather(*(incoming.run(job, first.connector) for job in jobs))
        asyncio.run(everyone())
        asked = sum(sandbox.requests_by_operation(job.mailbox.email).get("ConvertId", 0) for job in jobs)
        assert asked == 1
        assert all(sandbox.requests_by_operation(job.mailbox.email).get("SyncFolderItems") for job in jobs)
    finally:
        first.close()
