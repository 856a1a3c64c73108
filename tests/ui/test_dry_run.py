"""Dry runs in the dialogs: what a sync-filter or ownership change would create and delete in Exchange, listed
before anything is saved."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.store.models import Contact, ItemMap, Mailbox, SyncFilter
from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog
from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog


def ann_syncing_her_contacts():
    ann = admin.add_user("Ann Lee", "ann@example.com")
    admin.copy_templates_to_user(ann)  # "My contacts": hers and active
    box = admin.map_mailbox(admin.add_mailbox("Ann's", "ann@example.com"), ann)
    Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == box.id).execute()
    synced = Contact.create(first_name="Ada", last_name="Ames", owner=ann)
    ItemMap.create(mailbox=box, record_type="contact", record_id=synced.id, item_id="AAMkAda")
    Contact.create(first_name="Bea", last_name="Berg", owner=ann)  # in her filters, not in Exchange yet
    return ann, Mailbox.get_by_id(box.id)


def test_the_user_dialogs_dry_run_lists_what_the_queries_as_edited_would_do_and_saves_nothing(qtbot, monkeypatch, db):
    ann, _box = ann_syncing_her_contacts()
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a: shown.append((title, text)))
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)  # Synchronization
    dialog.findChild(type(dialog.buttons.button(dialog.buttons.StandardButton.Ok)), "dry-run").click()
    assert shown[0][0] == "Dry run: nothing was saved"
    assert "• Contacts created in Exchange (1): Bea Berg" in shown[0][1]
    contacts = dialog.filter_editors[sf.Entity.CONTACT]
    contacts.list.item(0).setCheckState(Qt.CheckState.Unchecked)  # "My contacts" off: nothing of hers syncs
    assert dialog.dry_run() == ["Contacts deleted from Exchange (1): Ada Ames"]
    assert SyncFilter.get(SyncFilter.user == ann.id, SyncFilter.entity == int(sf.Entity.CONTACT)).is_active
    assert ItemMap.select().count() == 1


def test_the_reassign_confirmation_names_the_items_the_next_sync_creates_and_deletes(qtbot, monkeypatch, db):
    ann, box = ann_syncing_her_contacts()
    bob = admin.add_user("Bob Ray", "bob@example.com")
    admin.copy_templates_to_user(bob)
    admin.map_mailbox(admin.add_mailbox("Bob's", "bob@example.com"), bob)
    Contact.create(first_name="Cy", last_name="Cole", owner=bob)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.No)
    dialog = MailboxDialog(box)
    qtbot.addWidget(dialog)
    dialog.owner.setCurrentIndex(next(i for i in range(dialog.owner.count())
                                      if dialog.owner.itemText(i).startswith("User: Bob Ray")))
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert "Contacts created in Exchange (1): Cy Cole" in asked[0]
    assert "Contacts deleted from Exchange (1): Ada Ames" in asked[0]
    assert Mailbox.get_by_id(box.id).owner_user_id == ann.id  # No: nothing changed
