"""Raw MIME bytes → IncomingEmail, for POP3, IMAP and Exchange's MimeContent alike.

Lenient where meaning survives: a broken header, an unknown charset or a bad base64 line still
gives readable text (undecodable bytes become U+FFFD, never a crash). Where the email cannot be
used at all (empty, not an email, too big, nested too deep, too many parts) parsing raises
UnreadableEmailError, which keeps the first bytes for the administrator; the connector records
it and goes on with the next email, so one hostile message never stops a mailbox. Outlook's
winmail.dat (TNEF) is unpacked into the attachments it holds (tnefparse).
"""
from __future__ import annotations

import base64
import binascii
import codecs
import email.utils
import hashlib
import mimetypes
import quopri
import re
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from html import unescape

from tnefparse import TNEF

from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.sync.mail import Address, IncomingAttachment, IncomingEmail

MAX_EMAIL_BYTES = 50 * 1024 * 1024  # larger emails are not parsed (a mail server's usual cap is 25-50 MB)
KEEP_RAW_BYTES = 1024 * 1024  # how much of an unreadable email is kept for the administrator
MAX_PARTS = 500
MAX_DEPTH = 30
# The stdlib parser spends about a millisecond a part: counted before parsing, so a hostile email
# of 10,000 parts or containers is refused in milliseconds instead of parsed for seconds.
MAX_BOUNDARY_LINES = 2 * MAX_PARTS
MAX_CONTAINERS = 100
_CONTAINER = re.compile(rb"content-type:\s*multipart/", re.IGNORECASE)
MAX_SUBJECT_CHARS = 255  # Exchange's own limit; the activity's subject column holds this much
MAX_REFERENCES = 50  # the newest ones; correlation needs only the thread's recent ids

# compat32, not policy.default: the modern policy re-parses Content-Type and friends through its header
# registry on every access (8x slower here, and the registry is where the stdlib's crash bugs lived);
# headers are read raw and decoded by decode_header_text below, so nothing of the modern API is needed.
_PARSER = BytesParser(policy=policy.compat32)


class UnreadableEmailError(CrmSyncError):
    """One email could not be read; `raw` keeps its first bytes for the administrator."""

    def __init__(self, server_id: str, reason: str, raw: bytes, raw_size: int | None = None):
        self.server_id = server_id
        self.reason = reason
        self.raw_size = len(raw) if raw_size is None else raw_size
        self.raw = bytes(raw[:KEEP_RAW_BYTES])
        kept = ("all of it is kept" if len(self.raw) >= self.raw_size
                else f"its first {len(self.raw):,} of {self.raw_size:,} bytes are kept")
        super().__init__(f"Email {server_id} could not be read: {reason}. It was not tracked; "
                         f"{kept} with the mailbox's unreadable emails. The mailbox goes on with the next email.")

    def __reduce__(self):  # from a parsing worker (core/sync/parsing.py) to the engine
        return self.__class__, (self.server_id, self.reason, self.raw, self.raw_size)


def parse_email(raw: bytes, *, server_id: str, folder: str = "Inbox",
                raw_size: int | None = None) -> IncomingEmail:
    """Parse one email. Raise UnreadableEmailError when it cannot be used; never anything else."""
    size = len(raw) if raw_size is None else raw_size
    if size > MAX_EMAIL_BYTES:
        raise UnreadableEmailError(server_id, f"it is {size:,} bytes, over the {MAX_EMAIL_BYTES:,}-byte limit",
                                   raw, size)
    if not raw.strip():
        raise UnreadableEmailError(server_id, "it is empty", raw, size)
    if raw.count(b"\n--") > MAX_BOUNDARY_LINES:
        raise UnreadableEmailError(server_id, f"it has more than {MAX_PARTS} parts", raw, size)
    # the regex only where a plain count allows that many (it scans case-blind, 7x slower than the count)
    if raw.lower().count(b"multipart/") > MAX_CONTAINERS and len(_CONTAINER.findall(raw)) > MAX_CONTAINERS:
        raise UnreadableEmailError(server_id, f"it has more than {MAX_CONTAINERS} multipart containers "
                                   "(parts nested too deeply or too many)", raw, size)
    try:
        return _parse(raw, server_id, folder, size)
    except UnreadableEmailError:
        raise
    except RecursionError:
        raise UnreadableEmailError(server_id, "its parts are nested too deeply", raw, size) from None
    except Exception as exc:  # the stdlib parser's odd corners: one email fails, never the mailbox
        raise UnreadableEmailError(server_id, f"its structure is broken ({type(exc).__name__}: {exc})",
                                   raw, size) from exc


