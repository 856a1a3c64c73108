"""Enter in a sync-filter rule previews the queries; it no longer saves and closes the whole user dialog."""
from PySide6.QtCore import Qt

from crmsync_gui.core import admin
from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.store.models import Contact, SyncFilter
from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog


def test_enter_in_a_rule_previews_and_keeps_the_dialog_open(qtbot, db):
    ann = admin.add_user("Ann Lee", "ann@example.com")
    Contact.create(first_name="Carla", owner=ann)
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(1)  # Synchronization
    editor = dialog.filter_editors[sf.Entity.CONTACT]
    editor.list.setCurrentRow(0)
    saved_before = [(f.name, f.rules) for f in SyncFilter.select().where(SyncFilter.user == ann.id)]
    value = editor.rules.cellWidget(0, 2)
    value.setFocus()
    value.setText("@me")
    qtbot.keyClick(value, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() != dialog.DialogCode.Accepted
    assert editor.preview_label.text() == "1 contact matches now."
    assert [(f.name, f.rules) for f in SyncFilter.select().where(SyncFilter.user == ann.id)] == saved_before
