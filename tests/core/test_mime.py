"""core/sync/mime.py: real-world oddities decode; broken and hostile emails become per-email errors."""
import base64
from datetime import datetime
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmsync_gui.core.sync import mime
from crmsync_gui.core.sync.mail import Address
from crmsync_gui.core.sync.mime import UnreadableEmailError, parse_email


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("latin-1")


def test_plain_email_fields():
    raw = crlf("""Received: from mx.example.test by mail.example.test; Tue, 24 Nov 2026 10:00:05 +0100
From: Ann Lee <Ann@Contoso.com>
To: bob@fabrikam.com, "Lee, Carl" <carl@fabrikam.com>
Cc: dana@fabrikam.com
Subject: Quarterly numbers
Date: Tue, 24 Nov 2026 09:59:00 +0100
Message-ID: <abc.123@contoso.com>
In-Reply-To: <prev@fabrikam.com>
References: <root@fabrikam.com>
 <prev@fabrikam.com>
Thread-Index: AdlQyPK0BdTzN1cBQ0S+HeyNAnF9Zw==

Hello Bob,
the numbers are attached.
""")
    mail = parse_email(raw, server_id="7")
    assert mail.server_id == "7"
    assert mail.sender == Address("ann@contoso.com", "Ann Lee")
    assert mail.to == [Address("bob@fabrikam.com"), Address("carl@fabrikam.com", "Lee, Carl")]
    assert mail.cc == [Address("dana@fabrikam.com")]
    assert mail.subject == "Quarterly numbers"
    assert mail.message_id == "<abc.123@contoso.com>"
    assert mail.in_reply_to == "<prev@fabrikam.com>"
    assert mail.references == ["<root@fabrikam.com>", "<prev@fabrikam.com>"]
    assert mail.thread_index == "AdlQyPK0BdTzN1cBQ0S+HeyNAnF9Zw=="
    assert mail.received_at == datetime(2026, 11, 24, 9, 0, 5)  # the Received date, in naive UTC
    assert mail.body_text.startswith("Hello Bob,\r\nthe numbers")
    assert mail.raw_size == len(raw)


@pytest.mark.parametrize(("header", "expected"), [
    ("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=", "Grüße aus Köln"),
    ("=?utf-8?b?5pel5pys6Kqe44Gu5Lu25ZCN?=", "日本語の件名"),
    ("=?ISO-8859-1?Q?Caf=E9?= =?ISO-8859-1?Q?_cr=E8me?=", "Café crème"),  # adjacent words join
    ("=?utf-8?B?8J+Y?= =?utf-8?B?gA==?=", "😀"),  # one character split across two words
    ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
    ("=?x-unknown-charset?Q?caf=C3=A9?=", "café"),  # unknown charset: UTF-8 guess
    ("=?gb2312?B?1tDOxA==?=", "中文"),
    ("=?ks_c_5601-1987?B?x9Gxub7u?=", "한국어"),
    ("=?utf-8?B?bm90IHBhZGRlZA?=", "not padded"),  # missing base64 padding
    ("Re: =?utf-8?Q?=C3=A9t=C3=A9?= report", "Re: été report"),
    ("=?utf-8?Q?broken", "=?utf-8?Q?broken"),  # not an encoded word: kept as typed
])
def test_encoded_word_subjects(header, expected):
    raw = f"From: a@b.test\r\nSubject: {header}\r\n\r\nx".encode()
    assert parse_email(raw, server_id="1").subject == expected


def test_raw_8bit_headers_utf8_and_legacy():
    utf8 = "From: Jürgen Groß <j@b.test>\r\nSubject: Überweisung\r\n\r\nx".encode()
    mail = parse_email(utf8, server_id="1")
    assert mail.subject == "Überweisung"
    assert mail.sender == Address("j@b.test", "Jürgen Groß")
    legacy = "From: j@b.test\r\nSubject: Prüfung – fällig\r\n\r\nx".encode("cp1252")
    assert parse_email(legacy, server_id="1").subject == "Prüfung – fällig"


def test_encoded_display_name_with_comma_stays_one_address():
    raw = b"From: =?utf-8?Q?M=C3=BCller=2C_Hans?= <hans@b.test>\r\nTo: x@y.test\r\n\r\nx"
    mail = parse_email(raw, server_id="1")
    assert mail.sender == Address("hans@b.test", "Müller, Hans")


