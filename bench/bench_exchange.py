"""Exchange incoming sync on the EWS sandbox (in its own process, as Exchange is another machine).

Side by side in one run, each figure the median of several interleaved rounds:
1. First sync of an inbox holding 1,000 emails of the realistic corpus (bench/corpus.py, delivered as MIME with
   CreateItem), every email tracked and marked with a category (option All), into a store with
   history (100,000 activities, bench_tracking.history). Against:
   - bare exchangelib: `sync_items` over the same inbox, the same fields (MIME included) and page
     size, the same TLS trust; target: at least 0.9 of its throughput;
   - the limit: the fetch alone (the connector's SyncFolderItems pages, the reply read in one piece, as the
     connector does and exchangelib as shipped does not), plus the MIME parse of what it fetched
     (core/sync/mime.py), plus the rows our run wrote inserted by plain sqlite3 (one transaction a page),
     each timed alone and added.
2. First syncs of 100 mailboxes at once (generated mailboxes of 10 items, every reply 30 ms late as
   across a network, the default option, one profile with 10 connections), with the connector as it
   is and as the code before issue 24 did it: exchangelib's own Account (Account.root/.inbox hold one lock
   for every account), each reply read a byte a call, each mailbox asking the server's version).
   Target: at least 2.5× faster.
3. An idle incremental cycle, counted by the sandbox, not timed: one request per synced folder.
Leaves out: the engine's scheduling (bench_engine_schedule) and ACT.
"""
from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import SimpleNamespace

from bench import bench_tracking
from bench.corpus import corpus, describe
from bench.harness import (
    at_most,
    load_average,
    median_spread,
    progress,
    ratio_at_least,
    ratio_at_most,
    record,
    timed,
)
from crmsync_gui.core.connectors import _ews_mail as ews_mail
from crmsync_gui.core.sync import incoming


class _Job:
    def __init__(self, mailbox, profile, password, slots: asyncio.Semaphore | None = None):
        self.mailbox, self.profile, self.password, self.timeout_s = mailbox, profile, password, 100
        self._slots = slots  # the profile's connection cap, shared by its jobs as the engine does

    @asynccontextmanager
    async def connection(self):
        self._slots = self._slots or asyncio.Semaphore(self.profile.max_concurrent_connections)
        async with self._slots:
            yield

    def publish(self, event):
        pass


def _bare_account(sandbox, user):
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
    return account


def _bare_fetch(sandbox, user) -> list[bytes]:
    """exchangelib alone: every item of the inbox with the connector's fields and page size; their MIME. Its
    replies are read as exchangelib reads them, not as the connector does (`_ews_reply.get_response`)."""
    from exchangelib.services.common import EWSService

    from crmsync_gui.core.connectors import _ews_reply

    account = _bare_account(sandbox, user)
    EWSService._get_response = _ews_reply.exchangelib_get_response
    try:
        raws = [item.mime_content for change, item in account.inbox.sync_items(
            only_fields=list(ews_mail._EMAIL_FIELDS), max_changes_returned=ews_mail.PAGE_SIZE)]
    finally:
        EWSService._get_response = _ews_reply.get_response
    account.protocol.close()
    return raws


def _fetch_alone(sandbox, user) -> list[bytes]:
    """The limit's fetch: the same SyncFolderItems pages as the connector's, its reply read in one piece
    (exchangelib as shipped reads it a byte a call), and nothing else; their MIME."""
    account = _bare_account(sandbox, user)
    raws, state, last = [], None, False
    while not last:
        items, state, last = ews_mail._fetch_page(account, account.inbox, state, [])
        raws += [item.mime_content for item in items]
    account.protocol.close()
    return raws


def _deliver(sandbox, user, emails: list[bytes]) -> None:
    """Put the corpus into the inbox as MIME (CreateItem), as mail delivery would; not timed."""
    from exchangelib import Message

    account = _bare_account(sandbox, user)
    for start in range(0, len(emails), 50):
        account.bulk_create(folder=account.inbox, items=[Message(mime_content=raw) for raw in
                                                          emails[start:start + 50]])
    account.protocol.close()


