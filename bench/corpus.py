"""A realistic email corpus for the benchmarks: the sizes and structure of business mail, seeded.

What real mailboxes hold, as far as it costs the product something: a transport header block
(Received, DKIM-Signature, ARC, X-MS-Exchange lines) of 3-6 KB; multipart/alternative text and HTML
bodies; about a third of the emails with attachments (PDF-like, Office-like and image bytes, base64);
about half of them replies, with In-Reply-To, References chains and an Exchange Thread-Index that
extends the thread's; several To and Cc recipients from a pool of correspondents; some encoded
non-ASCII names and subjects. Sizes are log-normal with a median near 20 KB and a long tail (a few
hundred KB). `corpus(n)` returns the same n emails for the same seed.
"""
from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

DOMAIN = "contoso.test"
_WORDS = [
    "offer", "quarterly", "review", "contract", "delivery", "invoice", "meeting", "schedule", "proposal",
    "budget", "forecast", "shipment", "order", "pricing", "support", "renewal", "project", "milestone",
    "update", "agenda", "minutes", "draft", "approval", "request", "feedback", "status", "report",
    "customer", "partner", "warehouse", "logistics", "compliance", "audit",
]
_NAMES = ["Ann Lee", "Bob Stone", "Cy Park", "Dana Ruiz", "Eve Moss", "Jürgen Groß", "Zoë Hart", "Li Wei",
          "Søren Dahl", "Ana Pérez", "Max Bauer", "Ivy Chen", "Raj Patel", "Olga Ivanova", "Tom Frey"]
_COMPANIES = ["fabrikam.test", "northwind.test", "adatum.test", "tailspin.test", "litware.test", "proseware.test"]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _text(rng: random.Random, size: int) -> str:
    out, length = [], 0
    while length < size:
        paragraph = " ".join(_sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 6)))
        out.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(out)


def _html(text: str) -> str:
    paragraphs = "".join(f'<p class="MsoNormal" style="margin:0cm;font-family:Calibri,sans-serif">{p}</p>\n'
                         for p in text.split("\n\n"))
    return ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
            "<style>p.MsoNormal{margin:0cm;font-size:11pt}</style></head><body lang=\"EN-US\">\n"
            f"<div class=\"WordSection1\">\n{paragraphs}</div></body></html>")


