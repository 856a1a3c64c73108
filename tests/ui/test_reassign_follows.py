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


def test_the_owner_picker_is_searchable_and_marks_owners_with_a_mailbox(qtbot, db):
    from PySide6.QtCore import Qt

    ann = admin.add_user("Ann Lee", "ann@example.com")
    admin.add_user("Bob Ray", "bob@example.com")
    box = admin.add_mailbox("Ann old", "ann@example.com")
    admin.map_mailbox(box, ann)
    new = admin.add_mailbox("New", "new@example.com")
    dialog = MailboxDialog(Mailbox.get_by_id(new.id))
    qtbot.addWidget(dialog)
    owner = dialog.owner
    items = {owner.itemText(i): i for i in range(owner.count())}
    ann_row, bob_row = items["User: Ann Lee <ann@example.com>"], items["User: Bob Ray <bob@example.com>"]
    assert not owner.itemIcon(ann_row).isNull() and owner.itemIcon(bob_row).isNull()
    assert "Has the mailbox 'Ann old' already" in owner.itemData(ann_row, Qt.ItemDataRole.ToolTipRole)
    completer = owner.completer()
    completer.setCompletionPrefix("ray")  # any part of the name or address
    assert completer.currentCompletion() == "User: Bob Ray <bob@example.com>"
    owner.setEditText("nobody in the list")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "choose an owner from the list" in dialog.rows["owner"].reason.text()
    assert Mailbox.get_by_id(new.id).owner_user_id is None