def _parse(raw: bytes, server_id: str, folder: str, size: int) -> IncomingEmail:
    msg = _PARSER.parsebytes(raw)
    headers = _raw_headers(msg)
    if not headers or not any(name in headers for name in ("from", "to", "subject", "date", "message-id",
                                                            "received", "sender", "content-type")):
        raise UnreadableEmailError(server_id, "it has no email headers (From, To, Subject, Date...)", raw, size)
    body_text, body_html, attachments = _walk(msg, server_id, raw, size)
    if not body_text and body_html:
        body_text = html_to_text(body_html)
    senders = _addresses(headers.get("from")) or _addresses(headers.get("sender"))
    message_id = _first_id(headers.get("message-id")) or _content_id(headers, raw)
    return IncomingEmail(
        server_id=server_id,
        message_id=message_id,
        subject=_clip(decode_header_text(headers.get("subject", [""])[0]), MAX_SUBJECT_CHARS),
        sender=senders[0] if senders else None,
        to=_addresses(headers.get("to")),
        cc=_addresses(headers.get("cc")),
        bcc=_addresses(headers.get("bcc")),
        received_at=_received_at(headers),
        sent_at=_date(headers.get("date", [])[:1]),
        in_reply_to=_first_id(headers.get("in-reply-to")),
        references=_all_ids(headers.get("references"))[-MAX_REFERENCES:],
        thread_index=_clean(headers["thread-index"][0].strip()) or None if "thread-index" in headers else None,
        body_text=body_text,
        body_html=body_html,
        attachments=attachments,
        folder=folder,
        raw_size=size,
    )


# ---- headers ---------------------------------------------------------------------------------

def _raw_headers(msg: Message) -> dict[str, list[str]]:
    """Header values as the server holds them (8-bit bytes survive as surrogate escapes)."""
    headers: dict[str, list[str]] = {}
    for name, value in msg.raw_items():
        headers.setdefault(str(name).strip().lower(), []).append(str(value))
    return headers


_ENCODED_WORD = re.compile(r"=\?([^?\s]+?)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"\s*")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def decode_header_text(value: str) -> str:
    """Unfold a header and decode its RFC 2047 encoded words and raw 8-bit text, whatever the charsets."""
    value = _unescape_8bit(re.sub(r"\r?\n[ \t]*", " ", value)).strip()
    out: list[str] = []
    pending: list[tuple[str, bytes]] = []  # adjacent encoded words: a character may span two of them
    pos = 0
    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos:match.start()]
        if gap and not (pending and _BETWEEN_WORDS.fullmatch(gap)):
            out.append(_flush(pending))
            out.append(gap)
        charset, encoding, text = match.groups()
        charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
        data = _decode_word(encoding, text)
        if pending and pending[-1][0].lower() == charset.lower():
            pending[-1] = (pending[-1][0], pending[-1][1] + data)
        else:
            pending.append((charset, data))
        pos = match.end()
    out.append(_flush(pending))
    out.append(value[pos:])
    return _LINE_BREAKS.sub(" ", _clean("".join(out)))  # an encoded CR/LF would break a reply's Subject


def _flush(pending: list[tuple[str, bytes]]) -> str:
    text = "".join(decode_bytes(data, charset) for charset, data in pending)
    pending.clear()
    return text


def _decode_word(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
        try:
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
        except (binascii.Error, ValueError):
            return text.encode("ascii", "replace")
    return quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=False)


def _unescape_8bit(value: str) -> str:
    """Raw 8-bit header bytes (RFC 6532 UTF-8, or a legacy charset) → text."""
    if value.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in value):  # escaped bytes are not ASCII
        return value
    return decode_bytes(value.encode("ascii", "surrogateescape"), None)


def _addresses(values: list[str] | None) -> list[Address]:
    if not values:
        return []
    result: list[Address] = []
    pairs: list[tuple[str, str]] = []
    for chunk in (chunk for v in values for chunk in _address_chunks(_unescape_8bit(v))):
        plain = _plain_address(chunk)
        pairs += [plain] if plain else email.utils.getaddresses([chunk])
    for name, addr in pairs:
        addr = _clean(addr.strip().strip("<>").strip())
        if "@" not in addr or any(ch.isspace() for ch in addr):
            continue
        result.append(Address(addr.lower(), _clip(decode_header_text(name), 256)))
    return result


