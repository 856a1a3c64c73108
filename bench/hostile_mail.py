"""Hostile input: seeded generated and mutated emails and Email Router files, and the soak that runs them.

`python -m bench.hostile_mail [--inputs N] [--router-files M] [--seed S]` (make soak) parses N emails
(parse_email) and plans the migration of M Email Router files (plan_migration), each under a 2-second
watchdog, and prints the figures: inputs tried, unreadable or refused (each with its reason), crashes
(anything but UnreadableEmailError or ImportRefused), hangs. tests/core/test_hostile_mail.py runs short
seeded slices.
"""
from __future__ import annotations

import argparse
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from crmsync_gui.core.errors import ImportRefused
from crmsync_gui.core.migration import plan_migration
from crmsync_gui.core.migration.reader import CONFIG_FILE, KEY_FILE, STATE_FILE
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.sync.mime import UnreadableEmailError, parse_email

HANG_SECONDS = 2.0


def seeds() -> list[bytes]:
    """Well-formed emails of the shapes real mailboxes hold, to mutate."""
    plain = EmailMessage()
    plain["From"] = "Müller, Hans <hans@b.test>"
    plain["To"] = "ann@contoso.com, \"Lee, Bo\" <bo@contoso.com>"
    plain["Subject"] = "Angebot Übersicht – Preis"
    plain["Date"] = "Tue, 24 Nov 2026 10:00:00 +0100"
    plain["Message-ID"] = "<m1@b.test>"
    plain.set_content("Guten Tag,\nanbei das Angebot.\n")
    rich = EmailMessage()
    for key in ("From", "To", "Date"):
        rich[key] = plain[key]
    rich["Subject"] = "Re: [CRM:0012345] Termin"
    rich["In-Reply-To"] = "<m1@b.test>"
    rich["References"] = "<m0@b.test> <m1@b.test>"
    rich.set_content("plain part")
    rich.add_alternative("<html><body><p>Hi&nbsp;<b>there</b></p><table><tr><td>1</td></tr></table></body></html>",
                         subtype="html")
    rich.add_attachment(b"%PDF-1.4 " + bytes(range(256)), maintype="application", subtype="pdf",
                        filename="Angebot Übersicht.pdf")
    rich.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text", subtype="calendar")
    rich.add_attachment(plain)
    html_only = (b"From: a@b.test\r\nSubject: =?utf-8?B?w6TDtsO8?=\r\nContent-Type: text/html; charset=utf-8\r\n"
                 b"Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=C3=BC=C3=9Fe</p>=\r\n<div>x</div>\r\n")
    return [plain.as_bytes(), rich.as_bytes(), html_only]


FRAGMENTS = [
    b"<a href='x", b"<!--", b"<script>", b"<" * 50, b"&#x110000;", b"&amp", b"=?utf-8?b?", b"?=", b"=?x?q?=FF?=",
    b"\x00", b"\xff\xfe", b"\r\n\r\n", b"\r\n--", b"--\r\n", b"Content-Type: multipart/mixed\r\n",
    b"Content-Type: multipart/mixed; boundary=\"\"\r\n", b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Type: message/rfc822\r\n\r\n", b"charset=utf-7", b"filename*=utf-8''%C3", b"\t", b"\n", b"\r",
    b"Date: Fri, 31 Dec 9999 23:59:59 -2359\r\n", b"Message-ID: <", b"From: \"unterminated <a@b.test>\r\n",
]


