"""Users & queues: the list, and the per-user dialog's General, Synchronization and Email tabs."""
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.store import filter_queries
from crmsync_gui.core.store.models import Account, Contact, CrmUser, FolderTrackingRule
from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog
from crmsync_gui.ui.pages.users import OwnerTableModel, UsersPage


@pytest.fixture
def org(db):
    ann = admin.add_user("Ann Lee", "ann@example.com")
    bob = admin.add_user("Bob Ray", "bob@example.com")
    queue = admin.add_queue("Support", "support@example.com")
    box = admin.add_mailbox("Ann's mailbox", "ann@example.com")
    admin.map_mailbox(box, ann)
    for i in range(3):
        Contact.create(first_name=f"Mine{i}", owner=ann, company="Acme")
    Contact.create(first_name="Inactive", owner=ann, is_active=False)
    Contact.create(first_name="Bob's", owner=bob, company="Acme")
    return ann, bob, queue, box


def test_model_passes_the_model_tester(qtmodeltester, org):
    model = OwnerTableModel()
    model.reload()
    qtmodeltester.check(model)
    rows = [[model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows[0][:4] == ["Ann Lee", "User", "ann@example.com", "Ann's mailbox"]
    assert rows[2][:2] == ["Support", "Queue"]


def test_page_filters_and_opens_the_dialog(qtbot, monkeypatch, org):
    page = UsersPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.count_label.text() == "3 of 3 users and queues"
    page.filter_edit.setText("support")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    opened = []
    monkeypatch.setattr(OwnerDialog, "exec", lambda self: opened.append(self.owner) or 0)
    page.table.selectRow(0)
    page.actions["edit"].trigger()
    assert [o.name for o in opened] == ["Support"]


def editor(dialog, entity):
    return dialog.filter_editors[entity]


def test_sync_tab_starts_with_org_defaults_and_previews(qtbot, org):
    ann = org[0]
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    contacts = editor(dialog, sf.Entity.CONTACT)
    assert contacts.list.count() == 1 and contacts.list.item(0).text() == "My contacts"
    assert contacts.rules.rowCount() == 2
    assert contacts.preview() == 3
    assert contacts.preview_label.text() == "3 contacts match now."
    assert contacts.preview_label.styleSheet() == "", "a count is not a warning"


def set_rule(editor, row, field, operator, value):
    editor.rules.cellWidget(row, 0).setCurrentIndex(editor.rules.cellWidget(row, 0).findData(field))
    editor.rules.cellWidget(row, 1).setCurrentIndex(editor.rules.cellWidget(row, 1).findData(operator))
    editor.rules.cellWidget(row, 2).setText(value)


def test_editing_rules_and_queries_then_saving(qtbot, org):
    ann, bob = org[0], org[1]
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    contacts = editor(dialog, sf.Entity.CONTACT)
    # a second query, OR-ed: Bob's contacts at Acme
    contacts.add_filter()
    set_rule(contacts, 0, "owner", "eq", str(bob.id))
    contacts.add_rule()
    set_rule(contacts, 1, "company", "contains", "cm")
    contacts.list.item(1).setText("Bob's Acme")
    assert contacts.preview() == 4
    # an invalid value is explained, not counted
    set_rule(contacts, 1, "company", "is_empty", "")
    contacts.add_rule()
    set_rule(contacts, 2, "modified_at", "on_or_after", "someday")
    assert contacts.preview() is None and "needs a date" in contacts.problem.text()
    contacts.remove_rule()
    # untick the first query: only the second one counts
    contacts.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert contacts.preview() == 0  # Bob's Acme contact has a company, so "is empty" excludes it
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = filter_queries.user_filters(ann, sf.Entity.CONTACT)
    assert [(f.name, f.is_active) for f in saved] == [("My contacts", False), ("Bob's Acme", True)]
    assert json.loads(saved[1].rules)[1] == {"field": "company", "operator": "is_empty", "value": None}


def test_reset_to_org_defaults(qtbot, monkeypatch, org):
    ann = org[0]
    admin.copy_templates_to_user(ann)
    admin.save_user_filters(ann, sf.Entity.CONTACT, [("everything", [], True)])
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    contacts = editor(dialog, sf.Entity.CONTACT)
    assert contacts.preview() == 5
    dialog.entity_tabs.setCurrentIndex(0)
    dialog.reset_filters()
    assert contacts.list.item(0).text() == "My contacts" and contacts.preview() == 3
    dialog.save()
    assert [f.name for f in filter_queries.user_filters(ann, sf.Entity.CONTACT)] == ["My contacts"]


def test_email_tab_tracking_option_and_folder_rules(qtbot, org):
    ann, _, _, box = org
    account = Account.create(name="Acme")
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    dialog.tracking.setCurrentIndex(dialog.tracking.findData(int(codes.TrackingOption.ALL)))
    dialog.add_folder("Customers/Acme", "account", account.id)
    dialog.add_folder("Newsletters")
    dialog.save()
    assert CrmUser.get_by_id(ann.id).tracking_option == codes.TrackingOption.ALL
    rules = [(r.folder, r.regarding_type, r.regarding_id) for r in FolderTrackingRule.select()]
    assert rules == [("Customers/Acme", "account", account.id), ("Newsletters", None, None)]


def test_folder_rules_stop_at_25_and_bad_regarding_is_refused(qtbot, org):
    ann = org[0]
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    for i in range(30):
        dialog.add_folder(f"F{i}")
    assert dialog.folders.rowCount() == 25 and not dialog.add_folder_button.isEnabled()
    dialog.remove_folder()
    dialog.add_folder("Odd", "contact", 999)
    dialog.name.setText("Ann Renamed")
    dialog.save()
    assert "no contact with id 999" in dialog.problem.text()
    assert FolderTrackingRule.select().count() == 0
    assert CrmUser.get_by_id(ann.id).full_name == "Ann Lee"  # nothing saved


def test_queue_dialog_has_no_sync_tab_and_saves_general(qtbot, org):
    queue = org[2]
    dialog = OwnerDialog(queue)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["General", "Email"]
    assert not dialog.folders.isEnabled()  # no mailbox mapped
    dialog.email.setText("ann@example.com")
    dialog.save()
    dialog.email.setText("not-an-address")
    dialog.save()
    assert "is not an email address" in dialog.rows["email"].reason.text()
    dialog.email.setText("help@example.com")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_new_user_and_queue(qtbot, monkeypatch, db):
    from crmsync_gui.core.store.models import CrmQueue
    from crmsync_gui.ui.dialogs.new_owner_dialog import NewOwnerDialog

    page = UsersPage()
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    assert page.empty_state.isVisible()
    dialog = NewOwnerDialog("user")
    qtbot.addWidget(dialog)
    dialog.name.setText("Ann Lee")
    dialog.email.setText("nope")
    dialog.save()
    assert "is not an email address" in dialog.rows["email"].reason.text()
    dialog.email.setText("ann@example.com")
    dialog.save()
    assert dialog.created.full_name == "Ann Lee"
    queue = NewOwnerDialog("queue")
    qtbot.addWidget(queue)
    queue.name.setText("Support")
    queue.email.setText("support@example.com")
    queue.save()
    assert CrmQueue.get().name == "Support"
    page.refresh()
    assert page.content.isVisible() and page.model.rowCount() == 2


def test_queries_that_match_nothing_are_flagged_as_the_dialog_opens_in_english_and_italian(qtbot, qapp, org):
    from PySide6.QtCore import QTranslator

    from crmsync_gui.ui.resources import install_translations

    ann = org[0]
    admin.copy_templates_to_user(ann)
    admin.save_owner_settings(ann, {}, filters={sf.Entity.CONTACT: [
        ("Nobody", [{"field": "last_name", "operator": "eq", "value": "No such name"}], True)]})
    dialog = OwnerDialog(ann)
    qtbot.addWidget(dialog)
    contacts = editor(dialog, sf.Entity.CONTACT)
    assert contacts.preview_label.text() == "No contacts match: none will sync with this user's mailbox."
    assert "#b00020" in contacts.preview_label.styleSheet(), "shown as a warning"
    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, "it") == "it"
    try:
        assert contacts.preview() == 0
        assert contacts.preview_label.text() == ("Nessun contatto corrisponde: nessuno verrà sincronizzato con la "
                                                 "cassetta postale di questo utente.")
    finally:
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.deleteLater()
