"""Protocol-independent email shapes shared by every connector and by tracking and sending.

Connectors turn what their server holds into an IncomingEmail (core/sync/mime.py parses raw
MIME for POP3, IMAP and Exchange alike); core/sync/tracking.py decides whether and how it is
tracked. Outgoing email goes through a MailTransport (EWS send, SMTP).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol


@dataclass(frozen=True)
class Address:
    address: str  # lower-cased
    name: str = ""


@dataclass(frozen=True)
class IncomingAttachment:
    file_name: str
    mime_type: str
    content: bytes
    size: int | None = None  # the size on the server, when content was left there (over the org's limit)


@dataclass
class IncomingEmail:
    server_id: str  # the item's id on the server: EWS ItemId, IMAP "UIDVALIDITY:UID", POP3 UIDL
    message_id: str | None
    subject: str
    sender: Address | None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    received_at: datetime | None = None  # naive UTC
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    thread_index: str | None = None  # Exchange ConversationIndex / Thread-Index header, base64
    body_text: str = ""
    body_html: str | None = None
    attachments: list[IncomingAttachment] = field(default_factory=list)
    folder: str = "Inbox"
    raw_size: int = 0


class MailTransport(Protocol):
    """How outgoing email leaves: EWS send or SMTP. Used by core/sync/outgoing.py."""

    async def send(self, job, message: EmailMessage) -> None:
        """Send a message whose Message-ID is already set (and recorded before this call)."""

    async def was_sent(self, job, message_id: str) -> bool | None:
        """After a crash between send and commit: True/False when the server can tell (Sent Items),
        None when it cannot (plain SMTP)."""