@contextmanager
def sandbox_process(items: int, mailboxes: int = 1, latency_s: float = 0, impersonators: tuple[str, ...] = ()):
    """`crmsync sandbox serve` in its own process, as a real Exchange is another machine: yields its JSON line.

    `latency_s`: every reply comes that much later, as across a network; `impersonators`: addresses whose accounts
    may act for every mailbox."""
    command = [sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", str(mailboxes),
               "--items", str(items)] + (["--fault", f"delay,seconds={latency_s}"] if latency_s else []) \
        + [arg for address in impersonators for arg in ("--impersonator", address)]
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
LATENCY_S = 0.03  # the 100 first syncs: each reply 30 ms late, a mail server across a network


def _setup_mailbox(url, ca_file, user, profile_name, option=OPTION, connections=2, profile=None, username=""):
    """The user's mailbox, mapped and approved, on a new profile (or on `profile`): (mailbox, profile).

    `username`: the profile's impersonation account (else each mailbox signs in as itself)."""
    from crmsync_gui.core import admin, codes

    if profile is None:
        profile = admin.save_profile({"name": profile_name, "incoming_server": url, "auth_type": codes.AuthType.BASIC,
                                      "trusted_ca_file": ca_file, "max_concurrent_connections": connections,
                                      "username": username})
    owner = admin.add_user(user.name, user.email, tracking_option=option)
    mailbox = admin.map_mailbox(admin.add_mailbox(user.name, user.email, profile), owner)
    return mailbox.__class__.get_by_id(mailbox.id), profile


def _first_sync_tracked(sandbox, user, store: Path) -> float:
    """Ours: the first sync of the inbox into `store` (history already in it), every email tracked."""
    from crmsync_gui.core.connectors import exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox

    open_database(store)
    try:
        mailbox = Mailbox.get(Mailbox.email == user.email)
        connector = exchange.ExchangeConnector(mailbox.profile)
        with timed() as t:
            asyncio.run(incoming.run(_Job(mailbox, mailbox.profile, user.password), connector))
        asyncio.run(connector.close())
        return t.seconds
    finally:
        close_database()


def _parse_all(raws: list[bytes]) -> float:
    from crmsync_gui.core.sync.mime import parse_email

    with timed() as t:
        for i, raw in enumerate(raws):
            parse_email(raw, server_id=str(i))
    return t.seconds


def _many_first_syncs(served, store: Path, *, before: bool) -> float:
    """First syncs of every served mailbox at once on one profile; `before`: exchangelib's own Account."""
    import exchangelib
    from exchangelib.protocol import Protocol

    from crmsync_gui.core.connectors import _ews_reply, _ews_session, exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox.generate import GeneratedUser

    users = [GeneratedUser(**u) for u in served["users"]]
    open_database(store)
    from exchangelib.services.common import EWSService

    ours, replies, version = _ews_session.ProfileAccount, EWSService._get_response, _ews_session.ProfileProtocol.version
    try:
        jobs, profile = [], None
        for user in users:
            mailbox, profile = _setup_mailbox(served["url"], served["ca_file"], user, "Many", connections=10,
                                              profile=profile)
            jobs.append((mailbox, user.password))
        slots = asyncio.Semaphore(profile.max_concurrent_connections)
        if before:
            _ews_session.ProfileAccount = exchangelib.Account
            EWSService._get_response = _ews_reply.exchangelib_get_response  # and its replies read a byte a call
            _ews_session.ProfileProtocol.version = Protocol.version  # and each mailbox asks the server's version
        connector = exchange.ExchangeConnector(profile)

        async def everyone():
            await asyncio.gather(*(incoming.run(_Job(m, profile, pw, slots), connector) for m, pw in jobs))

        with timed() as t:
            asyncio.run(everyone())
        asyncio.run(connector.close())
        return t.seconds
    finally:
        _ews_session.ProfileAccount, EWSService._get_response, _ews_session.ProfileProtocol.version = ours, replies, version
        close_database()


def _idle_requests() -> int:
    from crmsync_gui.core.connectors import exchange
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox import SandboxServer

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
            asyncio.run(connector.close())
            return sum(counting.requests_by_operation(user.email).values())
        finally:
            close_database()


