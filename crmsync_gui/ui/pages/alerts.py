"""The Alerts page: alerts raised when a profile's mailboxes fail, acknowledged here."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Alert, EmailServerProfile, Mailbox
from crmsync_gui.ui.labels import code_label, engine_message, when
from crmsync_gui.ui.pages.errors import LEVEL_COLOURS
from crmsync_gui.ui.pages.table_page import TablePage
from crmsync_gui.ui.table_model import Column, LazyTableModel


class AlertTableModel(LazyTableModel):
    columns = (
        Column("created_at", "Raised", sortable=False, width=130),
        Column("level", "Level", sortable=False, width=80),
        Column("message", "Message", sortable=False, stretch=True),
        Column("profile", "Profile", sortable=False),
        Column("mailbox", "Mailbox", sortable=False),
        Column("acknowledged", "Acknowledged", sortable=False),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.include_acknowledged = False
        self.filter_text = ""

    def fetch_ids(self):
        return views.alert_ids(self.include_acknowledged, self.filter_text, engine_message)  # as shown

    def fetch_rows(self, ids):
        rows = {a.id: a for a in Alert.select().where(Alert.id.in_(ids))}
        self.profiles = views.names(EmailServerProfile, EmailServerProfile.name)
        self.mailboxes = views.names(Mailbox, Mailbox.name)
        return rows

    def display(self, a: Alert, key: str) -> str:
        if key == "created_at":
            return when(a.created_at)
        if key == "level":
            return code_label(codes.TraceLevel, a.level)
        if key == "profile":
            return self.profiles.get(a.profile_id, "")
        if key == "mailbox":
            return self.mailboxes.get(a.mailbox_id, "")
        if key == "acknowledged":
            return self.tr("yes") if a.acknowledged else ""
        text = engine_message(a.code, a.args, a.message or "")
        return text.splitlines()[0] if text else ""

    def decorate(self, a: Alert, key: str, role):
        if role == Qt.ItemDataRole.ForegroundRole and key == "level":
            return LEVEL_COLOURS.get(a.level)
        if role == Qt.ItemDataRole.ToolTipRole and key == "message":
            return engine_message(a.code, a.args, a.message or "")
        return None


class AlertsPage(TablePage):
    title = "Alerts"
    icon_name = "tabler/bell"
    empty_text = "No alerts. An alert is raised when many mailboxes of one profile fail within an hour."
    filter_hint = "Filter by message (Ctrl+F)"

    def __init__(self, parent=None):
        super().__init__(AlertTableModel(), parent)
        self.model.setParent(self)
        self.table.setSortingEnabled(False)
        self.add_action("acknowledge", self.tr("Acknowledge"), "Ctrl+K", self.acknowledge)
        self.add_action("profile", self.tr("Open profile"), "Ctrl+P", self.open_profile)
        self.add_action("mailboxes", self.tr("Open mailboxes"), "Ctrl+M", self.open_mailboxes)
        self.show_all = QCheckBox(self.tr("Show acknowledged"))
        self.show_all.toggled.connect(lambda _c: self.refresh())
        self.toolbar.addWidget(self.show_all)
        self.table.doubleClicked.connect(lambda _i: self.open_mailboxes())
        self.update_actions()

    def refresh(self) -> None:
        self.model.include_acknowledged = self.show_all.isChecked()
        self.model.filter_text = self.filter_edit.text()
        self.model.reload()
        self.show_empty(not Alert.select().exists())
        open_count = Alert.select().where(Alert.acknowledged == False).count()  # noqa: E712
        self.count_label.setText(self.tr("%n alert(s) not yet acknowledged", "", open_count))
        self.update_actions()

    def selected_alerts(self) -> list[Alert]:
        ids = self.selected_ids()
        return list(Alert.select().where(Alert.id.in_(ids))) if ids else []

    def update_actions(self) -> None:
        alerts = self.selected_alerts()
        self.actions["acknowledge"].setEnabled(any(not a.acknowledged for a in alerts))
        self.actions["profile"].setEnabled(len(alerts) == 1 and alerts[0].profile_id is not None)
        self.actions["mailboxes"].setEnabled(len(alerts) == 1)

    def acknowledge(self) -> None:
        admin.acknowledge_alerts(self.selected_ids())
        self.refresh()

    def open_profile(self) -> None:
        alerts = self.selected_alerts()
        if len(alerts) == 1 and alerts[0].profile_id:
            self.open_page.emit("Email server profiles", {"profile_id": alerts[0].profile_id})

    def open_mailboxes(self) -> None:
        """The alert's mailbox, or else every mailbox of its profile."""
        alerts = self.selected_alerts()
        if len(alerts) != 1:
            return
        alert = alerts[0]
        if alert.mailbox_id:
            self.open_page.emit("Mailboxes", {"mailbox_id": alert.mailbox_id})
        elif alert.profile_id:
            self.open_page.emit("Mailboxes", {"profile_id": alert.profile_id})
