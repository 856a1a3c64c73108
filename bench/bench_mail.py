"""POP3 and IMAP import throughput against a bare poplib/imaplib loop on the same Dovecot; IDLE latency.

Import: N emails seeded over IMAP APPEND; the connector fetches, parses (core/sync/mime.py), tracks
and stores each one (sync_incoming, state committed per batch). The baseline is the least any
client must do: a bare poplib loop (UIDL, RETR each) or imaplib loop (UID FETCH BODY.PEEK[] in the
connector's batch size), parsing and storing nothing; the ratio is the price of parsing and tracking.
IDLE: the time from appending an email to the connector's IncomingMailArrived push, median of K.
Needs Dovecot and root, like the connector tests.
"""
from __future__ import annotations

import asyncio
import imaplib
import poplib
import ssl
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import at_least, at_most, progress, record, timed
from crmsync_gui.core.sync import incoming


def unavailable() -> str | None:
    from tests.servers.dovecot import unavailable_reason

    return unavailable_reason()


def _seed(dovecot, count: int) -> tuple[str, str]:
    from tests.connectors.corpus import INTERNATIONAL, email

    login, password = dovecot.add_user()
    messages = [INTERNATIONAL if i % 10 == 0 else email(f"Benchmark {i}", body="Hello\n" * (i % 40 + 1))
                for i in range(count)]
    for start in range(0, count, 200):
        dovecot.append(login, password, *messages[start:start + 200])
    return login, password


def _account(dovecot, login: str, password: str, server_type):
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
    from tests.connectors.conftest import TestJob

    port = dovecot.pop3s_port if server_type == codes.ServerType.POP3_SMTP else dovecot.imaps_port
    user = CrmUser.create(full_name="Bench", email=login, tracking_option=codes.TrackingOption.ALL)
    profile = EmailServerProfile.create(name=f"bench {login}", server_type=server_type,
                                        incoming_server=f"127.0.0.1:{port}", outgoing_server="127.0.0.1:25",
                                        trusted_ca_file=str(dovecot.certs.ca_file))
    mailbox = Mailbox.create(name="Bench", email=login, owner_user=user, profile=profile)
    return TestJob(mailbox, profile, password, timeout_s=30)


def _connector_import(dovecot, login, password, server_type, connector_class, db_path: Path) -> float:
    from crmsync_gui.core.store.db import close_database, open_database

    open_database(db_path)
    try:
        job = _account(dovecot, login, password, server_type)

        async def go():
            connector = connector_class(job.profile)
            try:
                return await incoming.run(job, connector)
            finally:
                await connector.close()

        with timed() as t:
            processed = asyncio.run(go())
        if processed != dovecot.count(login, password):
            raise RuntimeError(f"the connector processed {processed} emails, the server holds more")
        return t.seconds
    finally:
        close_database()


def _bare_pop3(dovecot, login, password) -> tuple[float, list[bytes]]:
    context = ssl.create_default_context(cafile=str(dovecot.certs.ca_file))
    raws = []
    with timed() as t:
        pop = poplib.POP3_SSL("127.0.0.1", dovecot.pop3s_port, context=context, timeout=30)
        pop.user(login)
        pop.pass_(password)
        _, listing, _ = pop.uidl()
        for line in listing:
            raws.append(b"\r\n".join(pop.retr(int(line.split()[0]))[1]))
        pop.quit()
    return t.seconds, raws


def _bare_imap(dovecot, login, password, batch: int) -> float:
    context = ssl.create_default_context(cafile=str(dovecot.certs.ca_file))
    with timed() as t:
        client = imaplib.IMAP4_SSL("127.0.0.1", dovecot.imaps_port, ssl_context=context, timeout=30)
        client.login(login, password)
        client.select("INBOX", readonly=True)
        _, data = client.uid("SEARCH", "ALL")
        uids = data[0].split()
        for start in range(0, len(uids), batch):
            client.uid("FETCH", b",".join(uids[start:start + batch]).decode(), "(BODY.PEEK[])")
        client.logout()
    return t.seconds


