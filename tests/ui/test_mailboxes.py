"""The Mailboxes page and the mailbox dialog, including the reassign confirmation both ways."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.mailbox_dialog import MailboxDialog
from crmsync_gui.ui.pages.mailboxes import MailboxesPage, MailboxTableModel


@pytest.fixture
def org(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    ann = admin.add_user("Ann Lee", "ann@example.com")
    queue = admin.add_queue("Support", "support@example.com")
    old = admin.add_mailbox("Ann old", "ann.old@example.com", profile)
    new = admin.add_mailbox("Ann new", "ann@example.com", profile)
    admin.map_mailbox(old, ann)
    for i in range(150):
        admin.add_mailbox(f"Box {i:03}", f"box{i}@example.com")
    return profile, ann, queue, old, new


def test_model_passes_the_model_tester(qtmodeltester, org):
    model = MailboxTableModel()
    model.reload()
    qtmodeltester.check(model)


def test_rows_load_on_demand_and_show_code_labels(org):
    model = MailboxTableModel()
    model.reload()
    assert model.rowCount() == 152 and model.loaded_count() == 0
    keys = [c.key for c in model.columns]
    first = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert model.loaded_count() == model.PAGE  # one page fetched, not the table
    assert first[keys.index("name")] == "Ann new"
    assert first[keys.index("incoming_method")] == codes.IncomingMethod.SERVER_SIDE_SYNC.label
    assert first[keys.index("approval")] == "Pending approval"
    assert first[keys.index("owner")] == ""
    row = [model.data(model.index(1, c)) for c in range(model.columnCount())]
    assert row[keys.index("owner")] == "Ann Lee" and row[keys.index("profile")] == "Exchange"


def test_sort_and_filter(qtbot, org):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.content.isVisibleTo(page) or not page.empty_state.isVisibleTo(page)
    page.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert page.model.data(page.model.index(0, 0)) == "Box 149"
    page.filter_edit.setText("ann")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.count_label.text() == "2 of 152 mailboxes"


def test_rows_the_engine_changed_are_reread_together_on_the_next_tick(qtbot, org):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    _profile, _ann, _queue, old, new = org
    assert page.model.data(page.model.index(0, 0)) == "Ann new"  # loaded
    Mailbox.update(name=Mailbox.name.concat(" (synced)")).where(Mailbox.id.in_([old.id, new.id])).execute()
    page.on_mailbox_changed(new.id)
    page.on_mailbox_changed(old.id)
    assert page.model.data(page.model.index(0, 0)) == "Ann new"  # not re-read per event
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 0)) == "Ann new (synced)", timeout=2500)
    assert page.model.data(page.model.index(1, 0)) == "Ann old (synced)"


def test_the_tick_repaints_only_the_rows_on_screen(qtbot, org):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.resize(900, 400)
    page.show()
    page.refresh()
    shown = page.table.rowAt(page.table.viewport().height() - 1)
    assert 0 < shown < page.model.rowCount() - 1  # the table is taller than the screen
    last = page.model.rowCount() - 1
    assert page.model.data(page.model.index(last, 0)) == "Box 149"  # loaded
    ranges = []
    page.model.dataChanged.connect(lambda top, bottom, _roles: ranges.append(
        (top.row(), bottom.row(), top.column(), bottom.column())))
    Mailbox.update(name=Mailbox.name.concat(" (synced)")).execute()
    page.on_mailbox_changed(page.model.id_at(1))
    page.on_mailbox_changed(page.model.id_at(last))
    page._tick()
    next_run = [c.key for c in page.model.columns].index("next_run")
    assert ranges == [(1, 1, 0, len(page.model.columns) - 1), (0, shown, next_run, next_run)]
    assert page.model.data(page.model.index(last, 0)) == "Box 149 (synced)"  # off screen: read when shown


def select_rows(page, names):
    page.table.clearSelection()
    for row in range(page.model.rowCount()):
        if page.model.data(page.model.index(row, 0)) in names:
            page.table.selectionModel().select(
                page.model.index(row, 0),
                page.table.selectionModel().SelectionFlag.Select | page.table.selectionModel().SelectionFlag.Rows)


def test_approve_reject_enable_disable_on_many(qtbot, org):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    select_rows(page, {"Ann old", "Ann new"})
    assert set(page.selected_ids()) == {org[3].id, org[4].id}
    page.actions["approve"].trigger()
    assert {m.approval for m in Mailbox.select().where(Mailbox.name.startswith("Ann"))} == {codes.Approval.APPROVED}
    approval_col = [c.key for c in page.model.columns].index("approval")
    assert page.model.data(page.model.index(0, approval_col)) == "Approved"
    page.actions["enable"].trigger()
    assert Mailbox.get_by_id(org[3].id).incoming_enabled
    page.actions["disable"].trigger()
    page.actions["reject"].trigger()
    m = Mailbox.get_by_id(org[3].id)
    assert not m.incoming_enabled and m.approval == codes.Approval.REJECTED


def test_open_errors_asks_for_the_errors_page_filtered(qtbot, org):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    select_rows(page, {"Ann old"})
    with qtbot.waitSignal(page.open_page) as signal:
        page.actions["errors"].trigger()
    assert signal.args == ["Errors", {"mailbox_id": org[3].id}]


def choose_owner(dialog, text):
    index = dialog.owner.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0
    dialog.owner.setCurrentIndex(index)


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No])
def test_reassign_confirmation_names_both_mailboxes(qtbot, monkeypatch, org, answer):
    _, ann, _, old, new = org
    asked = []

    def fake_question(parent, title, text, *args):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", fake_question)
    shown = MailboxDialog(Mailbox.get_by_id(old.id))
    qtbot.addWidget(shown)
    assert shown.owner.currentText() == "User: Ann Lee <ann@example.com>"  # the current owner is preselected
    dialog = MailboxDialog(Mailbox.get_by_id(new.id))
    qtbot.addWidget(dialog)
    assert dialog.owner.currentText() == "(no owner)"
    dialog.name.setText("Ann new (renamed)")
    choose_owner(dialog, "User: Ann Lee")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert len(asked) == 1 and "'Ann old'" in asked[0] and "'Ann new (renamed)'" in asked[0]
    old, new = Mailbox.get_by_id(old.id), Mailbox.get_by_id(new.id)
    if answer == QMessageBox.StandardButton.Yes:
        assert dialog.result() == dialog.DialogCode.Accepted
        assert new.owner_user_id == ann.id and old.owner_user_id is None and new.name == "Ann new (renamed)"
    else:
        assert dialog.result() != dialog.DialogCode.Accepted and dialog.isVisible() is False
        assert old.owner_user_id == ann.id and new.owner_user_id is None and new.name == "Ann new"


def test_new_mailbox_with_owner_password_and_every_field(qtbot, monkeypatch, org):
    _, _, queue, _, _ = org
    monkeypatch.setattr(QMessageBox, "question", lambda *a: pytest.fail("no conflict expected"))
    dialog = MailboxDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Support box")
    dialog.email.setText("Support@Example.com")
    choose_owner(dialog, "Queue: Support")
    dialog.profile.setCurrentIndex(dialog.profile.findText("Exchange"))
    dialog.username.setText("svc-support")
    dialog.password.setText("s3cret!")
    dialog.methods["incoming_method"].setCurrentIndex(
        dialog.methods["incoming_method"].findData(int(codes.IncomingMethod.FORWARD_MAILBOX)))
    dialog.forward.setChecked(True)
    dialog.save()
    m = Mailbox.get(Mailbox.name == "Support box")
    assert m.email == "support@example.com" and m.owner_queue_id == queue.id and m.profile.name == "Exchange"
    assert m.username == "svc-support" and m.is_forward_mailbox
    assert m.incoming_method == codes.IncomingMethod.FORWARD_MAILBOX
    assert m.secret_ref and "s3cret" not in m.secret_ref
    assert secret_store().get(m.secret_ref) == "s3cret!"


def test_invalid_fields_show_their_reason_and_save_nothing(qtbot, org):
    dialog = MailboxDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Bad")
    dialog.email.setText("not an address")
    dialog.save()
    assert "is not an email address" in dialog.rows["email"].reason.text()
    assert not Mailbox.select().where(Mailbox.name == "Bad").exists()