def _address(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(_NAMES)
    local = name.split()[0].lower().encode("ascii", "ignore").decode() or "x"
    return name, f"{local}{rng.randint(1, 40)}@{rng.choice(_COMPANIES)}"


def _encoded(name: str) -> str:
    if name.isascii():
        return name
    return "=?utf-8?B?" + base64.b64encode(name.encode()).decode() + "?="


def _b64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def _transport_headers(rng: random.Random, when: datetime, sender_domain: str) -> list[str]:
    hops = []
    for hop in range(rng.randint(3, 7)):
        host = f"mx{hop}.{rng.choice(_COMPANIES + [DOMAIN])}"
        hops.append(f"Received: from {host} (10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)})"
                    f"\r\n by mail.{DOMAIN} (10.1.2.3) with Microsoft SMTP Server (version=TLS1_2,"
                    f"\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.{rng.randint(100, 999)}.5;"
                    f"\r\n {format_datetime(when - timedelta(seconds=hop))}")
    signature = _b64_lines(rng.randbytes(256)).replace("\r\n", "\r\n\t ")
    return hops + [
        f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={sender_domain}; s=selector1;"
        f"\r\n h=From:Date:Subject:Message-ID:Content-Type:MIME-Version;\r\n bh={_b64_lines(rng.randbytes(32))};"
        f"\r\n b={signature}",
        f"ARC-Seal: i=1; a=rsa-sha256; s=arcselector; d={sender_domain}; cv=none;\r\n b={signature}",
        f"X-MS-Exchange-Organization-AuthSource: mail.{DOMAIN}",
        f"X-MS-Exchange-Organization-Network-Message-Id: {rng.randbytes(16).hex()}",
        f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {format_datetime(when)}",
        "X-MS-Has-Attach: ", "X-MS-TNEF-Correlator: ",
        f"X-Forefront-Antispam-Report: CIP:{rng.randint(1, 254)}.0.0.1;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;"
        f"SFV:NSPM;H:mail.{DOMAIN};PTR:;CAT:NONE;SFS:(13230031)(4636009)(376002)(346002);DIR:INB;",
    ]


_ATTACHMENTS = (("application/pdf", "pdf", 45_000), ("application/vnd.openxmlformats-officedocument."
                "wordprocessingml.document", "docx", 25_000), ("image/png", "png", 15_000),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", 15_000))


class _Thread:
    def __init__(self, rng: random.Random, subject: str):
        self.subject = subject
        self.message_ids: list[str] = []
        self.index = rng.randbytes(22)  # ConversationIndex header: reserved, time, GUID


def corpus(count: int, seed: int = 24, owner: str = f"ann@{DOMAIN}") -> list[bytes]:
    """`count` emails to `owner`, oldest first: about half answer an earlier one of their thread."""
    rng = random.Random(seed)
    threads: list[_Thread] = []
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    out = []
    for n in range(count):
        when = start + timedelta(minutes=7 * n)
        reply = threads and rng.random() < 0.5
        thread = rng.choice(threads[-40:]) if reply else _Thread(rng, _sentence(rng, rng.randint(3, 7))[:-1])
        if not reply:
            threads.append(thread)
        sender_name, sender = _address(rng)
        message_id = f"<{rng.randbytes(12).hex()}@{sender.split('@')[1]}>"
        target = int(rng.lognormvariate(8.3, 0.8))  # bytes of body text: median ~4 KB, long tail
        text = _text(rng, min(target, 400_000))
        if reply:
            text += "\n\n-----Original Message-----\n" + _text(rng, rng.randint(500, 3000))
        to = [f"Ann Lee <{owner}>"] + [f"{_encoded(a)} <{b}>" for a, b in (_address(rng)
                                                                            for _ in range(rng.randint(0, 3)))]
        cc = [f"{_encoded(a)} <{b}>" for a, b in (_address(rng) for _ in range(rng.choice((0, 0, 1, 2, 4))))]
        subject = ("RE: " * min(len(thread.message_ids), 2)) + thread.subject
        if rng.random() < 0.1:
            subject = "=?utf-8?B?" + base64.b64encode(("Grüße: " + subject).encode()).decode() + "?="
        headers = _transport_headers(rng, when, sender.split("@")[1]) + [
            f"From: {_encoded(sender_name)} <{sender}>", f"To: {', '.join(to)}"]
        if cc:
            headers.append(f"Cc: {', '.join(cc)}")
        headers += [f"Subject: {subject}", f"Date: {format_datetime(when)}", f"Message-ID: {message_id}",
                    f"Thread-Topic: {thread.subject}"]
        index = thread.index + b"".join(rng.randbytes(5) for _ in thread.message_ids)
        headers.append(f"Thread-Index: {base64.b64encode(index).decode()}")
        if thread.message_ids:
            headers.append(f"In-Reply-To: {thread.message_ids[-1]}")
            headers.append("References: " + "\r\n ".join(thread.message_ids[-8:]))
        thread.message_ids.append(message_id)
        headers += ["MIME-Version: 1.0", "Content-Language: en-US", "X-MS-Exchange-Organization-SCL: 1"]
        alt = f"_alt_{rng.randbytes(8).hex()}_"
        alternative = (f"Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n"
                       f"--{alt}\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: "
                       f"quoted-printable\r\n\r\n{_qp(text)}\r\n--{alt}\r\nContent-Type: text/html; "
                       f"charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                       f"{_qp(_html(text))}\r\n--{alt}--\r\n")
        attachments = [rng.choice(_ATTACHMENTS) for _ in range(rng.choice((0, 0, 0, 0, 0, 0, 0, 1, 1, 2)))]
        if attachments:
            mixed = f"_mixed_{rng.randbytes(8).hex()}_"
            parts = [f"--{mixed}\r\n{alternative}"]
            for mime_type, ext, median in attachments:
                size = int(rng.lognormvariate(0, 0.8) * median)
                parts.append(f"--{mixed}\r\nContent-Type: {mime_type}; name=\"{_sentence(rng, 2)[:-1]}.{ext}\"\r\n"
                             f"Content-Disposition: attachment; filename=\"{_sentence(rng, 2)[:-1]}.{ext}\"\r\n"
                             f"Content-Transfer-Encoding: base64\r\n\r\n{_b64_lines(rng.randbytes(size))}"
                             "\r\n")
            body = (f"Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\n\r\n" + "".join(parts)
                    + f"--{mixed}--\r\n")
        else:
            body = alternative
        out.append(("\r\n".join(headers) + "\r\n" + body).encode())
    return out


def _qp(text: str) -> str:
    import quopri

    return quopri.encodestring(text.replace("\n", "\r\n").encode()).decode()


def describe(emails: list[bytes]) -> str:
    """The corpus in one phrase for a benchmark's note: count, median and largest size."""
    sizes = sorted(len(e) for e in emails)
    return (f"{len(emails):,} realistic emails (median {sizes[len(sizes) // 2] / 1024:.0f} KB, "
            f"largest {sizes[-1] / 1024:.0f} KB)")