_DOT_ATOM = r'[^\s"\\<>()\[\],;:@.]+(?:\.[^\s"\\<>()\[\],;:@.]+)*'
_PLAIN_ADDRESS = re.compile(
    rf'[ \t]*(?:"(?P<quoted>[^"\\\r\n]*)"|(?P<words>[^"\\<>()\[\],;:@.\r\n]*?))[ \t]*'
    rf'<(?P<bracketed>{_DOT_ATOM}@{_DOT_ATOM})>[ \t]*|[ \t]*(?P<bare>{_DOT_ATOM}@{_DOT_ATOM})[ \t]*')


_BLANKS = re.compile(r"[ \t]+")  # what getaddresses takes for white space between a name's words


def _plain_address(chunk: str) -> tuple[str, str] | None:
    """(name, address) of the plain forms most headers hold (a@b, Name <a@b>, "Name" <a@b>), as getaddresses
    reads them at a fraction of its cost (a third of a small email's parse); None for anything else."""
    match = _PLAIN_ADDRESS.fullmatch(chunk)
    if match is None:
        return None
    if match["bare"]:
        return "", match["bare"]
    name = match["quoted"] if match["quoted"] is not None else _BLANKS.sub(" ", match["words"].strip(" \t"))
    return name, match["bracketed"]


MAX_ADDRESS_CHARS = 2000  # one "Name" <address>; far longer is hostile
_ADDRESS_SPECIALS = re.compile(r'[\\"<>(),]')


def _address_chunks(value: str) -> list[str]:
    """Split an address header at its top-level commas, each piece bounded: the stdlib's getaddresses is
    quadratic on unterminated quotes and brackets (a 63 KB header took 4 s), linear on short pieces."""
    chunks: list[str] = []
    start, quoted, depth, skip = 0, False, 0, -1
    for match in _ADDRESS_SPECIALS.finditer(value):
        at, ch = match.start(), match.group()
        if at == skip:
            continue
        if ch == "\\":
            skip = at + 1
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "<(":
            depth += 1
        elif ch in ">)":
            depth = max(depth - 1, 0)
        elif depth == 0:
            chunks.append(value[start:at])
            start = at + 1
    chunks.append(value[start:])
    return [chunk[:MAX_ADDRESS_CHARS] for chunk in chunks if chunk.strip()]


_ID = re.compile(r"<([^<>\s]+)>")


def _first_id(values: list[str] | None) -> str | None:
    ids = _all_ids(values)
    if ids:
        return ids[0]
    bare = _clean(values[0].strip()) if values else ""
    return f"<{bare}>" if bare and len(bare) < 990 and not any(c.isspace() or c in "<>" for c in bare) else None


def _content_id(headers: dict[str, list[str]], raw: bytes) -> str:
    """An email without a Message-ID is known by its content: the same id whenever it is read again (after an
    IMAP UIDVALIDITY reset, from another folder), so tracking's duplicate check recognizes it."""
    digest = hashlib.sha256()
    for name in ("from", "to", "cc", "date", "subject"):
        digest.update(repr(headers.get(name, [])).encode("utf-8", "surrogateescape"))
    _, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    digest.update(body)
    return f"<{digest.hexdigest()[:40]}@no-message-id.invalid>"


def _all_ids(values: list[str] | None) -> list[str]:
    if not values:
        return []
    return [f"<{_clean(m)}>" for m in _ID.findall(_unescape_8bit(" ".join(values))) if len(m) < 990]


def _received_at(headers: dict[str, list[str]]) -> datetime | None:
    """When the server got it: the newest Received header's date, else the Date header."""
    candidates = [value.rsplit(";", 1)[1] for value in headers.get("received", [])[:1] if ";" in value]
    return _date(candidates + headers.get("date", [])[:1])