@pytest.mark.parametrize(("charset", "body", "expected"), [
    ("iso-8859-15", "Preis: 10 €".encode("iso-8859-15"), "Preis: 10 €"),
    ("windows-1251", "Счёт".encode("cp1251"), "Счёт"),
    ("x-no-such-charset", "naïve".encode(), "naïve"),  # unknown: UTF-8
    ("us-ascii", "smart “quotes”".encode("cp1252"), "smart “quotes”"),  # lied about: Windows-1252
    ("utf-8", b"bad \xff byte", "bad \ufffd byte"),  # invalid UTF-8: replaced, not fatal
])
def test_body_charsets(charset, body, expected):
    raw = (f"From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset={charset}\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + body
    assert parse_email(raw, server_id="1").body_text == expected


@pytest.mark.parametrize(("body", "expected"), [
    (b"Gr\xfc\xdfe, \x93Angebot\x94 f\xfcr 10 \x80 \x96 heute", "Grüße, “Angebot” für 10 € – heute"),
    ("Müller".encode() + b" sagt \x93hallo\x94, 20\xb0C", "Müller sagt “hallo”, 20°C"),  # UTF-8 kept, the rest 1252
])
def test_a_body_declared_utf8_that_is_not_reads_as_windows_1252(body, expected):
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body)
    assert parse_email(raw, server_id="1").body_text == expected


def test_multipart_with_html_attachments_and_attached_email():
    inner = EmailMessage()
    inner["From"] = "c@d.test"
    inner["Subject"] = "inner"
    inner.set_content("inner body")
    msg = EmailMessage()
    msg["From"] = "a@b.test"
    msg["To"] = "x@y.test"
    msg["Subject"] = "with parts"
    msg.set_content("plain body")
    msg.add_alternative("<p>html <b>body</b></p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 data", maintype="application", subtype="pdf", filename="Angebot Übersicht.pdf")
    msg.add_attachment(inner)
    mail = parse_email(msg.as_bytes(), server_id="1")
    assert mail.body_text.strip() == "plain body"
    assert "<b>body</b>" in mail.body_html
    names = [a.file_name for a in mail.attachments]
    assert names[0] == "Angebot Übersicht.pdf"
    assert mail.attachments[0].content == b"%PDF-1.4 data"
    assert mail.attachments[0].mime_type == "application/pdf"
    assert mail.attachments[1].mime_type == "message/rfc822"
    assert b"inner body" in mail.attachments[1].content


def test_html_only_email_gets_text_body():
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<html><head><style>p{}</style></head><body><p>Hi&nbsp;there</p><p>Line 2</p></body></html>")
    mail = parse_email(raw, server_id="1")
    assert mail.body_text == "Hi\xa0there\n\nLine 2"


def test_filename_paths_and_encoded_words_are_made_safe():
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
           b"Content-Type: text/plain\r\n\r\nbody\r\n--XX\r\n"
           b"Content-Type: application/octet-stream\r\n"
           b"Content-Disposition: attachment; filename=\"=?utf-8?Q?..=2F..=2Fetc=2Fpasswd?=\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--XX--\r\n")
    mail = parse_email(raw, server_id="1")
    assert mail.attachments[0].file_name == "_.._etc_passwd"
    assert mail.attachments[0].content == b"hello"


def test_raw_8bit_filename_and_disposition():
    raw = ("From: a@b.test\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
           "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"Übersicht.pdf\"\r\n\r\n"
           "data\r\n--XX--\r\n").encode()
    mail = parse_email(raw, server_id="1")
    assert [(a.file_name, a.content) for a in mail.attachments] == [("Übersicht.pdf", b"data")]


def test_bad_base64_body_is_decoded_as_far_as_possible():
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode("grüß".encode())[:-2] + b"!!\r\n")
    mail = parse_email(raw, server_id="1")
    assert mail.body_text.startswith("gr")


def test_long_subject_and_many_references_are_bounded():
    refs = " ".join(f"<r{i}@x.test>" for i in range(500))
    raw = f"From: a@b.test\r\nSubject: {'x' * 5000}\r\nReferences: {refs}\r\n\r\nbody".encode()
    mail = parse_email(raw, server_id="1")
    assert len(mail.subject) == mime.MAX_SUBJECT_CHARS
    assert len(mail.references) == mime.MAX_REFERENCES
    assert mail.references[-1] == "<r499@x.test>"


def test_nul_bytes_never_reach_text():
    raw = b"From: a@b.test\r\nSubject: a\x00b\r\n\r\nbo\x00dy"
    mail = parse_email(raw, server_id="1")
    assert mail.subject == "ab" and mail.body_text == "body"


