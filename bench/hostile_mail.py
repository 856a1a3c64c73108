"""Hostile input for mime parsing: seeded generated and mutated emails, and the soak that runs them.

`python -m bench.hostile_mail [--inputs N] [--seed S]` (make soak) parses N of them, each under a
2-second watchdog, and prints the figures: inputs tried, unreadable (each with its reason), crashes
(anything but UnreadableEmailError), hangs. tests/core/test_hostile_mail.py runs a short seeded slice.
"""
from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter
from email.message import EmailMessage

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


def mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        where = rng.randrange(len(data) + 1)
        choice = rng.random()
        if choice < 0.3:
            data[where:where] = rng.choice(FRAGMENTS) * rng.choice((1, 1, 1, 10, 1000))
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


def generated(count: int, seed: int):
    """`count` hostile inputs, the same ones for the same seed: mutated seeds, and every 50th a large one."""
    rng = random.Random(seed)
    base = seeds()
    for n in range(count):
        if n % 50 == 49:  # the shapes that stalled mailboxes: 225 KB of unterminated markup, a 1 MB header line
            yield rng.choice([b"From: a@b.test\r\nContent-Type: text/html\r\n\r\n" + b"<a href='x" * 22_500,
                              b"From: a@b.test\r\nSubject: " + b"x" * 1_000_000 + b"\r\n\r\nbody"])
        else:
            yield mutate(rng.choice(base), rng)


class _Hang(BaseException):  # not an Exception: parse_email turns those into "unreadable"
    pass


def _alarm(signum, frame):
    raise _Hang


def soak(count: int, seed: int) -> dict:
    figures = Counter(inputs=0, parsed=0, unreadable=0, crashes=0, hangs=0)
    reasons: Counter = Counter()
    slowest, slowest_size = 0.0, 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for raw in generated(count, seed):
            figures["inputs"] += 1
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
            try:
                parse_email(raw, server_id=str(figures["inputs"]))
                figures["parsed"] += 1
            except UnreadableEmailError as error:
                figures["unreadable"] += 1
                reasons[error.reason.split(" (")[0][:60]] += 1
            except _Hang:
                figures["hangs"] += 1
            except Exception as exc:  # noqa: BLE001 - counted: this is what the soak looks for
                figures["crashes"] += 1
                print(f"crash on input {figures['inputs']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if time.perf_counter() - started > slowest:
                slowest, slowest_size = time.perf_counter() - started, len(raw)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return {**figures, "slowest_seconds": round(slowest, 3), "slowest_bytes": slowest_size,
            "reasons": dict(reasons.most_common(8))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
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
    return 1 if result["crashes"] or result["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