def _date(candidates: list[str]) -> datetime | None:
    """The first of these header dates that parses, as naive UTC."""
    for text in candidates:
        try:
            when = email.utils.parsedate_to_datetime(_unescape_8bit(text).strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if when.tzinfo is not None:
            try:
                when = when.astimezone(UTC).replace(tzinfo=None)
            except (OverflowError, ValueError):
                continue
        return when
    return None


# ---- body and attachments ----------------------------------------------------------------------

def _walk(msg: Message, server_id: str, raw: bytes, size: int):
    body_text: str | None = None
    body_html: str | None = None
    attachments: list[IncomingAttachment] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    parts = 0
    while stack:
        part, depth = stack.pop()
        parts += 1
        if parts > MAX_PARTS:
            raise UnreadableEmailError(server_id, f"it has more than {MAX_PARTS} parts", raw, size)
        if depth > MAX_DEPTH:
            raise UnreadableEmailError(server_id, f"its parts are nested more than {MAX_DEPTH} deep", raw, size)
        content_type = _content_type(part)
        if part.is_multipart() and content_type.startswith("multipart/"):
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children))
            continue
        if content_type.startswith("multipart/"):  # its boundary is missing: what it holds is the text
            content_type = "text/plain"
        filename = _filename(part)
        disposition = str(part.get("content-disposition") or "").split(";", 1)[0].strip().lower()
        if content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            text = decode_bytes(_text_payload(part), _charset(part))
            if content_type == "text/plain" and body_text is None:
                body_text = text
                continue
            if content_type == "text/html" and body_html is None:
                body_html = text
                continue
        content = _payload(part)
        if not content and not filename:
            continue
        if not filename and content_type == "message/rfc822":
            filename = _inner_subject(part)
        extension = _EXTENSIONS.get(content_type, "")
        if filename and extension == ".eml" and not filename.lower().endswith(".eml"):
            filename = _clip(filename, 251) + extension
        attachments.append(IncomingAttachment(filename or f"attachment-{len(attachments) + 1}{extension}",
                                              content_type, content))
    return body_text or "", body_html, [inner for attachment in attachments for inner in _unpacked(attachment)]


def _text(name) -> str:
    return name if isinstance(name, str) else bytes(name).decode("cp1252", "replace")  # TNEF's 8-bit strings


def _unpacked(attachment: IncomingAttachment) -> list[IncomingAttachment]:
    """Outlook's winmail.dat (TNEF) as the attachments it holds; itself when it holds none or cannot be read."""
    if attachment.mime_type != "application/ms-tnef" and attachment.file_name.lower() != "winmail.dat":
        return [attachment]
    try:
        files = [(_text(f.long_filename() or f.name), bytes(f.data))
                 for f in TNEF(attachment.content, do_checksum=False).attachments[:MAX_PARTS] if f.data]
    except Exception:  # noqa: BLE001 - a third-party parser on hostile bytes: a broken winmail.dat stays as it came
        return [attachment]
    return [IncomingAttachment(_safe_file_name(name) or f"attachment-{n}",
                               mimetypes.guess_type(name)[0] or "application/octet-stream", content)
            for n, (name, content) in enumerate(files, 1)] or [attachment]


_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml", "text/calendar": ".ics"}


def _inner_subject(part: Message) -> str:
    """An attached email is named after its subject, as Outlook saves it."""
    inner = part.get_payload()
    if not (isinstance(inner, list) and inner and isinstance(inner[0], Message)):
        return ""
    subject = next((str(value) for name, value in inner[0].raw_items() if name.lower() == "subject"), "")
    return _safe_file_name(subject)


def _content_type(part: Message) -> str:
    try:
        value = part.get_content_type()
    except Exception:
        return "application/octet-stream"
    return value if re.fullmatch(r"[a-z0-9.+_-]+/[a-z0-9.+_-]+", value or "") else "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        return part.get_param("charset")  # type: ignore[return-value]
    except Exception:
        return None


def _filename(part: Message) -> str:
    name = None
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        try:
            value = _param(part, param, header)
        except Exception:
            continue
        if value:
            name = email.utils.collapse_rfc2231_value(value, errors="replace") if isinstance(value, tuple) \
                else str(value)
            break
    return _safe_file_name(name) if name else ""


def _safe_file_name(name: str) -> str:
    name = decode_header_text(name)
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")  # no paths, nothing a file system refuses
    return _clip(name, 255)


def _param(part: Message, param: str, header: str):
    """A header parameter, with raw 8-bit bytes decoded first (compat32 would turn them into U+FFFD)."""
    raw = next((value for name, value in part.raw_items() if name.lower() == header), None)
    if raw is None or param.lower() not in str(raw).lower():  # its name is in the header as it is, RFC 2231's too
        return None
    holder = Message()
    holder[header] = _unescape_8bit(str(raw))
    return holder.get_param(param, header=header)


def _text_payload(part: Message) -> bytes:
    """A text part's bytes; text sent as "base64" that is not base64 stays the text it was."""
    data = _payload(part)
    if str(part.get("content-transfer-encoding", "")).strip().lower() != "base64":
        return data
    payload = part.get_payload()
    if not isinstance(payload, str) or _BASE64_TEXT.fullmatch(payload) or _looks_like_text(data):
        return data
    return payload.encode("ascii", "surrogateescape")