def test_bad_dates_give_none_not_an_error():
    for date in ("yesterday", "Tue, 99 Foo 99999 99:99:99 +9999", "", "Fri, 31 Dec 9999 23:59:59 -2359"):
        raw = f"From: a@b.test\r\nDate: {date}\r\nSubject: s\r\n\r\nx".encode()
        assert parse_email(raw, server_id="1").received_at is None


def test_unterminated_markup_converts_in_one_pass():
    """A 225 KB HTML body of unterminated tags took HTMLParser minutes and blocked the mailbox."""
    html = "<p>Angebot&nbsp;anbei</p>" + "<a href='x" * 22_500
    raw = b"From: a@b.test\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()
    mail = parse_email(raw, server_id="1")
    assert mail.body_text == "Angebot\xa0anbei"
    assert mail.body_html == html


def test_html_to_text_skips_comments_scripts_and_keeps_lone_angle_brackets():
    html = "<!-- hidden --><script>var a = '<p>';</script><div>1 < 2 &amp; 3 > 2</div><br><!-- open"
    assert mime.html_to_text(html) == "1 < 2 & 3 > 2"


def test_html_conversion_is_capped():
    html = "<p>start</p>" + "x" * mime.MAX_HTML_CHARS + "<p>after the cap</p>"
    text = mime.html_to_text(html)
    assert text.startswith("start") and "after the cap" not in text


def test_multipart_without_boundary_keeps_its_text_as_the_body():
    raw = b"From: a@b.test\r\nSubject: s\r\nContent-Type: multipart/mixed\r\n\r\nHello Hans,\r\nthe offer.\r\n"
    mail = parse_email(raw, server_id="1")
    assert mail.body_text == "Hello Hans,\r\nthe offer.\r\n"
    assert mail.attachments == []


def test_text_declared_base64_that_is_not_keeps_the_raw_text():
    raw = (b"From: a@b.test\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\nDear Hans, this is plain text (not base64).\r\n")
    assert parse_email(raw, server_id="1").body_text == "Dear Hans, this is plain text (not base64).\r\n"


def test_calendar_part_is_named_ics_and_attached_email_after_its_subject():
    inner = EmailMessage()
    inner["From"] = "c@d.test"
    inner["Subject"] = "=?utf-8?Q?Re:_Preis/Angebot_=C3=9Cbersicht?="
    inner.set_content("inner body")
    msg = EmailMessage()
    msg["From"] = "a@b.test"
    msg["Subject"] = "s"
    msg.set_content("body")
    msg.add_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", maintype="text", subtype="calendar")
    msg.add_attachment(inner)
    mail = parse_email(msg.as_bytes(), server_id="1")
    assert [a.file_name for a in mail.attachments] == ["attachment-1.ics", "Re_ Preis_Angebot Übersicht.eml"]


def test_encoded_line_breaks_in_headers_become_spaces():
    raw = b"From: a@b.test\r\nSubject: =?utf-8?Q?Offer=0D=0ABcc:_x@evil.test?=\r\n\r\nbody"
    assert parse_email(raw, server_id="1").subject == "Offer Bcc: x@evil.test"


def test_sent_on_is_the_date_header_not_the_arrival():
    raw = (b"Received: from mx by mail; Wed, 25 Nov 2026 08:00:00 +0000\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\n"
           b"From: a@b.test\r\nSubject: s\r\n\r\nbody")
    mail = parse_email(raw, server_id="1")
    assert mail.sent_at == datetime(2026, 11, 24, 9, 0)
    assert mail.received_at == datetime(2026, 11, 25, 8, 0)


def test_email_without_message_id_is_known_by_its_content():
    raw = b"From: a@b.test\r\nDate: Tue, 24 Nov 2026 10:00:00 +0100\r\nSubject: s\r\n\r\nbody"
    first, again = parse_email(raw, server_id="7:1"), parse_email(raw.replace(b"\r\n", b"\n"), server_id="8:1")
    other = parse_email(raw + b" changed", server_id="7:2")
    assert first.message_id == again.message_id and first.message_id.endswith("@no-message-id.invalid>")
    assert other.message_id != first.message_id
    assert parse_email(b"Message-ID: <m@x>\r\n" + raw, server_id="1").message_id == "<m@x>"


