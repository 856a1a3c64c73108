"""Hostile EWS replies: real EWS sandbox replies, mutated, served to the Exchange connector's incoming sync.

`python -m bench.hostile_ews [--inputs N] [--seed S]` (make soak) puts an HTTPS proxy on loopback between the
connector and the EWS sandbox; for each input one new email arrives in the mailbox and one of the job's replies
(the first to the fourth) is mutated: cut short, the SOAP or messages namespace changed, a bad ResponseCode,
garbage or deeply nested elements, megabytes of padding, a wrong encoding, random byte edits, a 500 status, or
sent slowly within the profile's timeout. Each input is one incoming job (incoming.run); it syncs or fails with
SyncError, whose text must be one line without a traceback. A crash is any other exception or a SyncError
without a code; a hang is a job over 2 s + the profile's timeout. tests/connectors/test_hostile_ews_soak.py runs
a short seeded slice.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from bench.hostile_mail import XML_FRAGMENTS, mutate
from crmsync_gui.core.errors import SyncError
from crmsync_gui.core.sync import incoming
from tests.servers.ews_proxy import EwsProxy

HANG_SECONDS = 2.0
TIMEOUT_S = 1.0  # the profile's timeout in the soak
PER_MAILBOX = 100
SOAP = b"http://schemas.xmlsoap.org/soap/envelope/"
MESSAGES = b"http://schemas.microsoft.com/exchange/services/2006/messages"
CODES = [b"ErrorInternalServerError", b"ErrorServerBusy", b"ErrorNoSuchThing", b"", b"NoError ", b"ErrorItemNotFound",
         b"ErrorAccessDenied", b"ErrorInvalidSyncStateData", b"x" * 5000, b"\xc3\x28"]


def _cut(body: bytes, rng: random.Random) -> bytes:
    return body[:rng.randrange(len(body) + 1)]


def _namespace(body: bytes, rng: random.Random) -> bytes:
    return body.replace(rng.choice((SOAP, MESSAGES)), rng.choice((b"urn:not-soap", b"", b"http://x.test/\"")))


def _response_code(body: bytes, rng: random.Random) -> bytes:
    body = re.sub(rb'ResponseClass="\w+"', rng.choice((b'ResponseClass="Error"', b'ResponseClass="Warning"',
                                                       b'ResponseClass="Nope"', b"")), body)
    return re.sub(rb"<m:ResponseCode>[^<]*</m:ResponseCode>",
                  b"<m:ResponseCode>" + rng.choice(CODES) + b"</m:ResponseCode>", body)


def _at_a_tag(body: bytes, rng: random.Random, insert: bytes) -> bytes:
    ends = [m.end() for m in re.finditer(rb">", body)] or [0]
    where = rng.choice(ends)
    return body[:where] + insert + body[where:]


def _garbage(body: bytes, rng: random.Random) -> bytes:
    return _at_a_tag(body, rng, rng.choice((b"<x:Unknown xmlns:x='urn:x'>1</x:Unknown>", b"<t:Subject>2</t:Subject>",
                                            b"<m:Items/>", b"<t:ItemId Id=''/>", b"<![CDATA[x]]>", b"<?pi x?>")))


def _deep(body: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((100, 1000, 10_000))
    return _at_a_tag(body, rng, b"<x:D xmlns:x='urn:x'>" * depth + b"</x:D>" * depth)


def _huge(body: bytes, rng: random.Random) -> bytes:
    return _at_a_tag(body, rng, b"<x:P xmlns:x='urn:x'>" + b"p" * rng.choice((2**20, 8 * 2**20, 24 * 2**20)) + b"</x:P>")


def _encoding(body: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(4)
    if choice == 0:
        return body.replace(b'encoding="utf-8"', rng.choice((b'encoding="utf-16"', b'encoding="no-such"',
                                                              b'encoding="utf-7"')))
    if choice == 1:
        return b"\xff\xfe" + body
    if choice == 2:
        return body.decode("utf-8", "replace").encode("utf-16-le")
    return _at_a_tag(body, rng, rng.choice((b"\xc3", b"\xff\xfe\x80", b"\x00", b"&#0;", b"&#xD800;")))


def _bytes(body: bytes, rng: random.Random) -> bytes:
    return mutate(body, rng, XML_FRAGMENTS, most=3)


MUTATIONS = {"cut short": _cut, "namespace": _namespace, "response code": _response_code, "garbage": _garbage,
             "deep nesting": _deep, "huge": _huge, "encoding": _encoding, "byte edits": _bytes}


class Plan:
    """Each input's mutation: the reply to its `target`-th request (the first to the fourth of the job) is changed
    through the proxy (tests/servers/ews_proxy.py)."""

    def __init__(self, proxy: EwsProxy):
        self.proxy = proxy

    def arm(self, rng: random.Random) -> str:
        """Plan the next input's mutation; returns its name for the figures."""
        name = rng.choice(list(MUTATIONS) + ["slow", "500"])
        status = 500 if name == "500" else None
        seconds = rng.uniform(0.1, 0.8) * TIMEOUT_S if name == "slow" else 0.0
        mutation = name if name in MUTATIONS else rng.choice([None, *MUTATIONS])
        target, mutate_rng = rng.randrange(4), random.Random(rng.random())

        def change(operation: str, n: int, status_was: int, body: bytes) -> tuple[int, bytes, float]:
            if n != target:
                return status_was, body, 0.0
            return status or status_was, MUTATIONS[mutation](body, mutate_rng) if mutation else body, seconds

        self.proxy.reset(change)
        return name