_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/=\s]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def _payload(part: Message) -> bytes:
    """The decoded content of a leaf part; an attached email comes back whole."""
    try:
        if part.get_content_maintype() == "message":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                return inner[0].as_bytes(policy=policy.compat32)
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""
    return data


# ---- text --------------------------------------------------------------------------------------

_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "x-sjis": "cp932", "shift_jis": "cp932", "sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-6-i": "iso-8859-6", "windows-874": "cp874",
    "unicode-1-1-utf-7": "utf-7", "x-user-defined": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",  # what senders mean (WHATWG Encoding)
}


def _reads_as_cp1252(data: bytes, at: int) -> bool:
    """Whether a byte that is not UTF-8 reads as Windows-1252 text: its punctuation block (“ ” – €), or a
    Latin letter or sign beside a letter or digit (Grüße, 10°). A lone high byte stays a replacement."""
    byte = data[at]
    if 0x80 <= byte <= 0x9F:
        return True

    def wordy(i: int) -> bool:
        return 0 <= i < len(data) and (chr(data[i]).isalnum() if data[i] < 0x80 else data[i] >= 0xC0)
    return byte >= 0xA0 and (wordy(at - 1) or wordy(at + 1))


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: invalid UTF-8 bytes as Windows-1252 where they read as it, else U+FFFD."""
    data = error.object
    text = "".join(bytes([data[i]]).decode("cp1252", "replace") if _reads_as_cp1252(data, i) else "\ufffd"
                   for i in range(error.start, error.end))
    return text, error.end


codecs.register_error("crmsync-cp1252-fallback", _cp1252_fallback)
_MAX_FALLBACK_BYTES = 10_000  # bounds the per-byte work on a body of binary garbage declared UTF-8


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset → text. An unknown or wrong charset falls back to UTF-8, then Windows-1252;
    declared UTF-8 that is not keeps its UTF-8 and reads the rest as Windows-1252 where it can."""
    codec = _codec(charset)
    if codec and codec != "cp1252":
        try:
            return _clean(data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return _clean(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if codec == "utf-8":
        replaced = data.decode("utf-8", "replace")
        if replaced.count("\ufffd") > _MAX_FALLBACK_BYTES:  # bytes that are not text at all: no byte-by-byte look
            return _clean(replaced)
        return _clean(data.decode("utf-8", "crmsync-cp1252-fallback"))
    return _clean(data.decode(codec or "cp1252", "replace"))


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = str(charset).strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def _clean(text: str) -> str:
    """No NULs (PostgreSQL refuses them) and no lone surrogates (UTF-8 cannot store them)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


MAX_HTML_CHARS = 1024 * 1024  # converted to text; the activity keeps the whole HTML body
_SKIP = re.compile(r"<(script|style|head|title)\b", re.IGNORECASE)
_TAG_NAME = re.compile(r"/?([a-zA-Z][a-zA-Z0-9]*)")
_BREAK = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"}


def html_to_text(html: str) -> str:
    """Readable text of an HTML body, for the activity when the email has no plain-text part.

    One pass with str.find, linear in the input: the stdlib HTMLParser re-scans unterminated markup
    on every character (a 180 KB email took a minute), so a hostile body could stall a mailbox.
    """
    html = html[:MAX_HTML_CHARS]
    parts: list[str] = []
    pos, end = 0, len(html)
    while pos < end:
        lt = html.find("<", pos)
        if lt < 0:
            parts.append(unescape(html[pos:]))
            break
        parts.append(unescape(html[pos:lt]))
        if html.startswith("<!--", lt):
            close = html.find("-->", lt + 4)
            pos = end if close < 0 else close + 3
            continue
        name = _TAG_NAME.match(html, lt + 1)
        if not name and html.startswith(("<!", "<?"), lt):
            close = html.find(">", lt)
            pos = end if close < 0 else close + 1
            continue
        if not name:  # a lone "<" is text
            parts.append("<")
            pos = lt + 1
            continue
        close = html.find(">", name.end())
        if close < 0:  # unterminated tag: the rest is markup, as browsers treat it
            break
        tag = name.group(1).lower()
        if tag in _BREAK:
            parts.append("\n")
        pos = close + 1
        if html[lt + 1] != "/" and _SKIP.match(html, lt):
            stop = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(html, pos)
            pos = end if stop is None else stop.end()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parts))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()