def test_address_header_with_unterminated_quotes_keeps_its_well_formed_recipients():
    """The stdlib's getaddresses is quadratic on these (a 63 KB header took 4 s): split at top-level commas first."""
    raw = (b"From: a@b.test\r\nTo: Ann <ann@contoso.com>, \"Lee, Bo\" <bo@contoso.com>, (team, sales) cy@contoso.com, "
           + b"\"unterminated <x@y.test>" * 1000 + b"\r\nSubject: s\r\n\r\nbody")
    to = parse_email(raw, server_id="1").to
    assert to[:3] == [Address("ann@contoso.com", "Ann"), Address("bo@contoso.com", "Lee, Bo"),
                      Address("cy@contoso.com", "team, sales")]


# ---- the corpus of emails that cannot be used ----------------------------------------------------

def nested(depth: int) -> bytes:
    head = b"From: a@b.test\r\nSubject: deep\r\n"
    parts = b""
    for i in range(depth):
        parts += f"Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n".encode()
    return head + parts + b"Content-Type: text/plain\r\n\r\nbottom\r\n"


def many_parts(count: int) -> bytes:
    body = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\npart\r\n" for _ in range(count))
    return b"From: a@b.test\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + body + b"--B--\r\n"


UNREADABLE = {
    "empty": (b"", "empty"),
    "blank lines": (b"\r\n\r\n\r\n", "empty"),
    "binary garbage": (bytes(range(256)) * 40, "no email headers"),
    "a PNG, not an email": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "no email headers"),
    "nested 2000 deep": (nested(2000), "more than 500 parts"),
    "nested 400 deep": (nested(400), "nested too deeply"),
    "nested 60 deep": (nested(60), "nested more than 30 deep"),
    "600 parts": (many_parts(600), "more than 500 parts"),
    "10,000 parts": (many_parts(10_000), "more than 500 parts"),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_unreadable_corpus_gives_per_email_error_with_raw_bytes(name):
    raw, reason = UNREADABLE[name]
    with pytest.raises(UnreadableEmailError) as caught:
        parse_email(raw, server_id="42")
    error = caught.value
    assert reason in error.reason
    assert error.raw == raw[:mime.KEEP_RAW_BYTES]
    assert error.server_id == "42"
    assert "Email 42 could not be read" in str(error) and "goes on with the next email" in str(error)


def test_huge_email_is_refused_before_parsing_and_keeps_the_first_bytes():
    head = b"From: a@b.test\r\nSubject: big\r\n\r\n"
    with pytest.raises(UnreadableEmailError) as caught:
        parse_email(head + b"x" * 1000, server_id="9", raw_size=mime.MAX_EMAIL_BYTES + 1)
    assert "over the" in caught.value.reason
    assert caught.value.raw_size == mime.MAX_EMAIL_BYTES + 1
    assert caught.value.raw.startswith(head)
    assert f"first {len(caught.value.raw):,} of" in str(caught.value)


HOSTILE_HEADERS = [
    b"From: " + b"<" * 5000 + b"a@b.test" + b">" * 5000,
    b"To: " + b",".join(b"\"x\" <u%d@b.test>" % i for i in range(3000)),
    b"From: =?utf-8?q?" + b"=FF" * 3000 + b"?= <a@b.test>",
    b"Subject: " + b"=?utf-8?b?" + b"A" * 20000 + b"?=",
    b"Content-Type: multipart/mixed; boundary=\"" + b"x" * 10000 + b"\"",
    b"Content-Type: text/plain; charset=\"\xff\xfe\"; name*0*=utf-8''%FF%FE; name*1=bad",
    b"Content-Disposition: attachment; filename*=bogus''%ZZ%",
    b"Message-ID: " + b"<" * 300,
    b"Date: " + b"9" * 400,
    b"From: \"unterminated <a@b.test>",
    b"From: (((comment a@b.test",
    b"Content-Transfer-Encoding: x-uuencode",
]


@pytest.mark.parametrize("header", HOSTILE_HEADERS, ids=range(len(HOSTILE_HEADERS)))
def test_hostile_headers_never_crash(header):
    raw = b"Subject: s\r\n" + header + b"\r\n\r\nbody\r\n"
    try:
        mail = parse_email(raw, server_id="1")
    except UnreadableEmailError as error:
        assert error.raw == raw
    else:
        assert isinstance(mail.subject, str)
        for text in [mail.subject, mail.body_text] + [a.name for a in mail.to]:
            text.encode("utf-8")  # storable


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_fuzz_random_bytes_parse_or_give_a_clear_error(raw):
    _parse_or_error(raw)


