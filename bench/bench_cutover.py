"""Cut-over of an Exchange Online profile from EWS to Microsoft Graph: 200 mailboxes × 100 mapped items.

The mailboxes' items (contacts) are seeded into the store the EWS and Graph sandboxes share, each mapped in the
item map as an EWS ACT sync leaves it; the cut-over (core/admin/cutover.py) then runs as `crmsync profiles
cutover` does, a dry run first and then the cut-over itself: every mailbox tested over Graph, every id
translated. Time and the requests the Graph sandbox served are reported (quick: 5 mailboxes × 20 items).
"""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench.harness import at_most, progress, record, timed

TENANT, CLIENT_ID, SECRET = "bench.test", "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "bench-secret"


def _seed(ews, graph, count: int, items: int):
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import ItemMap
    from crmsync_gui.sandbox import seed

    secrets = SecretStore(Path(tempfile.mkdtemp()) / "secrets.json", use_keyring=False)
    profile = admin.save_profile({
        "name": "Bench online", "server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID,
        "protocol": codes.ExchangeProtocol.EWS, "auth_type": codes.AuthType.OAUTH, "username": CLIENT_ID,
        "oauth_tenant": TENANT, "oauth_authority": graph.url, "graph_url": graph.graph_url,
        "incoming_server": ews.url, "trusted_ca_file": ews.ca_file, "max_concurrent_connections": 20},
        password=SECRET, secrets=secrets)
    rows = []
    for n in range(count):
        address = f"user{n}@bench.test"
        ews.store.add(address, "pw", f"User {n}")
        mailbox = admin.add_mailbox(f"User {n}", address, profile)
        with ews.store.lock:
            box = ews.store.get(address)
            contacts = box.distinguished("contacts")
            for i in range(items):
                item = seed.put(box, contacts, seed.contact(given_name=f"C{i}", email=f"c{i}@x.test"))
                rows.append({"mailbox": mailbox.id, "record_type": "contact", "record_id": n * items + i,
                             "item_id": item.id, "change_key": item.change_key, "folder": "contact"})
    for start in range(0, len(rows), 500):
        ItemMap.insert_many(rows[start:start + 500]).execute()
    return profile, secrets


def run(quick: bool) -> list[dict]:
    from crmsync_gui.core import codes
    from crmsync_gui.core.admin.cutover import cutover
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox import SandboxServer
    from crmsync_gui.sandbox.graph import GraphServer

    count, items = (5, 20) if quick else (200, 100)
    with tempfile.TemporaryDirectory() as tmp, SandboxServer() as ews, GraphServer.beside(ews) as graph:
        open_database(Path(tmp) / "bench.db")
        try:
            graph.add_app(CLIENT_ID, SECRET, tenant=TENANT)
            with timed() as seeded:
                profile, secrets = _seed(ews, graph, count, items)
            progress(f"seeded {count} mailboxes × {items} mapped items in {seeded.seconds:.1f} s")
            with timed() as dry:
                report = asyncio.run(cutover(profile.name, codes.ExchangeProtocol.GRAPH, dry_run=True,
                                             secrets=secrets))
            assert report.ready and all(m.parity == 100 for m in report.mailboxes), report.lines()[:5]
            dry_requests = sum(graph.requests_by_operation().values())
            graph.stats.requests.clear()
            with timed() as applied:
                report = asyncio.run(cutover(profile.name, codes.ExchangeProtocol.GRAPH, dry_run=False,
                                             secrets=secrets))
            assert report.applied
            requests = graph.requests_by_operation()
            progress(f"dry run {dry.seconds:.1f} s ({dry_requests} requests), cut-over {applied.seconds:.1f} s "
                     f"({sum(requests.values())} requests: {dict(requests)})")
        finally:
            close_database()
    label = f"{count} mailboxes × {items} mapped items"
    per_mailbox = 3 + -(-items // 1000)  # 3 tests (inbox, Sent Items, Mail.Send) + 1 translate per 1,000 ids
    return [
        record(f"Cut-over EWS → Graph, dry run, {label}", dry.seconds, "s", target=at_most(120),
               note=f"{count * items / dry.seconds:,.0f} ids/s"),
        record(f"Cut-over EWS → Graph, {label}", applied.seconds, "s", target=at_most(120),
               note=f"{count * items / applied.seconds:,.0f} ids/s"),
        record(f"Cut-over EWS → Graph, {label}: requests", sum(requests.values()), "requests",
               target=at_most(count * per_mailbox), note=", ".join(f"{k} {v}" for k, v in sorted(requests.items()))),
    ]
