"""The Email server profiles page: the profiles, their editor, and the mailboxes using each."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence

from crmsync_gui.core import codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.ui.labels import code_label
from crmsync_gui.ui.pages.table_page import TablePage
from crmsync_gui.ui.table_model import Column, LazyTableModel


class ProfileTableModel(LazyTableModel):
    columns = (
        Column("name", "Name", stretch=True),
        Column("server_type", "Server type", width=120),
        Column("auth_type", "Authentication", width=110),
        Column("incoming_server", "Incoming server", stretch=True),
        Column("outgoing_server", "Outgoing server", stretch=True),
        Column("max_concurrent_connections", "Max connections", width=120),
        Column("mailboxes", "Mailboxes", width=80),
        Column("secret", "Credentials", sortable=False),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter_text = ""

    def fetch_ids(self):
        return views.profile_ids(self.filter_text, self.sort_key, self.descending)

    def fetch_rows(self, ids):
        return views.profile_rows(ids)

    def display(self, p: EmailServerProfile, key: str) -> str:
        if key == "server_type":
            return code_label(codes.ServerType, p.server_type)
        if key == "auth_type":
            return code_label(codes.AuthType, p.auth_type)
        if key == "mailboxes":
            return str(p.mailbox_count)
        if key == "secret":
            if not p.username:
                return self.tr("each mailbox's own")
            return self.tr("{0} (password stored)").format(p.username) if p.secret_ref else \
                self.tr("{0} (no password)").format(p.username)
        return str(getattr(p, key) or "")


class ProfilesPage(TablePage):
    title = "Email server profiles"
    icon_name = "tabler/server"
    empty_text = ("No email server profiles yet. A profile says how to reach a mail server "
                  "(Exchange, POP3/SMTP or IMAP/SMTP) and how hard to use it.")
    filter_hint = "Filter by name or server (Ctrl+F)"

    def __init__(self, parent=None):
        super().__init__(ProfileTableModel(), parent)
        self.model.setParent(self)
        self.add_empty_action(self.tr("New profile…"), self.new_profile)
        self.add_action("new", self.tr("New…"), "Ctrl+N", self.new_profile)
        self.add_action("edit", self.tr("Edit…"), "Return", self.edit_selected)
        self.add_action("delete", self.tr("Delete…"), QKeySequence.StandardKey.Delete, self.delete_selected)
        self.add_action("mailboxes", self.tr("Show mailboxes"), "Ctrl+M", self.show_mailboxes)
        self.add_action("cutover", self.tr("Cut over EWS ↔ Graph…"), "", self.cut_over_selected)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.update_actions()

    def refresh(self) -> None:
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        total = EmailServerProfile.select().count()
        self.show_empty(total == 0)
        self.count_label.setText(self.tr("{0} of {1} profiles").format(self.model.rowCount(), total))
        self.update_actions()

    def apply_filter(self, filters: dict) -> None:
        self.refresh()
        if "profile_id" in filters:
            self.select_id(filters["profile_id"])

    def update_actions(self) -> None:
        one = len(self.selected_ids()) == 1
        self.actions["edit"].setEnabled(one)
        self.actions["delete"].setEnabled(one)
        self.actions["mailboxes"].setEnabled(one)
        self.actions["cutover"].setEnabled(one and codes.ServerType(
            EmailServerProfile.get_by_id(self.selected_ids()[0]).server_type).is_exchange)

    def new_profile(self) -> None:
        from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog

        if ProfileDialog(None, self).exec():
            self.refresh()

    def edit_selected(self) -> None:
        from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog

        ids = self.selected_ids()
        if len(ids) == 1 and ProfileDialog(EmailServerProfile.get_by_id(ids[0]), self).exec():
            self.model.refresh_ids(ids)

    def delete_selected(self) -> None:
        from crmsync_gui.ui.dialogs.delete import delete_with_confirmation

        ids = self.selected_ids()
        if len(ids) == 1 and delete_with_confirmation(self, EmailServerProfile.get_by_id(ids[0])):
            self.refresh()

    def cut_over_selected(self) -> None:
        from crmsync_gui.ui.dialogs.cutover_dialog import CutoverDialog

        ids = self.selected_ids()
        if len(ids) == 1:
            CutoverDialog(EmailServerProfile.get_by_id(ids[0]), self).exec()
            self.model.refresh_ids(ids)

    def show_mailboxes(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.open_page.emit("Mailboxes", {"profile_id": ids[0]})
