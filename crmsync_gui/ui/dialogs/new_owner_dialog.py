"""A small dialog adding a CRM user or queue (usually they come from the CRM or an Email Router import)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit

from crmsync_gui.core import admin
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.ui.dialogs.common import FieldRow, lay_out_form, save_cancel_buttons


class NewOwnerDialog(QDialog):
    def __init__(self, kind: str, parent=None):
        super().__init__(parent)
        self.kind = kind  # "user" or "queue"
        self.created = None
        self.setObjectName(f"new-{kind}-dialog")
        self.setWindowTitle(self.tr("New user") if kind == "user" else self.tr("New queue"))
        self.name = QLineEdit()
        self.email = QLineEdit()
        self.rows = {"name": FieldRow(self.name), "email": FieldRow(self.email)}
        form = QFormLayout()
        form.addRow(self.tr("Full name") if kind == "user" else self.tr("Name"), self.rows["name"])
        form.addRow(self.tr("Email address"), self.rows["email"])
        self.buttons = save_cancel_buttons(self)
        lay_out_form(self, form, self.buttons, 560)

    def save(self) -> None:
        for row in self.rows.values():
            row.set_reason("")
        if not self.name.text().strip():
            self.rows["name"].set_reason(self.tr("a name is needed"))
            return
        add = admin.add_user if self.kind == "user" else admin.add_queue
        try:
            self.created = add(self.name.text(), self.email.text())
        except ValidationError as exc:
            for key, reason in exc.problems.items():
                self.rows.get(key, self.rows["email"]).set_reason(reason)
            return
        self.accept()
