"""Exchange Online incoming sync over Microsoft Graph: a first sync of a 10,000-item mailbox's inbox, every email
tracked, against a bare delta-paging loop with the same HTTP client.

The baseline is what any Graph client pays for the same data: aiohttp (the connector's client) paging
`messages/delta` of the same inbox with the same `$select`, page size and TLS trust, to its deltaLink, run
side by side (the median of each over rounds, with the load average beside it) against a Graph sandbox in
its own process (`crmsync sandbox serve`, as Exchange Online is another machine), one per round, read once
untimed first so it has written each email's MIME, as Exchange holds it. Ours goes through the
GraphConnector and the incoming pipeline: every email rebuilt as MIME from its properties and decided, and
only the emails tracking keeps that have attachments downloaded whole (`$value`); with the default option
(Replies to CRM email) none is, so the first sync sends no more requests than the bare loop. Then, last in
each round, the option All tracks every email (activities, parties, decisions in SQLite, the attachment emails downloaded)
and marks them with the category in $batch requests, then reads the folder again to take in those marks.
Target: at least 0.9 of the baseline's throughput. Requests are the session's own count; the idle cycle after
it is one request per synced folder.
"""
from __future__ import annotations

import asyncio
import ssl
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from bench.bench_exchange import sandbox_process
from bench.harness import at_most, load_average, median_spread, progress, ratio_at_least, record, timed

REPEATS = 3


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


async def _bare_round(served: dict, address: str) -> tuple[int, int]:
    """aiohttp alone: the inbox's delta round, same $select and page size, same trust: (entries read, requests
    after the token's)."""
    from crmsync_gui.core.connectors import _graph_mail as graph_mail
    from crmsync_gui.sandbox.graph import SCOPE

    context = ssl.create_default_context(cafile=served["graph_ca_file"])
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=10, ssl=context)) as http:
        form = {"grant_type": "client_credentials", "client_id": served["client_id"],
                "client_secret": served["client_secret"], "scope": SCOPE}
        async with http.post(served["token_url"], data=form) as reply:
            token = (await reply.json())["access_token"]
        headers = {"Authorization": f"Bearer {token}", "Prefer": f"odata.maxpagesize={graph_mail.PAGE_SIZE}"}
        url = f"{served['graph_url']}/users/{address}/mailFolders/inbox/messages/delta"
        params, entries, requests = {"$select": graph_mail.SELECT}, 0, 0
        while url:
            async with http.get(url, params=params, headers=headers) as reply:
                page = await reply.json()
            entries, requests = entries + len(page["value"]), requests + 1
            url, params = page.get("@odata.nextLink"), None
        return entries, requests


def _setup(served: dict, address: str, name: str, option):
    from crmsync_gui.core import admin, codes

    profile = admin.save_profile({
        "name": "Exchange Online", "server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID,
        "protocol": codes.ExchangeProtocol.GRAPH, "auth_type": codes.AuthType.OAUTH, "username": served["client_id"],
        "oauth_tenant": served["tenant"], "oauth_authority": served["graph_url"].removesuffix("/v1.0"),
        "graph_url": served["graph_url"], "trusted_ca_file": served["graph_ca_file"]})
    owner = admin.add_user(name, address, tracking_option=option)
    mailbox = admin.map_mailbox(admin.add_mailbox(name, address, profile), owner)
    return mailbox.__class__.get_by_id(mailbox.id), profile


