"""Every dialog of the console, built on sample records inside a transaction that is rolled back.

`--self-test` and the screenshot script use it, so both cover each dialog without changing the
administrator's database.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crmsync_gui.core.store.base import database_proxy


@contextmanager
def sample_dialogs(parent=None) -> Iterator[list]:
    """Yield [(name, dialog)] for every dialog; nothing they or their samples wrote survives."""
    from crmsync_gui.core import admin
    from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox
    from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog
    from crmsync_gui.ui.dialogs.new_owner_dialog import NewOwnerDialog
    from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog
    from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog

    with database_proxy.atomic() as transaction:
        user = CrmUser.select().first() or admin.add_user("Sample User", "sample.user@example.com")
        queue = CrmQueue.select().first() or admin.add_queue("Sample Queue", "sample.queue@example.com")
        profile = EmailServerProfile.select().first() or admin.save_profile(
            {"name": "Sample profile", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
        mailbox = Mailbox.select().first() or admin.add_mailbox("Sample mailbox", "sample@example.com", profile)
        dialogs = [
            ("mailbox-new", MailboxDialog(None, parent)),
            ("mailbox-edit", MailboxDialog(mailbox, parent)),
            ("profile-new", ProfileDialog(None, parent)),
            ("profile-edit", ProfileDialog(profile, parent)),
            ("user", OwnerDialog(user, parent)),
            ("queue", OwnerDialog(queue, parent)),
            ("new-user", NewOwnerDialog("user", parent)),
            ("new-queue", NewOwnerDialog("queue", parent)),
        ]
        try:
            yield dialogs
        finally:
            for _name, dialog in dialogs:
                dialog.deleteLater()
            transaction.rollback()
