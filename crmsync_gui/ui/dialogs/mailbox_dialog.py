"""The mailbox dialog: every field with its code, the owner, and the reassign confirmation."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
)

from crmsync_gui.core import admin, codes
from crmsync_gui.core.errors import MappingConflict, ValidationError
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.common import FieldRow, lay_out_form, save_cancel_buttons
from crmsync_gui.ui.labels import code_label, fill_combo, select_data, when
from crmsync_gui.ui.resources import icon


class MailboxDialog(QDialog):
    def __init__(self, mailbox: Mailbox | None, parent=None):
        super().__init__(parent)
        self.mailbox = mailbox
        self.setObjectName("mailbox-dialog")
        self.setWindowTitle(self.tr("Mailbox: {0}").format(mailbox.name) if mailbox else self.tr("New mailbox"))
        form = QFormLayout()
        self.rows: dict[str, FieldRow] = {}

        self.name = QLineEdit(mailbox.name if mailbox else "")
        self.email = QLineEdit(mailbox.email if mailbox else "")
        self.owner = QComboBox()
        self.owner.setObjectName("owner")
        # searchable: typing any part of a name or address narrows the list
        self.owner.setEditable(True)
        self.owner.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.owner.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.owner.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.owner.addItem(self.tr("(no owner)"), None)
        mapped = {key: name for key, name in views.owners_with_mailbox().items()
                  if mailbox is None or name != mailbox.name}
        for user in CrmUser.select().order_by(CrmUser.full_name):
            self._add_owner(self.tr("User: {0} <{1}>").format(user.full_name, user.email), f"user:{user.id}", mapped)
        for queue in CrmQueue.select().order_by(CrmQueue.name):
            self._add_owner(self.tr("Queue: {0} <{1}>").format(queue.name, queue.email), f"queue:{queue.id}", mapped)
        if mailbox and mailbox.owner_user_id:
            select_data(self.owner, f"user:{mailbox.owner_user_id}")
        elif mailbox and mailbox.owner_queue_id:
            select_data(self.owner, f"queue:{mailbox.owner_queue_id}")
        self.profile = QComboBox()
        self.profile.addItem(self.tr("(no profile)"), None)
        for profile in EmailServerProfile.select().order_by(EmailServerProfile.name):
            self.profile.addItem(profile.name, profile.id)
        if mailbox:
            select_data(self.profile, mailbox.profile_id)
        self.username = QLineEdit(mailbox.username or "" if mailbox else "")
        self.username.setPlaceholderText(self.tr("only when the profile does not sign in for every mailbox"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        has_secret = bool(mailbox and mailbox.secret_ref)
        self.password.setPlaceholderText(self.tr("unchanged (stored)") if has_secret else self.tr("not set"))
        self.methods = {}
        for key, enum in (("incoming_method", codes.IncomingMethod), ("outgoing_method", codes.OutgoingMethod),
                          ("act_method", codes.ActMethod)):
            combo = QComboBox()
            combo.setObjectName(key)
            fill_combo(combo, enum)
            select_data(combo, int(getattr(mailbox, key)) if mailbox else int(Mailbox._meta.fields[key].default))
            self.methods[key] = combo
        self.forward = QCheckBox(self.tr("This is a forward mailbox"))
        self.forward.setChecked(bool(mailbox and mailbox.is_forward_mailbox))

        for key, label, editor in (
            ("name", self.tr("Name"), self.name),
            ("email", self.tr("Email address"), self.email),
            ("owner", self.tr("Owner (user or queue)"), self.owner),
            ("profile", self.tr("Email server profile"), self.profile),
            ("username", self.tr("Sign-in name"), self.username),
            ("password", self.tr("Password"), self.password),
            ("incoming_method", self.tr("Incoming email"), self.methods["incoming_method"]),
            ("outgoing_method", self.tr("Outgoing email"), self.methods["outgoing_method"]),
            ("act_method", self.tr("Appointments, contacts and tasks"), self.methods["act_method"]),
        ):
            self.rows[key] = FieldRow(editor)
            form.addRow(label, self.rows[key])
        form.addRow("", self.forward)

        # read-only state, with codes, as the engine records it
        if mailbox:
            form.addRow(self.tr("Approval"), QLabel(self._coded(codes.Approval, mailbox.approval)))
            for key, label in (("incoming_status", self.tr("Incoming status")),
                               ("outgoing_status", self.tr("Outgoing status")),
                               ("act_status", self.tr("ACT status"))):
                form.addRow(label, QLabel(self._coded(codes.DirectionStatus, getattr(mailbox, key))))
            enabled = [name for name, on in ((self.tr("incoming"), mailbox.incoming_enabled),
                                             (self.tr("outgoing"), mailbox.outgoing_enabled),
                                             (self.tr("ACT"), mailbox.act_enabled)) if on]
            form.addRow(self.tr("Enabled for"), QLabel(", ".join(enabled) or self.tr("nothing")))
            form.addRow(self.tr("Last sync"), QLabel(when(mailbox.last_sync_at) or self.tr("never")))
            if mailbox.last_error_code:
                error = QLabel(f"{mailbox.last_error_code}: {mailbox.last_error_message}")
                error.setWordWrap(True)
                form.addRow(self.tr("Last error"), error)

        self.buttons = save_cancel_buttons(self)
        lay_out_form(self, form, self.buttons, 720)

    def _add_owner(self, text: str, key: str, mapped: dict[str, str]) -> None:
        """An owner in the picker; one that has another mailbox is marked, with that mailbox in its tooltip."""
        self.owner.addItem(text, key)
        if key in mapped:
            index = self.owner.count() - 1
            self.owner.setItemIcon(index, icon("tabler/mail"))
            self.owner.setItemData(index, self.tr("Has the mailbox '{0}' already; choosing it here moves the "
                                                  "mapping (you are asked first)").format(mapped[key]),
                                   Qt.ItemDataRole.ToolTipRole)

    @staticmethod
    def _coded(enum, value) -> str:
        return f"{code_label(enum, value)} ({int(value)})"

    def fields(self) -> dict:
        profile_id = self.profile.currentData()
        return {
            "name": self.name.text(),
            "email": self.email.text(),
            "profile": EmailServerProfile.get_by_id(profile_id) if profile_id else None,
            "username": self.username.text().strip() or None,
            "incoming_method": self.methods["incoming_method"].currentData(),
            "outgoing_method": self.methods["outgoing_method"].currentData(),
            "act_method": self.methods["act_method"].currentData(),
            "is_forward_mailbox": self.forward.isChecked(),
        }

    def chosen_owner(self):
        if self.owner.currentText() != self.owner.itemText(self.owner.currentIndex()):
            raise ValidationError({"owner": "choose an owner from the list (type part of a name to find one)"})
        data = self.owner.currentData()
        if data is None:
            return None
        kind, _, owner_id = data.partition(":")
        return (CrmUser if kind == "user" else CrmQueue).get_by_id(int(owner_id))

    def save(self) -> None:
        """Save; when the owner has another mailbox, ask first. No changes nothing and keeps the dialog open."""
        for row in self.rows.values():
            row.set_reason("")
        try:
            owner = self.chosen_owner()
            try:
                saved = admin.save_mailbox(self.fields(), mailbox=self.mailbox, owner=owner,
                                           password=self.password.text(), secrets=secret_store())
            except MappingConflict as conflict:
                if not self.confirm_reassign(conflict, owner):
                    return
                saved = admin.save_mailbox(self.fields(), mailbox=self.mailbox, owner=owner, confirm=True,
                                           password=self.password.text(), secrets=secret_store())
        except ValidationError as exc:
            for key, reason in exc.problems.items():
                if key in self.rows:
                    self.rows[key].set_reason(reason)
            return
        self.mailbox = saved
        self.accept()

    def confirm_reassign(self, conflict: MappingConflict, owner) -> bool:
        """Ask, saying what else follows: who is left without a mailbox, what the next sync removes and creates."""
        from crmsync_gui.core.admin.exchange_changes import of_ownership
        from crmsync_gui.core.admin.removal import reassignment_of
        from crmsync_gui.ui.dialogs.delete import consequence_text
        from crmsync_gui.ui.dialogs.dry_run import dry_run_lines

        act_syncs = self.fields().get("act_method") == codes.ActMethod.SERVER_SIDE_SYNC
        follows = "".join(f"\n• {consequence_text(c)}" for c in reassignment_of(self.mailbox, owner, act_syncs))
        changes = of_ownership(self.mailbox, owner, act_syncs)  # the dry run: which items, by name
        if not changes.nothing:
            follows += "".join(f"\n   {line}" for line in dry_run_lines(changes))
        answer = QMessageBox.question(
            self, self.tr("Reassign mailbox?"),
            self.tr("{0} is already mapped to the mailbox '{1}'.\n\nYes: break that mapping and map it to "
                    "'{2}' instead.\nNo: change nothing.").format(
                conflict.owner_label, conflict.current_mailbox, conflict.new_mailbox)
            + (("\n\n" + self.tr("What else follows:") + follows) if follows else ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
