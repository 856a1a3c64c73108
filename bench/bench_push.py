"""Arrival-to-CRM latency on Exchange: push (EWS streaming notifications) against polling, in one run.

The real engine syncs N mailboxes of one impersonating profile on the EWS sandbox. Push: the profile's
cap is 10, so streaming connections are allowed; once every mailbox is subscribed, emails arrive one
at a time at random mailboxes and each one's time from delivery to its CRM email row is measured.
Baseline: the same engine on a profile whose cap of 1 leaves no connection for push, so email waits
for the dynamic schedule's next poll. Also recorded: the most connections the sandbox saw at once,
which must stay within the cap. Quick mode uses 3 mailboxes and skips the baseline (minutes of polling).
"""
from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import at_most, progress, record


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _latencies(engine, sandbox, addresses, mailbox_ids, emails: int, pushed: bool, wait_s: float) -> list[float]:
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.models import Activity, Mailbox

    def subscribed() -> bool:
        return all(any(c.connector.push.connected(m) for _, c in engine._connectors.values()) for m in mailbox_ids)

    def synced_once() -> bool:
        return not Mailbox.select().where(Mailbox.id.in_(mailbox_ids),
                                          Mailbox.incoming_status != codes.DirectionStatus.SUCCESS).exists()

    await engine.start()
    try:
        deadline = time.monotonic() + wait_s
        while not (subscribed() if pushed else synced_once()) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # every first sync is over
        rng = random.Random(7)
        sent: dict[str, float] = {}
        latencies: dict[str, float] = {}

        async def watch() -> None:  # while emails still arrive: each is timed when it shows up, not at the end
            while True:
                for (subject,) in Activity.select(Activity.subject).where(Activity.subject.in_(list(sent))).tuples():
                    latencies.setdefault(subject, time.monotonic() - sent[subject])
                await asyncio.sleep(0.05)

        watcher = asyncio.get_running_loop().create_task(watch())
        try:
            for n in range(emails):
                subject = f"latency {'push' if pushed else 'poll'} {n}"
                address = rng.choice(addresses)
                await asyncio.to_thread(sandbox.add_message, address, subject=subject,
                                        sender=("Bo", "bo@fabrikam.com"), to=[("User", address)])
                sent[subject] = time.monotonic()
                if pushed:
                    await asyncio.sleep(0.5)
            while len(latencies) < len(sent) and time.monotonic() < deadline + wait_s:
                await asyncio.sleep(0.05)
        finally:
            watcher.cancel()
        return list(latencies.values())
    finally:
        await engine.stop()


def _world(tmp: Path, sandbox, mailboxes: int, cap: int, name: str):
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
    from crmsync_gui.core.sync.engine import Engine

    service = f"svc-{name}@sandbox.test"
    sandbox.add_mailbox(service, "svc-pw")
    sandbox.grant_impersonation(service)
    secrets = SecretStore(tmp / f"{name}.secrets.json", use_keyring=False)
    ref = secrets.put("svc-pw")
    profile = admin.save_profile({"name": name, "incoming_server": sandbox.url, "auth_type": codes.AuthType.BASIC,
                                  "trusted_ca_file": sandbox.ca_file, "username": service,
                                  "max_concurrent_connections": cap})
    EmailServerProfile.update(secret_ref=ref).where(EmailServerProfile.id == profile.id).execute()
    addresses, ids = [], []
    for n in range(mailboxes):
        address = f"{name}{n}@sandbox.test"
        sandbox.add_mailbox(address, "pw")
        owner = admin.add_user(f"User {name} {n}", address, tracking_option=codes.TrackingOption.ALL)
        mailbox = admin.map_mailbox(admin.add_mailbox(f"User {n}", address, profile), owner)
        Mailbox.update(approval=codes.Approval.APPROVED, incoming_enabled=True,
                       incoming_method=codes.IncomingMethod.SERVER_SIDE_SYNC).where(Mailbox.id == mailbox.id).execute()
        addresses.append(address)
        ids.append(mailbox.id)
    return Engine(secrets=secrets), addresses, ids


def run(quick: bool) -> list[dict]:
    """Push vs polling latency from arrival to the CRM, and the sandbox's connection peak, on N mailboxes."""
    from crmsync_gui.core.connectors import exchange  # noqa: F401 - registers the Exchange connector
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox import SandboxServer

    mailboxes, emails = (3, 3) if quick else (100, 40)
    records = []
    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as tmp:
        open_database(Path(tmp) / "push.db")
        try:
            progress(f"push: {mailboxes} mailboxes, {emails} arrivals")
            engine, addresses, ids = _world(Path(tmp), sandbox, mailboxes, 10, "push")
            pushed = asyncio.run(_latencies(engine, sandbox, addresses, ids, emails, True, 120))
            peak = sandbox.peak_connections()
            polled = None
            if not quick:
                progress("baseline: the same arrivals on a profile that leaves no connection for push")
                engine, addresses, ids = _world(Path(tmp), sandbox, mailboxes, 1, "poll")
                polled = asyncio.run(_latencies(engine, sandbox, addresses, ids, 10, False, 13 * 60))
        finally:
            close_database()
    note = f"{len(pushed)} of {emails} arrivals measured, {mailboxes} mailboxes"
    base50 = statistics.median(polled) if polled else None
    base99 = _percentile(polled, 0.99) if polled else None
    records.append(record(f"EWS push arrival-to-CRM p50 ({mailboxes} mailboxes)", statistics.median(pushed), "s",
                          target=at_most(2), baseline=base50, baseline_label="polling (no push)", note=note))
    records.append(record(f"EWS push arrival-to-CRM p99 ({mailboxes} mailboxes)", _percentile(pushed, 0.99), "s",
                          target=at_most(5), baseline=base99, baseline_label="polling (no push)", note=note))
    records.append(record("EWS push: most connections at the sandbox at once (cap 10)", peak, "connections",
                          target=at_most(10), note="during the push run, streams included"))
    return records