def run(quick: bool) -> list[dict]:
    """Tracked first sync vs bare exchangelib and the limit; 100 first syncs at once vs before; idle cycle."""
    from crmsync_gui.sandbox.generate import GeneratedUser

    # sizes for a shared 2-core machine, where the sandbox, the client and the store share the cores
    count, activities, rounds, many = (40, 2_000, 1, 5) if quick else (1_000, 100_000, 3, 100)
    raws = corpus(count, owner="placeholder")
    loads = [load_average()]
    with sandbox_process(0) as served, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        user = GeneratedUser(**served["users"][0])
        sandbox = SimpleNamespace(url=served["url"], ca_file=served["ca_file"])
        progress(f"delivering {describe(raws)} to the sandbox's inbox")
        _deliver(sandbox, user, corpus(count, owner=user.email))
        progress(f"a store with {activities:,} activities of history")
        bench_tracking.history(tmp / "history.db", activities, lambda: _setup_mailbox(
            sandbox.url, sandbox.ca_file, user, "Sandbox", option=0)[0])
        ours_s, bare_s, limit_s = [], [], []
        for n in range(rounds):
            progress(f"round {n + 1}/{rounds}: bare exchangelib fetch of the inbox")
            with timed() as bare:
                fetched = _bare_fetch(sandbox, user)
            bare_s.append(bare.seconds)
            progress(f"round {n + 1}/{rounds}: first sync through the connector, every email tracked")
            shutil.copy(tmp / "history.db", tmp / "ours.db")
            since = bench_tracking.max_ids(tmp / "ours.db")
            ours_s.append(_first_sync_tracked(sandbox, user, tmp / "ours.db"))
            written = bench_tracking.rows_written(tmp / "ours.db", since)
            assert len(written["tracking_decision"][1]) == len(fetched) == count, "not every email was decided"
            progress(f"round {n + 1}/{rounds}: the limit (the fetch alone, the parse of what it got, our rows "
                     "inserted)")
            with timed() as alone:
                assert len(_fetch_alone(sandbox, user)) == count
            limit_s.append(alone.seconds + _parse_all(fetched)
                           + bench_tracking.insert_like_the_limit(tmp / "history.db", tmp / "limit.db", written))
            loads.append(load_average())

    with sandbox_process(10, many, LATENCY_S) as served, tempfile.TemporaryDirectory() as tmp:
        before_s, after_s = [], []
        for n in range(rounds):
            for before, times in ((True, before_s), (False, after_s)):
                progress(f"round {n + 1}/{rounds}: {many} first syncs at once, "
                         f"{'exchangelib Account (before)' if before else 'as it is'}")
                times.append(_many_first_syncs(served, Path(tmp) / f"many-{n}-{before}.db", before=before))
            loads.append(load_average())

    progress("idle cycle, counted by an in-process sandbox")
    idle_requests = _idle_requests()

    ours, ours_note = median_spread([count / s for s in ours_s], "{:.0f}")
    bare_rate, bare_note = median_spread([count / s for s in bare_s], "{:.0f}")
    limit_rate, limit_note = median_spread([count / s for s in limit_s], "{:.0f}")
    after, after_note = median_spread(after_s)
    before, before_note = median_spread(before_s)
    load = f"load average {min(loads)}–{max(loads)}"
    what = (f"{describe(raws)}, every one tracked and marked (option All), into a store with {activities:,} "
            f"activities; sandbox over HTTPS in its own process")
    return [
        record("first sync of an inbox, every email tracked", ours, "emails/s", target=ratio_at_least(0.9),
               baseline=bare_rate, baseline_label="bare exchangelib sync_items, same fields and page size",
               note=f"{what}; ours {ours_note}, bare {bare_note} emails/s; {load}"),
        record("first sync of an inbox, against the limit", ours, "emails/s", target=None, baseline=limit_rate,
               baseline_label="the fetch alone (SyncFolderItems, its reply read in one piece) + MIME parse + the "
                              "same rows by plain sqlite3",
               note=f"the same runs; limit {limit_note} emails/s"),
        record(f"first syncs of {many} mailboxes at once", after, "s", target=ratio_at_most(0.4), baseline=before,
               baseline_label="the code before issue 24: exchangelib's Account, replies read a byte a call, "
                              "the version asked per mailbox",
               note=f"10 generated items each, every sandbox reply {LATENCY_S * 1000:.0f} ms late, option Replies to "
                    f"CRM email, one profile with 10 connections; "
                    f"{after_note} s, before {before_note} s; the target is 2.5× faster; {load}"),
        record("idle incremental cycle", idle_requests, "requests", target=at_most(1),
               note="one synced folder (Inbox); counted by the sandbox"),
    ]
