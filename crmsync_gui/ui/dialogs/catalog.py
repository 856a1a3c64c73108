"""Every dialog of the console, built on sample records inside a transaction that is rolled back.

`--self-test` and the screenshot script use it, so both cover each dialog without changing the
administrator's database.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crmsync_gui.core.admin.samples import sample_records


@contextmanager
def sample_dialogs(parent=None) -> Iterator[list]:
    """Yield [(name, dialog)] for every dialog; nothing they or their samples wrote survives."""
    from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog
    from crmsync_gui.ui.dialogs.new_owner_dialog import NewOwnerDialog
    from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog
    from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog

    with sample_records() as samples:
        dialogs = [
            ("mailbox-new", MailboxDialog(None, parent)),
            ("mailbox-edit", MailboxDialog(samples.mailbox, parent)),
            ("profile-new", ProfileDialog(None, parent)),
            ("profile-edit", ProfileDialog(samples.profile, parent)),
            ("user", OwnerDialog(samples.user, parent)),
            ("queue", OwnerDialog(samples.queue, parent)),
            ("new-user", NewOwnerDialog("user", parent)),
            ("new-queue", NewOwnerDialog("queue", parent)),
        ]
        try:
            yield dialogs
        finally:
            for _name, dialog in dialogs:
                dialog.deleteLater()