def run(quick: bool) -> list[dict]:
    from crmsync_gui.core import codes

    items = 300 if quick else 10_000
    bare_times, our_times, every_times, loads = [], [], [], [load_average()]
    for repeat in range(1 if quick else REPEATS):
        # each round a sandbox of its own, as the option All leaves the category on every email
        with sandbox_process(items) as served, tempfile.TemporaryDirectory() as tmp:
            user = served["users"][0]
            progress(f"round {repeat + 1}: warm-up, the sandbox writes each email's MIME once (for its "
                     "internetMessageHeaders), as Exchange holds it; not timed")
            asyncio.run(_bare_round(served, user["email"]))
            progress(f"round {repeat + 1}: bare aiohttp delta paging of the inbox ({items:,} items in the mailbox)")
            with timed() as bare:
                inbox, bare_requests = asyncio.run(_bare_round(served, user["email"]))
            bare_times.append(bare.seconds)
            # the default option (Replies to CRM email), then All, last because it leaves the category on the emails
            for option in (codes.TrackingOption.REPLIES_TO_CRM_EMAIL, codes.TrackingOption.ALL):
                progress(f"round {repeat + 1}: first sync of the {inbox:,} emails through the Graph connector, "
                         f"option {option.label}")
                seconds, requests, idle_requests, tracked = _ours(served, user, Path(tmp) / f"{option}.db",
                                                                  option, inbox)
                if option == codes.TrackingOption.ALL:
                    every_times.append(seconds)
                    tracked_all, requests_all = tracked, requests
                else:
                    our_times.append(seconds)
                    our_requests = requests
            loads.append(load_average())

    bare_rate, bare_spread = median_spread([inbox / t for t in bare_times], "{:,.0f}")
    our_rate, our_spread = median_spread([inbox / t for t in our_times], "{:,.0f}")
    ratios = ", ".join(f"{b / o:.2f}" for b, o in zip(bare_times, our_times, strict=True))
    load = f"load average {min(loads)}-{max(loads)} (2 cores, other work on the machine)"
    every_rate, every_spread = median_spread([inbox / t for t in every_times], "{:,.0f}")
    every_ratios = ", ".join(f"{b / o:.2f}" for b, o in zip(bare_times, every_times, strict=True))
    progress(f"bare {bare_rate:,.0f}/s, ours {our_rate:,.0f}/s (default option), "
             f"{every_rate:,.0f}/s (every email tracked), idle cycle {idle_requests} request(s); {load}")
    baseline = f"bare aiohttp messages/delta paging, same $select and page size, {bare_spread}/s"
    return [
        record("Graph first sync of an inbox", our_rate, "emails/s", target=ratio_at_least(0.9),
               baseline=bare_rate, baseline_label=baseline,
               note=f"{inbox:,} emails decided (option Replies to CRM email, the default), SQLite store, Graph "
                    f"sandbox over HTTPS in its own process; {our_spread}/s, per-round ratios {ratios}; "
                    f"{our_requests} requests against the bare loop's {bare_requests} pages (no email's MIME "
                    f"downloaded: none is tracked); {load}"),
        record("Graph first sync of an inbox, every email tracked", every_rate, "emails/s",
               target=ratio_at_least(0.9), baseline=bare_rate, baseline_label=baseline,
               note=f"{inbox:,} emails, {tracked_all:,} tracked (option All) and marked with the category in "
                    f"$batch, then the folder read again to take in those marks (Graph's delta lists them as "
                    f"changes); {requests_all} requests (the tracked emails with attachments downloaded whole); "
                    f"{every_spread}/s, per-round ratios {every_ratios}; {load}"),
        record("Graph idle incremental cycle", idle_requests, "requests", target=at_most(1),
               note="one synced folder (Inbox), after the first sync with every email tracked; the session's own "
                    "request count"),
    ]


def _ours(served: dict, user: dict, store: Path, option, inbox: int) -> tuple[float, int, int, int]:
    """Ours into a new store: (seconds of the first sync, its requests, the idle cycle's, emails tracked)."""
    from crmsync_gui.core.connectors.graph import GraphConnector
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Activity, TrackingDecision
    from crmsync_gui.core.sync import incoming

    open_database(store)
    try:
        mailbox, profile = _setup(served, user["email"], user["name"], option)
        seconds, first_requests, idle_requests = asyncio.run(_first_then_idle(
            GraphConnector(profile), _Job(mailbox, profile, served["client_secret"]), incoming))
        decided = TrackingDecision.select().count()
        assert decided == inbox, f"the connector decided {decided} of {inbox} emails"
        return seconds, first_requests, idle_requests, Activity.select().count()
    finally:
        close_database()


async def _first_then_idle(connector, job, incoming) -> tuple[float, int, int]:
    """(seconds of the first sync, its requests, requests of the idle cycle after it)."""
    try:
        with timed() as ours:
            await incoming.run(job, connector)
        first = connector.session.budget_used(job.mailbox.email)
        await incoming.run(job, connector)
        return ours.seconds, first, connector.session.budget_used(job.mailbox.email) - first
    finally:
        await connector.close()