def _idle_latencies(dovecot, samples: int, db_path: Path) -> list[float]:
    from crmsync_gui.core import codes, events
    from crmsync_gui.core.connectors.imap import ImapConnector
    from crmsync_gui.core.store.db import close_database, open_database
    from tests.connectors.corpus import email

    login, password = dovecot.add_user()
    open_database(db_path)
    try:
        job = _account(dovecot, login, password, codes.ServerType.IMAP_SMTP)

        async def go() -> list[float]:
            connector = ImapConnector(job.profile)
            latencies = []
            try:
                await incoming.run(job, connector)
                await asyncio.sleep(0.5)
                for i in range(samples):
                    seen = len(job.published)
                    started = time.perf_counter()
                    await asyncio.to_thread(dovecot.append, login, password, email(f"Push {i}"))
                    while not any(isinstance(e, events.IncomingMailArrived) for e in job.published[seen:]):
                        if time.perf_counter() - started > 30:
                            raise RuntimeError("no IDLE push within 30 s")
                        await asyncio.sleep(0.005)
                    latencies.append(time.perf_counter() - started)
                    await asyncio.sleep(0.2)  # let the server's follow-up notices pass
            finally:
                await connector.close()
            return latencies

        return asyncio.run(go())
    finally:
        close_database()


def run(quick: bool) -> list[dict]:
    """Import N emails over POP3 and IMAP against bare loops on the same Dovecot; IDLE push latency."""
    from crmsync_gui.core import codes
    from crmsync_gui.core.connectors.imap import BATCH, ImapConnector
    from crmsync_gui.core.connectors.pop3 import Pop3Connector
    from crmsync_gui.core.sync.mime import parse_email
    from tests.servers.dovecot import start_dovecot

    reason = unavailable()
    if reason:
        raise RuntimeError(f"cannot benchmark mail: {reason}")
    count, samples = (20, 3) if quick else (1000, 15)
    dovecot = start_dovecot()
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            progress(f"seeding {count:,} emails twice over IMAP APPEND")
            pop_user = _seed(dovecot, count)
            imap_user = _seed(dovecot, count)
            progress("POP3: bare poplib loop")
            bare, raws = _bare_pop3(dovecot, *pop_user)
            progress("MIME: parsing what the bare loop fetched")
            with timed() as parsing:
                for i, raw in enumerate(raws):
                    parse_email(raw, server_id=str(i))
            results.append(record("mime_parse", count / parsing.seconds, "emails/s", target=at_least(500),
                                  note="core/sync/mime.py alone, on the same emails"))
            progress("POP3: connector import (fetch, parse, track, store)")
            ours = _connector_import(dovecot, *pop_user, codes.ServerType.POP3_SMTP, Pop3Connector,
                                     Path(tmp) / "pop3.db")
            results.append(record("pop3_import", count / ours, "emails/s", baseline=count / bare,
                                  baseline_label="bare poplib UIDL+RETR loop", target=at_least(50),
                                  note=f"{count:,} emails; the baseline parses and stores nothing"))
            progress("IMAP: bare imaplib loop")
            bare = _bare_imap(dovecot, *imap_user, BATCH)
            progress("IMAP: connector import (fetch, parse, track, store)")
            ours = _connector_import(dovecot, *imap_user, codes.ServerType.IMAP_SMTP, ImapConnector,
                                     Path(tmp) / "imap.db")
            results.append(record("imap_import", count / ours, "emails/s", baseline=count / bare,
                                  baseline_label=f"bare imaplib UID FETCH loop ({BATCH} a request)",
                                  target=at_least(50), note=f"{count:,} emails; the baseline parses and stores nothing"))
            progress(f"IDLE: {samples} pushes")
            latencies = _idle_latencies(dovecot, samples, Path(tmp) / "idle.db")
            results.append(record("imap_idle_latency_median", statistics.median(latencies), "s", target=at_most(2),
                                  note=f"append → IncomingMailArrived, median of {samples}; "
                                       f"max {max(latencies):.3f} s; acceptance bound 5 s"))
    finally:
        dovecot.stop()
    return results
