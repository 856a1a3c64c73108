"""Emails as servers really hold them: ordinary, international, and broken or hostile ones."""
from email.message import EmailMessage
from email.utils import make_msgid


def email(subject: str, sender: str = "Bob Stone <bob@fabrikam.test>", to: str = "ann@contoso.test",
          body: str = "Hello", **headers) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="fabrikam.test")
    msg["Date"] = "Tue, 24 Nov 2026 10:00:00 +0100"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


INTERNATIONAL = (b"From: =?utf-8?Q?J=C3=BCrgen_Gro=C3=9F?= <juergen@fabrikam.test>\r\n"
                 b"To: ann@contoso.test\r\nSubject: =?iso-8859-1?Q?R=E9sum=E9?= =?utf-8?B?IOKCrDEw?=\r\n"
                 b"Message-ID: <intl-1@fabrikam.test>\r\nContent-Type: text/plain; charset=koi8-r\r\n"
                 b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Привет".encode("koi8-r") + b"\r\n")

# Each is stored by Dovecot as given (IMAP APPEND accepts them) and must end as an UnreadableEmail row.
UNREADABLE = {
    "binary garbage": bytes(range(1, 256)) * 20 + b"\r\n",
    "no headers at all": b"just some text\r\nand more text\r\n",
    "10,000 parts": b"From: a@b.test\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n"
                    + b"--B\r\nContent-Type: text/plain\r\n\r\np\r\n" * 10_000 + b"--B--\r\n",
    "nested 200 deep": b"From: a@b.test\r\nSubject: deep\r\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(200))
        + b"Content-Type: text/plain\r\n\r\nbottom\r\n",
}

# Broken but readable: tracked, with what could be decoded.
ODD_BUT_READABLE = [
    b"From: <<a@b.test\r\nTo: ,,,\r\nSubject: =?x-unknown?B?Zm9v?=\r\nDate: never\r\n\r\nbody\r\n",
    b"From: a@b.test\r\nSubject: bad b64\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64***\r\n",
]


def lines(raw: bytes) -> bytes:
    """Line endings as one form: servers store bare CR and LF as CRLF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").rstrip(b"\n")
