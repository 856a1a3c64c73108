"""The Users & queues page: every CRM user and queue, its mailbox and tracking option."""
from __future__ import annotations

from PySide6.QtGui import QKeySequence

from crmsync_gui.core import codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import CrmQueue, CrmUser, Mailbox
from crmsync_gui.ui.labels import code_label
from crmsync_gui.ui.pages.table_page import TablePage
from crmsync_gui.ui.table_model import Column, LazyTableModel


class OwnerTableModel(LazyTableModel):
    """Rows keyed ("user"|"queue", id)."""

    columns = (
        Column("name", "Name", stretch=True),
        Column("kind", "Kind", width=70),
        Column("email", "Email address", stretch=True),
        Column("mailbox", "Mailbox", sortable=False, stretch=True),
        Column("tracking", "Track incoming email", sortable=False, stretch=True),
        Column("state", "State", sortable=False),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter_text = ""

    def fetch_ids(self):
        return views.owner_ids(self.filter_text, self.sort_key, self.descending)

    def fetch_rows(self, ids):
        user_ids = [i for kind, i in ids if kind == "user"]
        queue_ids = [i for kind, i in ids if kind == "queue"]
        rows = {("user", u.id): u for u in CrmUser.select().where(CrmUser.id.in_(user_ids))}
        rows |= {("queue", q.id): q for q in CrmQueue.select().where(CrmQueue.id.in_(queue_ids))}
        boxes = Mailbox.select(Mailbox.name, Mailbox.owner_user, Mailbox.owner_queue).where(
            Mailbox.owner_user.in_(user_ids) | Mailbox.owner_queue.in_(queue_ids))
        for box in boxes:
            key = ("user", box.owner_user_id) if box.owner_user_id else ("queue", box.owner_queue_id)
            rows[key].mailbox_name = box.name
        return rows

    def display(self, owner, key: str) -> str:
        is_user = isinstance(owner, CrmUser)
        if key == "name":
            return owner.full_name if is_user else owner.name
        if key == "kind":
            return self.tr("User") if is_user else self.tr("Queue")
        if key == "email":
            return owner.email
        if key == "mailbox":
            return getattr(owner, "mailbox_name", "")
        if key == "tracking":
            return code_label(codes.TrackingOption, owner.tracking_option)
        if key == "state":
            return self.tr("Disabled") if is_user and owner.is_disabled else self.tr("Active")
        return ""


class UsersPage(TablePage):
    title = "Users & queues"
    icon_name = "tabler/users"
    empty_text = ("No CRM users or queues yet. Each user or queue maps to one mailbox; "
                  "its sync filters and tracking options are set here.")
    filter_hint = "Filter by name or address (Ctrl+F)"

    def __init__(self, parent=None):
        super().__init__(OwnerTableModel(), parent)
        self.model.setParent(self)
        self.add_empty_action(self.tr("New user…"), lambda: self.new_owner("user"))
        self.add_empty_action(self.tr("New queue…"), lambda: self.new_owner("queue"))
        self.add_action("new_user", self.tr("New user…"), "Ctrl+N", lambda: self.new_owner("user"))
        self.add_action("new_queue", self.tr("New queue…"), "Ctrl+Shift+N", lambda: self.new_owner("queue"))
        self.add_action("edit", self.tr("Open…"), "Return", self.edit_selected)
        self.add_action("delete", self.tr("Delete…"), QKeySequence.StandardKey.Delete, self.delete_selected)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.update_actions()

    def refresh(self) -> None:
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        total = CrmUser.select().count() + CrmQueue.select().count()
        self.show_empty(total == 0)
        self.count_label.setText(self.tr("{0} of {1} users and queues").format(self.model.rowCount(), total))
        self.update_actions()

    def apply_filter(self, filters: dict) -> None:
        """{"owner": ("user" or "queue", id)}: that user or queue, selected (the tracking decisions link here)."""
        self.filter_edit.clear()
        self.refresh()
        if "owner" in filters:
            self.select_id(tuple(filters["owner"]))
            self.table.scrollTo(self.table.currentIndex())

    def update_actions(self) -> None:
        self.actions["edit"].setEnabled(len(self.selected_ids()) == 1)
        self.actions["delete"].setEnabled(len(self.selected_ids()) == 1)

    def new_owner(self, kind: str) -> None:
        from crmsync_gui.ui.dialogs.new_owner_dialog import NewOwnerDialog

        dialog = NewOwnerDialog(kind, self)
        if dialog.exec():
            self.refresh()
            self.select_id((kind, dialog.created.id))

    def selected_owner(self) -> CrmUser | CrmQueue | None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        kind, owner_id = ids[0]
        return (CrmUser if kind == "user" else CrmQueue).get_by_id(owner_id)

    def delete_selected(self) -> None:
        from crmsync_gui.ui.dialogs.delete import delete_with_confirmation

        owner = self.selected_owner()
        if owner is not None and delete_with_confirmation(self, owner):
            self.refresh()

    def edit_selected(self) -> None:
        from crmsync_gui.ui.dialogs.owner_dialog import OwnerDialog

        ids = self.selected_ids()
        if len(ids) != 1:
            return
        kind, owner_id = ids[0]
        owner = (CrmUser if kind == "user" else CrmQueue).get_by_id(owner_id)
        if OwnerDialog(owner, self).exec():
            self.model.refresh_ids(ids)