def soak(new_world, sandbox, plan: Plan, count: int, seed: int) -> dict:
    """`count` incoming jobs through the proxy, one mutated reply each, on a fresh mailbox (`new_world()`) every
    PER_MAILBOX jobs: a mailbox that grew by an email a job would make a whole reread (a bad SyncState) slower
    with each input, which is the soak's doing, not the connector's."""
    rng = random.Random(seed)
    world = None
    figures = Counter({"inputs": 0, "synced": 0, "failed": 0, "crashes": 0, "hangs": 0})
    reasons: Counter = Counter()
    by_mutation: Counter = Counter()
    slowest = 0.0
    limit = HANG_SECONDS + TIMEOUT_S
    for n in range(count):
        if n % PER_MAILBOX == 0:
            if world is not None:
                world.close()
            world = new_world()
        sandbox.add_message(world.address, subject=f"Angebot {n}", body="Guten Tag", sender="hans@b.test")
        mutation = plan.arm(rng)
        figures["inputs"] += 1
        started = time.monotonic()
        try:
            asyncio.run(asyncio.wait_for(incoming.run(world.job, world.connector), limit + 30))
            figures["synced"] += 1
        except SyncError as error:
            text = str(error)
            if not error.code or "\n" in text or "Traceback" in text:
                figures["crashes"] += 1
                print(f"unclear failure on input {n + 1} ({mutation}): {error.code!r}: {text[:300]!r}",
                      file=sys.stderr)
            else:
                figures["failed"] += 1
                by_mutation[mutation] += 1
                reasons[re.sub(r"\d+", "N", text.split(world.address)[-1])[:90]] += 1
        except Exception as exc:  # noqa: BLE001 - counted: this is what the soak looks for
            figures["crashes"] += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"crash on input {n + 1} ({mutation}): {type(exc).__name__}: {str(exc)[:300]} (at {where.filename}:"
                  f"{where.lineno})", file=sys.stderr)
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        if elapsed > limit:
            figures["hangs"] += 1
            print(f"hang on input {n + 1} ({mutation}): {elapsed:.1f} s", file=sys.stderr)
    world.close()
    return {**figures, "slowest_seconds": round(slowest, 3), "reasons": dict(reasons.most_common(8)),
            "failed_by_mutation": dict(by_mutation)}


def run(count: int, seed: int) -> dict:
    """The soak in a scratch database, with its own sandbox and proxy."""
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.sandbox import SandboxServer
    from tests.connectors.exchange_world import exchange_world
    from tests.servers.tls import make_certificates

    with tempfile.TemporaryDirectory() as scratch, SandboxServer() as sandbox:
        open_database(Path(scratch) / "crm.db")
        proxy = EwsProxy(sandbox, make_certificates(Path(scratch) / "tls"))

        def new_world():
            world = exchange_world(sandbox, "hostile", incoming_server=proxy.url, timeout_ms=int(TIMEOUT_S * 1000),
                                   trusted_ca_file=str(Path(scratch) / "tls" / "ca.pem"))
            world.job.timeout_s = TIMEOUT_S
            return world

        try:
            return soak(new_world, sandbox, Plan(proxy), count, seed)
        finally:
            proxy.close()
            close_database()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="incoming jobs, one mutated reply each")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    started = time.perf_counter()
    result = run(args.inputs, args.seed)
    print(f"hostile EWS replies (seed {args.seed}): {result['inputs']:,} jobs tried, {result['synced']:,} synced, "
          f"{result['failed']:,} failed with one line, {result['crashes']} crashes, {result['hangs']} hangs (over "
          f"{HANG_SECONDS + TIMEOUT_S:g} s); slowest {result['slowest_seconds']} s; "
          f"{time.perf_counter() - started:.0f} s in all")
    print(f"  failed by mutation: {result['failed_by_mutation']}")
    for reason, count in result["reasons"].items():
        print(f"  failed: ...{reason}: {count:,}")
    return 1 if result["crashes"] or result["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