def mutate(raw: bytes, rng: random.Random, fragments: list[bytes] = FRAGMENTS, most: int = 8) -> bytes:
    """`raw` with 1 to `most` random edits: hostile fragments inserted, bytes deleted or flipped, a slice
    repeated, or the rest cut off."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, most)):
        where = rng.randrange(len(data) + 1)
        choice = rng.random()
        if choice < 0.3:
            data[where:where] = rng.choice(fragments) * rng.choice((1, 1, 1, 10, 1000))
        elif choice < 0.5 and data:
            data[where:where + rng.randint(1, 64)] = b""
        elif choice < 0.7 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.85:
            start = rng.randrange(len(data) + 1)
            data[where:where] = data[start:start + rng.randint(1, 512)] * rng.randint(1, 20)
        else:
            del data[where:]
    return bytes(data)


# the shapes that stalled mailboxes: 225 KB of unterminated markup, a 1 MB header line
LARGE_EMAILS = [b"From: a@b.test\r\nContent-Type: text/html\r\n\r\n" + b"<a href='x" * 22_500,
                b"From: a@b.test\r\nSubject: " + b"x" * 1_000_000 + b"\r\n\r\nbody"]


def generated(count: int, seed: int, base: list[bytes] | None = None, large: list[bytes] = LARGE_EMAILS,
              fragments: list[bytes] = FRAGMENTS, most: int = 8):
    """`count` hostile inputs, the same ones for the same seed: `base` (the emails of seeds() unless given)
    mutated with `fragments`, and every 50th one of the `large` shapes."""
    rng = random.Random(seed)
    base = seeds() if base is None else base
    for n in range(count):
        if n % 50 == 49:
            yield rng.choice(large)
        else:
            yield mutate(rng.choice(base), rng, fragments, most)


class _Hang(BaseException):  # not an Exception: parse_email turns those into "unreadable"
    pass


def _alarm(signum, frame):
    raise _Hang


def watched(inputs, attempt, expected: type[Exception], reason_of, accepted: str, refused: str) -> dict:
    """`attempt(n, raw)` on each input under the 2-second watchdog. A crash is any exception but `expected`
    (which must carry a reason: `reason_of(error)`); a hang is one over HANG_SECONDS, interrupted or not."""
    figures = Counter({"inputs": 0, accepted: 0, refused: 0, "crashes": 0, "hangs": 0})
    reasons: Counter = Counter()
    slowest, slowest_size = 0.0, 0
    began = time.monotonic()
    outer_delay, _ = signal.setitimer(signal.ITIMER_REAL, 0)  # pytest-timeout's, under pytest: put back after
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for raw in inputs:
            figures["inputs"] += 1
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
            try:
                attempt(figures["inputs"], raw)
                figures[accepted] += 1
            except expected as error:
                reason = reason_of(error)
                if reason:
                    figures[refused] += 1
                    reasons[reason] += 1
                else:
                    figures["crashes"] += 1
                    print(f"crash on input {figures['inputs']}: refused without a reason", file=sys.stderr)
            except _Hang:
                pass  # counted below, as is a hang inside C code the alarm could not interrupt
            except Exception as exc:  # noqa: BLE001 - counted: this is what the soak looks for
                figures["crashes"] += 1
                print(f"crash on input {figures['inputs']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - started
            if elapsed >= HANG_SECONDS:
                figures["hangs"] += 1
                print(f"hang on input {figures['inputs']}: {elapsed:.1f} s", file=sys.stderr)
            if elapsed > slowest:
                slowest, slowest_size = elapsed, len(raw)
    finally:
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - began), 0.001))
    return {**figures, "slowest_seconds": round(slowest, 3), "slowest_bytes": slowest_size,
            "reasons": dict(reasons.most_common(8))}


def soak(count: int, seed: int) -> dict:
    """`count` generated emails through parse_email."""
    return watched(generated(count, seed), lambda n, raw: parse_email(raw, server_id=str(n)), UnreadableEmailError,
                   lambda error: error.reason.split(" (")[0][:60], accepted="parsed", refused="unreadable")


ROUTER_SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "email-router"
ROUTER_ROOTS = {b"<Configuration": CONFIG_FILE, b"<SystemState": STATE_FILE, b"<EncryptionKey": KEY_FILE}

XML_FRAGMENTS = [
    b"<!DOCTYPE Configuration [<!ENTITY a \"b\">]>", b"&a;", b"&lt", b"&#0;", b"&#xD800;", b"&#x110000;",
    b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?pi ", b"?>", b"<", b"</", b">", b"/>", b"\"", b"'", b"=",
    b"xmlns:x=\"", b"<x:ProviderConfiguration>", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\x80",
    b"<?xml version=\"1.0\" encoding=\"utf-16\"?>", b"encoding=\"no-such-charset\"", b"encoding=\"utf-7\"",
    b"encoding=\"rot13\"", b" a=\"" + b"x" * 100,
    b"<ProviderConfiguration>", b"</ProviderConfiguration>", b"<Direction>Inbound</Direction>",
    b"<Direction>sideways</Direction>", b"<EmailServerUrl>", b"<EmailServerUrl>pop3s://[::1:995</EmailServerUrl>",
    b"<EmailAddress>", b"<EmailAddress>@</EmailAddress>", b"<UserId>not-a-guid</UserId>", b"<QueueId>",
    b"<UseSsl>maybe</UseSsl>", b"<ProviderOverrides>", b"<MaximumDeliveryAttempts>99999999999999999999999",
    b"<LastSuccessfulPoll>9999-99-99T99:99</LastSuccessfulPoll>", b"<LastSuccessfulPoll>0001-01-01T00:00:00-23:59",
    b"<ProfileName></ProfileName>", b"<ProfileName>" + b"\xe2\x80\xae" * 40, b"\t", b"\r\n",
]


def router_seeds() -> list[bytes]:
    """The three files of each sample router in ../shared/email-router, to mutate."""
    return [path.read_bytes() for path in sorted(ROUTER_SAMPLES.glob("*/*.xml"))]


def _laughs(levels: int) -> bytes:
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels))
    return (f'<?xml version="1.0"?><!DOCTYPE Configuration [<!ENTITY l0 "lol">{entities}]>'
            f"<Configuration><SystemConfiguration><LogFile>&l{levels - 1};</LogFile></SystemConfiguration>"
            "</Configuration>").encode()


def _config(body: bytes, declaration: bytes = b'<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return declaration + b"<Configuration><SystemConfiguration>" + body + b"</SystemConfiguration></Configuration>"


# the shapes that attack an XML reader: entity expansion, external references, sheer size, wrong encodings
LARGE_ROUTER_FILES = [
    _laughs(10),
    b'<?xml version="1.0"?><!DOCTYPE Configuration [<!ENTITY s SYSTEM "file:///etc/passwd">]>'
    b"<Configuration><SystemConfiguration><LogFile>&s;</LogFile></SystemConfiguration></Configuration>",
    b'<?xml version="1.0"?><!DOCTYPE Configuration SYSTEM "http://127.0.0.1:9/evil.dtd"><Configuration/>',
    b'<?xml version="1.0"?><!DOCTYPE SystemState [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]><SystemState/>',
    _config(b'<LogFile a="' + b"x" * 8_000_000 + b'">x</LogFile>'),
    _config(b"<LogFile " + b" ".join(b'a%d="1"' % n for n in range(100_000)) + b"/>"),
    _config(b"<ProviderOverrides>" * 50_000 + b"</ProviderOverrides>" * 50_000),
    _config(b"<Unknown/>" * 3_000_000),  # 30 MB, under the size limit: took 10 s before the tag limit
    _config(b"<LogFile>" + b"\xe9" * 1_000_000 + b"</LogFile>"),  # Latin-1 bytes declared UTF-8
    _config("<LogFile>Grüße</LogFile>".encode("utf-16-le"), b'<?xml version="1.0" encoding="utf-8"?>'),
    b"\xff\xfe" + '<?xml version="1.0" encoding="utf-8"?><EncryptionKey><Key>k</Key></EncryptionKey>'.encode(
        "utf-16-le"),
    _config(b"<LogFile>x</LogFile>", b'<?xml version="1.0" encoding="ebcdic-no-such"?>'),
    b"<Configuration>" + b"<ProviderConfiguration><Direction>Inbound</Direction><EmailServerUrl>"
    b"https://mail.test/EWS/Exchange.asmx</EmailServerUrl><EmailAddress>a@b.test</EmailAddress>"
    b"</ProviderConfiguration>" * 8_000 + b"</Configuration>",
    b"<EncryptionKey>" + b"x" * (33 * 2**20) + b"</EncryptionKey>",  # over the 32 MB limit: refused unread
]


def router_slot(data: bytes) -> str:
    """Which of the three files an input stands for: the router file whose root element it names first."""
    found = [(data.find(tag), name) for tag, name in ROUTER_ROOTS.items() if tag in data]
    return min(found)[1] if found else CONFIG_FILE


def router_files(count: int, seed: int):
    """`count` hostile Email Router files, the same ones for the same seed."""
    # XML breaks at almost any edit: at most two per file, so that a share of them gets past the parser
    return generated(count, seed, router_seeds(), LARGE_ROUTER_FILES, XML_FRAGMENTS, most=2)


def router_soak(inputs, folder: Path) -> dict:
    """Each input put in `folder` beside the other two files of a sample router and planned (plan_migration,
    against the open database): planned, or refused with ImportRefused and its reason."""
    originals = {path.name: path.read_bytes() for path in sorted((ROUTER_SAMPLES / "contoso-exchange").glob("*"))}

    def attempt(n: int, raw: bytes) -> None:
        slot = router_slot(raw)
        for name, data in originals.items():
            (folder / name).write_bytes(raw if name == slot else data)
        plan_migration([folder])

    def reason(error: ImportRefused) -> str:
        return re.sub(r"\d+", "N", str(error).replace(f"{folder}/", "").split(" (")[0])[:80]

    return watched(inputs, attempt, ImportRefused, reason, accepted="planned", refused="refused")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="generated emails")
    parser.add_argument("--router-files", type=int, default=10_000, help="generated Email Router files")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    started = time.perf_counter()
    result = soak(args.inputs, args.seed)
    print(f"hostile emails (seed {args.seed}): {result['inputs']:,} inputs tried, {result['parsed']:,} parsed, "
          f"{result['unreadable']:,} unreadable with a reason, {result['crashes']} crashes, {result['hangs']} hangs "
          f"(over {HANG_SECONDS:g} s); slowest {result['slowest_seconds']} s ({result['slowest_bytes']:,} bytes); "
          f"{time.perf_counter() - started:.0f} s in all")
    for reason, count in result["reasons"].items():
        print(f"  unreadable: {reason}: {count:,}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        open_database(Path(scratch) / "crm.db")
        try:
            (Path(scratch) / "router").mkdir()
            routers = router_soak(router_files(args.router_files, args.seed), Path(scratch) / "router")
        finally:
            close_database()
    print(f"hostile Email Router files (seed {args.seed}): {routers['inputs']:,} inputs tried, "
          f"{routers['planned']:,} planned, {routers['refused']:,} refused with a reason, {routers['crashes']} "
          f"crashes, {routers['hangs']} hangs (over {HANG_SECONDS:g} s); slowest {routers['slowest_seconds']} s "
          f"({routers['slowest_bytes']:,} bytes); {time.perf_counter() - started:.0f} s in all")
    for reason, count in routers["reasons"].items():
        print(f"  refused: {reason}: {count:,}")
    return 1 if any(r["crashes"] or r["hangs"] for r in (result, routers)) else 0


if __name__ == "__main__":
    sys.exit(main())
