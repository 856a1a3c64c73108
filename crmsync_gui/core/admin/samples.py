"""Sample records for showing the console's dialogs (self-test, screenshots) without changing the database."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from crmsync_gui.core.admin.mailboxes import add_mailbox
from crmsync_gui.core.admin.owners import add_queue, add_user
from crmsync_gui.core.admin.profiles import save_profile
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox


@dataclass(frozen=True)
class Samples:
    user: CrmUser
    queue: CrmQueue
    profile: EmailServerProfile
    mailbox: Mailbox


@contextmanager
def sample_records() -> Iterator[Samples]:
    """Yield one of each record (the first there is, else a new one) in a transaction rolled back at the end,
    so nothing made or changed meanwhile survives."""
    with database_proxy.atomic() as transaction:
        user = CrmUser.select().first() or add_user("Sample User", "sample.user@example.com")
        queue = CrmQueue.select().first() or add_queue("Sample Queue", "sample.queue@example.com")
        profile = EmailServerProfile.select().first() or save_profile(
            {"name": "Sample profile", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
        mailbox = Mailbox.select().first() or add_mailbox("Sample mailbox", "sample@example.com", profile)
        try:
            yield Samples(user, queue, profile, mailbox)
        finally:
            transaction.rollback()
