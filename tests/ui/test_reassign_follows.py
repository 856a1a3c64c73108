"""The reassign confirmation says what else follows, in the administrator's words."""
from PySide6.QtWidgets import QMessageBox

from crmsync_gui.core import admin
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog


def test_reassign_confirmation_lists_what_else_follows(qtbot, monkeypatch, db):
    ann, bob = admin.add_user("Ann Lee", "ann@example.com"), admin.add_user("Bob Ray", "bob@example.com")
    old, new = admin.add_mailbox("Ann old", "ann@example.com"), admin.add_mailbox("Bob's", "bob@example.com")
    admin.map_mailbox(old, ann)
    admin.map_mailbox(new, bob)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.No)
    dialog = MailboxDialog(Mailbox.get_by_id(new.id))
    qtbot.addWidget(dialog)
    dialog.owner.setCurrentIndex(next(i for i in range(dialog.owner.count())
                                      if dialog.owner.itemText(i).startswith("User: Ann Lee")))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert "What else follows:\n• mailbox Ann old is left without an owner\n• Bob Ray is left without a mailbox" \
        in asked[0]
    assert Mailbox.get_by_id(new.id).owner_user_id == bob.id  # No: nothing changed
