"""Exchange incoming sync on the EWS sandbox: a first sync of a 10,000-item inbox against a bare exchangelib fetch.

The baseline is what any EWS client pays for the same data: exchangelib's own `sync_items` over the
same inbox, fetching the same fields (MIME included) in pages of the same size, over the same HTTPS
connection settings, run side by side in one process against one sandbox. Ours also parses every
email, decides its tracking, writes the activities, parties, attachments and decisions to SQLite,
and marks tracked items with a category. The user has the default tracking option (Replies to CRM
email). Target: at least 0.9 of the baseline's throughput.
The idle cycle is counted, not timed: the sandbox's counters must show one request per folder.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import SimpleNamespace

from bench.harness import at_most, progress, ratio_at_least, record, timed
from crmsync_gui.core.connectors import _ews_mail as ews_mail
from crmsync_gui.core.sync import incoming


class _Job:
    def __init__(self, mailbox, profile, password):
        self.mailbox, self.profile, self.password, self.timeout_s = mailbox, profile, password, 100
        self._slots = None

    @asynccontextmanager
    async def connection(self):
        self._slots = self._slots or asyncio.Semaphore(self.profile.max_concurrent_connections)
        async with self._slots:
            yield

    def publish(self, event):
        pass


def _bare_fetch(sandbox, user, fields, page) -> int:  # sandbox: .url and .ca_file
    """exchangelib alone: every item of the inbox with the same fields, same page size, same trust."""
    import exchangelib
    from exchangelib.protocol import FailFast

    from crmsync_gui.core.connectors._ews_session import ProfileConfiguration, ProfileProtocol

    config = ProfileConfiguration(service_endpoint=sandbox.url, credentials=exchangelib.Credentials(user.email,
                                                                                                    user.password),
                                  auth_type=exchangelib.BASIC, retry_policy=FailFast(), trusted_ca_file=sandbox.ca_file,
                                  timeout_s=100, max_connections=2)
    account = exchangelib.Account(user.email, config=config, autodiscover=False, access_type=exchangelib.DELEGATE,
                                  default_timezone=exchangelib.UTC)
    account.protocol = ProfileProtocol(config=config)  # the same TLS trust as the connector, nothing else
    count = sum(1 for _ in account.inbox.sync_items(only_fields=list(fields), max_changes_returned=page))
    account.protocol.close()
    return count  # the inbox's emails


@contextmanager
def sandbox_process(items: int, mailboxes: int = 1):
    """`crmsync sandbox serve` in its own process, as a real Exchange is another machine: yields its JSON line."""
    command = [sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", str(mailboxes),
               "--items", str(items)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox process stopped before it was ready (exit {server.wait()})")
        yield json.loads(line)
    finally:
        server.terminate()
        server.wait(timeout=30)


OPTION = 1  # codes.TrackingOption.REPLIES_TO_CRM_EMAIL, the product's default for a user
REPEATS = 2  # each side runs twice, interleaved; the best time of each counts (the machine is shared)


def _setup_mailbox(url, ca_file, user, profile_name, option=OPTION):
    from crmsync_gui.core import admin, codes

    profile = admin.save_profile({"name": profile_name, "incoming_server": url, "auth_type": codes.AuthType.BASIC,
                                  "trusted_ca_file": ca_file, "max_concurrent_connections": 2})
    owner = admin.add_user(user.name, user.email, tracking_option=option)
    mailbox = admin.map_mailbox(admin.add_mailbox(user.name, user.email, profile), owner)
    return mailbox.__class__.get_by_id(mailbox.id), profile


def run(quick: bool) -> list[dict]:
    """First sync of one mailbox vs a bare exchangelib fetch, side by side; then an idle cycle's requests."""
    from crmsync_gui.core.connectors import exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Activity, TrackingDecision
    from crmsync_gui.sandbox import SandboxServer
    from crmsync_gui.sandbox.generate import GeneratedUser

    items = 300 if quick else 10_000
    with sandbox_process(items) as served, tempfile.TemporaryDirectory() as tmp:
        user = GeneratedUser(**served["users"][0])
        sandbox = SimpleNamespace(url=served["url"], ca_file=served["ca_file"])
        bare_times, our_times = [], []
        rounds = 1 if quick else REPEATS
        for repeat in range(rounds + 1):
            option = OPTION if repeat < rounds else 0  # a last round tracks everything (option All)
            if option == 0:
                progress("last round: first sync with the option All (every email tracked and marked)")
                open_database(Path(tmp) / "crm-all.db")
                try:
                    mailbox, profile = _setup_mailbox(sandbox.url, sandbox.ca_file, user, "Sandbox", option)
                    connector = exchange.ExchangeConnector(profile)
                    with timed() as everything:
                        asyncio.run(incoming.run(_Job(mailbox, profile, user.password), connector))
                    asyncio.run(connector.close())
                    tracked_all = Activity.select().count()
                finally:
                    close_database()
                continue
            progress(f"round {repeat + 1}: bare exchangelib fetch of the inbox ({items:,} items in the mailbox)")
            with timed() as bare:
                inbox = _bare_fetch(sandbox, user, ews_mail._EMAIL_FIELDS, ews_mail.PAGE_SIZE)
            bare_times.append(bare.seconds)
            open_database(Path(tmp) / f"crm{repeat}.db")
            try:
                mailbox, profile = _setup_mailbox(sandbox.url, sandbox.ca_file, user, "Sandbox")
                connector = exchange.ExchangeConnector(profile)
                progress(f"round {repeat + 1}: first sync of the {inbox:,} emails through the connector")
                with timed() as ours:
                    asyncio.run(incoming.run(_Job(mailbox, profile, user.password), connector))
                our_times.append(ours.seconds)
                asyncio.run(connector.close())
                decided = TrackingDecision.select().count()
                assert decided == inbox, f"the connector decided {decided} of {inbox} emails"
                tracked = Activity.select().count()
            finally:
                close_database()

    progress("idle cycle, counted by an in-process sandbox")
    with SandboxServer() as counting, tempfile.TemporaryDirectory() as tmp:
        [user] = counting.populate(1, 50)
        open_database(Path(tmp) / "crm.db")
        try:
            mailbox, profile = _setup_mailbox(counting.url, counting.ca_file, user, "Counting")
            connector = exchange.ExchangeConnector(profile)
            job = _Job(mailbox, profile, user.password)
            asyncio.run(incoming.run(job, connector))
            asyncio.run(incoming.run(job, connector))  # takes in our own category changes
            counting.reset_stats()
            asyncio.run(incoming.run(job, connector))
            idle_requests = sum(counting.requests_by_operation(user.email).values())
            asyncio.run(connector.close())
        finally:
            close_database()

    bare_rate, our_rate = inbox / min(bare_times), inbox / min(our_times)
    progress(f"bare {bare_rate:,.0f}/s, ours {our_rate:,.0f}/s, idle cycle {idle_requests} request(s)")
    return [
        record("first sync of an inbox", our_rate, "emails/s", target=ratio_at_least(0.9), baseline=bare_rate,
               baseline_label="bare exchangelib sync_items, same fields and page size",
               note=f"{inbox:,} emails, {tracked:,} tracked (option Replies to CRM email, the default), SQLite "
                    f"store, sandbox over HTTPS in its own process, best of {len(our_times)}"),
        record("first sync of an inbox, every email tracked", inbox / everything.seconds, "emails/s", target=None,
               baseline=bare_rate, baseline_label="bare exchangelib sync_items, same fields and page size",
               note=f"{inbox:,} emails, {tracked_all:,} tracked and marked with a category (option All); one run"),
        record("idle incremental cycle", idle_requests, "requests", target=at_most(1),
               note="one synced folder (Inbox); counted by the sandbox"),
    ]
