"""Mailboxes around health: the status first with its icon and words, the standing error beside the name,
"Next sync" that says why never, a detail pane for the selected mailbox, the selection kept after an edit."""
from datetime import timedelta

from PySide6.QtCore import Qt

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox, TraceLog
from crmsync_gui.ui.pages.mailboxes import MailboxesPage

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def org():
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    boxes = {name: admin.add_mailbox(name, f"{name.lower()}@contoso.com", profile) for name in ("Ann", "Bob", "Cy")}
    soon = utcnow() + timedelta(minutes=3)
    Mailbox.update(approval=codes.Approval.APPROVED, incoming_enabled=True, incoming_next_run=soon).where(
        Mailbox.name != "Ann").execute()
    Mailbox.update(incoming_status=codes.DirectionStatus.FAILURE, incoming_enabled=False, outgoing_enabled=True,
                   last_error_code="AuthenticationFailed", last_error_message="The server refused the password.",
                   last_error_at=utcnow()).where(Mailbox.name == "Cy").execute()
    TraceLog.create(level=3, code="AuthenticationFailed", message="The server refused the password.",
                    mailbox=boxes["Cy"].id, collation_key="k")
    return profile, boxes


def cells(page, name):
    keys = [c.key for c in page.model.columns]
    row = next(r for r in range(page.model.rowCount()) if page.model.data(page.model.index(r, 0)) == name)
    return {k: page.model.data(page.model.index(row, keys.index(k))) for k in keys}, row


def test_status_comes_first_with_icon_and_words(qtbot, db):
    profile, _ = org()
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    header = page.table.horizontalHeader()
    first = header.logicalIndex(0)
    assert page.model.headerData(first, Qt.Orientation.Horizontal) == "Status"
    assert page.model.columns[header.logicalIndex(2)].key == "last_error"  # beside the name
    ann, _ = cells(page, "Ann")
    bob, _ = cells(page, "Bob")
    cy, row = cells(page, "Cy")
    assert (ann["status"], bob["status"], cy["status"]) == ("Pending approval", "Enabled", "Failing")
    assert ann["next_run"] == "never (pending approval)" and bob["next_run"].startswith("in ")
    assert cy["last_error"] == "AuthenticationFailed: The server refused the password." and bob["last_error"] == ""
    status_col = [c.key for c in page.model.columns].index("status")
    assert not page.model.data(page.model.index(row, status_col), Qt.ItemDataRole.DecorationRole).isNull()
    EmailServerProfile.update(paused_at=utcnow()).where(EmailServerProfile.id == profile.id).execute()
    page.refresh()
    assert cells(page, "Bob")[0]["status"] == "Profile paused"
    assert cells(page, "Bob")[0]["next_run"] == "never (profile paused)"


def test_detail_pane_and_selection_kept_after_an_edit(qtbot, db, monkeypatch):
    _, boxes = org()
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    _, row = cells(page, "Cy")
    page.table.selectRow(row)
    detail = page.detail.toPlainText()
    assert "Cy — Failing" in detail and "AuthenticationFailed" in detail and "Incoming email" in detail
    assert "What to do:" in detail
    from crmsync_gui.ui.dialogs import mailbox_dialog

    def rename(dialog):  # the dialog saves a new name that sorts Cy first
        admin.save_mailbox({"name": "Aaron"}, mailbox=dialog.mailbox)
        return True
    monkeypatch.setattr(mailbox_dialog.MailboxDialog, "exec", rename)
    page.edit_selected()
    assert page.selected_ids() == [boxes["Cy"].id] and page.model.row_of(boxes["Cy"].id) == 0
    assert "Aaron — Failing" in page.detail.toPlainText()
    page.filter_edit.setText("Bob")
    page.refresh()
    assert page.selected_ids() == [] and page.detail.toPlainText() == ""


def test_a_status_filtered_list_follows_a_status_change_without_a_refresh(qtbot, db):
    _profile, boxes = org()
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.apply_filter({"status": "failing"})
    names = lambda: [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]  # noqa: E731
    assert names() == ["Cy"]
    # the engine: Cy's next run passes, Bob's fails
    Mailbox.update(incoming_status=codes.DirectionStatus.SUCCESS, incoming_enabled=True,
                   last_error_code=None).where(Mailbox.name == "Cy").execute()
    Mailbox.update(incoming_status=codes.DirectionStatus.FAILURE).where(Mailbox.name == "Bob").execute()
    page.on_mailbox_changed(boxes["Cy"].id)
    page.on_mailbox_changed(boxes["Bob"].id)
    qtbot.waitUntil(lambda: names() == ["Bob"], timeout=3000)  # the next tick, not the admin's F5
    assert page.count_label.text() == "1 of 3 mailboxes"
    page.on_mailbox_changed(boxes["Ann"].id)  # a change that keeps the list as it is: the row is re-read only
    reloads = []
    page.model.modelReset.connect(lambda: reloads.append(1))
    qtbot.wait(1200)
    assert names() == ["Bob"] and reloads == []