MIME_PIECES = st.sampled_from([
    b"From: a@b.test\r\n", b"To: =?utf-8?B?w6k=?= <x@y.test>\r\n", b"Subject: =?bogus?Q?=E9?=\r\n",
    b"Content-Type: multipart/mixed; boundary=Z\r\n", b"Content-Type: text/plain; charset=utf-7\r\n",
    b"Content-Type: message/rfc822\r\n", b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n", b"Content-Disposition: attachment; filename*=utf-8''%C3\r\n",
    b"\r\n", b"--Z\r\n", b"--Z--\r\n", b"=C3=A9=\r\n", b"w6k=\r\n", b"\xff\xfe\x00", b" folded\r\n", b"Date: x\r\n",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MIME_PIECES, max_size=40), st.binary(max_size=50))
def test_fuzz_mime_shaped_input(pieces, tail):
    _parse_or_error(b"".join(pieces) + tail)


def _parse_or_error(raw: bytes) -> None:
    try:
        mail = parse_email(raw, server_id="f")
    except UnreadableEmailError as error:
        assert error.raw == raw[:mime.KEEP_RAW_BYTES] and error.reason
        return
    texts = [mail.subject, mail.body_text, mail.body_html or "", mail.message_id or "", mail.in_reply_to or ""]
    texts += [a.name for a in mail.to + mail.cc + mail.bcc] + [a.file_name for a in mail.attachments]
    for text in texts:
        assert "\x00" not in text
        text.encode("utf-8")


def _tnef(files) -> bytes:
    """A winmail.dat as Outlook writes one: TNEF attributes (level, id, type, length, data, checksum)."""
    import struct

    def attribute(name, kind, data):
        return struct.pack("<BHHI", 2, name, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)
    out = struct.pack("<IH", 0x223E9F78, 0x0101)
    for name, content in files:
        out += attribute(0x9002, 0x0006, b"\0" * 14)  # attAttachRendData: an attachment begins
        out += attribute(0x8010, 0x0001, name + b"\0")  # attAttachTitle
        out += attribute(0x800F, 0x0006, content)  # attAttachData
    return out


def test_winmail_dat_is_unpacked_into_its_real_attachments():
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@b.test", "from Outlook"
    msg.set_content("see attached")
    msg.add_attachment(_tnef([(b"Angebot.pdf", b"%PDF-1.4 offer"), (b"notes.txt", b"call Bo")]),
                       maintype="application", subtype="ms-tnef", filename="winmail.dat")
    mail = parse_email(msg.as_bytes(), server_id="1")
    assert [(a.file_name, a.mime_type, a.content) for a in mail.attachments] == [
        ("Angebot.pdf", "application/pdf", b"%PDF-1.4 offer"), ("notes.txt", "text/plain", b"call Bo")]


def test_a_broken_winmail_dat_stays_as_it_came():
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "a@b.test", "broken"
    msg.set_content("x")
    msg.add_attachment(b"\x78\x9f\x3e\x22 not tnef", maintype="application", subtype="ms-tnef", filename="winmail.dat")
    [kept] = parse_email(msg.as_bytes(), server_id="1").attachments
    assert (kept.file_name, kept.content) == ("winmail.dat", b"\x78\x9f\x3e\x22 not tnef")


def test_plain_addresses_read_as_the_standard_library_reads_them():
    """The quick path for a@b, Name <a@b> and "Name" <a@b> gives what email.utils.getaddresses gives; every other
    form goes to getaddresses itself."""
    import email.utils

    from bench.corpus import corpus
    from bench.hostile_mail import generated
    from crmsync_gui.core.sync.mime import _address_chunks, _plain_address, _unescape_8bit

    values = ["a@b.test", " <a@b.test> ", "Carl  Weiss <c@x.test>", '"Weiss,  Carl" <c@x.test>', "Carl\tWeiss<c@x.test>",
              "=?utf-8?q?J=C3=BCrgen?= <j@x.test>", "Müller <m@x.test>", " \x0bans <hans@b.test>", "J. Smith <j@x.test>",
              '"a\\"b" <a@b.test>', "a..b@c.test", "x@y@z.test", "Ann <a@b.test> (work)", "a@b.test."]
    for raw in corpus(200, owner="ann@x.test") + list(generated(500, 7)):
        headers = mime._raw_headers(mime._PARSER.parsebytes(raw))
        values += [v for name in ("from", "to", "cc", "sender") for v in headers.get(name, [])]
    plain = 0
    for chunk in (c for v in values for c in _address_chunks(_unescape_8bit(v))):
        if (quick := _plain_address(chunk)) is not None:
            plain += 1
            assert [quick] == email.utils.getaddresses([chunk]), chunk
    assert plain > len(values) / 2  # most addresses take the quick path
