"""The email server profile editor: every field, validated as you type, the password kept as a secret."""
from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.common import FieldRow
from crmsync_gui.ui.labels import fill_combo, select_data

DEFAULTS = {name: field.default for name, field in EmailServerProfile._meta.fields.items()
            if name in admin.PROFILE_FIELDS}


class ProfileDialog(QDialog):
    def __init__(self, profile: EmailServerProfile | None, parent=None):
        super().__init__(parent)
        self.profile = profile
        self.setObjectName("profile-dialog")
        self.setWindowTitle(self.tr("Email server profile: {0}").format(profile.name) if profile
                            else self.tr("New email server profile"))
        value = (lambda key: getattr(profile, key)) if profile else DEFAULTS.get
        self.rows: dict[str, FieldRow] = {}
        form = QFormLayout()

        self.name = QLineEdit(value("name") or "")
        self.server_type = QComboBox()
        fill_combo(self.server_type, codes.ServerType)
        select_data(self.server_type, int(value("server_type")))
        self.auth_type = QComboBox()
        fill_combo(self.auth_type, codes.AuthType)
        select_data(self.auth_type, int(value("auth_type")))
        self.incoming_server = QLineEdit(value("incoming_server") or "")
        self.outgoing_server = QLineEdit(value("outgoing_server") or "")
        self.incoming_use_ssl = QCheckBox(self.tr("Use SSL for incoming connections"))
        self.incoming_use_ssl.setChecked(bool(value("incoming_use_ssl")))
        self.outgoing_use_ssl = QCheckBox(self.tr("Use SSL for outgoing connections"))
        self.outgoing_use_ssl.setChecked(bool(value("outgoing_use_ssl")))
        self.trusted_ca_file = QLineEdit(value("trusted_ca_file") or "")
        self.trusted_ca_file.setPlaceholderText(self.tr("only for a private certificate authority (PEM file)"))
        self.username = QLineEdit(value("username") or "")
        self.username.setPlaceholderText(self.tr("empty: each mailbox signs in with its own credentials"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("unchanged (stored)") if profile and profile.secret_ref
                                         else self.tr("not set"))
        self.max_concurrent_connections = QLineEdit(str(value("max_concurrent_connections")))
        self.min_polling_interval_minutes = QLineEdit(str(value("min_polling_interval_minutes")))
        self.timeout_enabled = QCheckBox(self.tr("Time out slow requests"))
        self.timeout_enabled.setChecked(bool(value("timeout_enabled")))
        self.timeout_ms = QLineEdit(str(value("timeout_ms")))
        self.process_from_enabled = QCheckBox(self.tr("Only email received after"))
        self.process_email_from = QDateTimeEdit()
        self.process_email_from.setCalendarPopup(True)
        self.process_email_from.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")  # the store keeps naive UTC
        start = value("process_email_from")
        self.process_from_enabled.setChecked(start is not None)
        self.process_email_from.setDateTime(QDateTime(start or utcnow()))
        self.move_failed_to_undeliverable = QCheckBox(self.tr("Move failed incoming email to an Undeliverable folder"))
        self.move_failed_to_undeliverable.setChecked(bool(value("move_failed_to_undeliverable")))
        self.alerts_enabled = QCheckBox(self.tr("Alert the owner when more than half the mailboxes fail within an hour"))
        self.alerts_enabled.setChecked(bool(value("alerts_enabled")))
        self.owner = QComboBox()
        self.owner.addItem(self.tr("(nobody)"), None)
        for user in CrmUser.select().order_by(CrmUser.full_name):
            self.owner.addItem(f"{user.full_name} <{user.email}>", user.id)
        select_data(self.owner, profile.owner_id if profile else None)

        process_from = QWidget()
        box = QHBoxLayout(process_from)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.process_from_enabled)
        box.addWidget(self.process_email_from, 1)
        for key, label, editor in (
            ("name", self.tr("Name"), self.name),
            ("server_type", self.tr("Server type"), self.server_type),
            ("auth_type", self.tr("Authentication"), self.auth_type),
            ("incoming_server", self.tr("Incoming server location"), self.incoming_server),
            ("incoming_use_ssl", "", self.incoming_use_ssl),
            ("outgoing_server", self.tr("Outgoing server location"), self.outgoing_server),
            ("outgoing_use_ssl", "", self.outgoing_use_ssl),
            ("trusted_ca_file", self.tr("Trusted CA file"), self.trusted_ca_file),
            ("username", self.tr("Sign in as"), self.username),
            ("password", self.tr("Password"), self.password),
            ("max_concurrent_connections", self.tr("Max concurrent connections"), self.max_concurrent_connections),
            ("min_polling_interval_minutes", self.tr("Minimum polling interval (minutes)"),
             self.min_polling_interval_minutes),
            ("timeout_enabled", "", self.timeout_enabled),
            ("timeout_ms", self.tr("Timeout (milliseconds)"), self.timeout_ms),
            ("process_email_from", self.tr("Process email from"), process_from),
            ("move_failed_to_undeliverable", "", self.move_failed_to_undeliverable),
            ("alerts_enabled", self.tr("Alerts"), self.alerts_enabled),
            ("owner", self.tr("Owner (gets the alerts)"), self.owner),
        ):
            self.rows[key] = FieldRow(editor)
            form.addRow(label, self.rows[key])

        for edit in (self.name, self.incoming_server, self.outgoing_server, self.max_concurrent_connections,
                     self.min_polling_interval_minutes, self.timeout_ms, self.username, self.trusted_ca_file):
            edit.textChanged.connect(self.validate)
        for combo in (self.server_type, self.auth_type):
            combo.currentIndexChanged.connect(self.validate)
        for check in (self.incoming_use_ssl, self.timeout_enabled, self.process_from_enabled):
            check.toggled.connect(self.validate)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setEnabled(False)
        self.test_button.setToolTip(self.tr("Needs the sync engine, which is not running in this console."))
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(820, self.sizeHint().height())
        self.validate()

    def fields(self) -> dict:
        return {
            "name": self.name.text(),
            "server_type": self.server_type.currentData(),
            "auth_type": self.auth_type.currentData(),
            "incoming_server": self.incoming_server.text(),
            "outgoing_server": self.outgoing_server.text(),
            "incoming_use_ssl": self.incoming_use_ssl.isChecked(),
            "outgoing_use_ssl": self.outgoing_use_ssl.isChecked(),
            "trusted_ca_file": self.trusted_ca_file.text().strip() or None,
            "username": self.username.text().strip() or None,
            "max_concurrent_connections": self.max_concurrent_connections.text().strip(),
            "min_polling_interval_minutes": self.min_polling_interval_minutes.text().strip(),
            "timeout_enabled": self.timeout_enabled.isChecked(),
            "timeout_ms": self.timeout_ms.text().strip(),
            "process_email_from": (self.process_email_from.dateTime().toPython()
                                   if self.process_from_enabled.isChecked() else None),
            "move_failed_to_undeliverable": self.move_failed_to_undeliverable.isChecked(),
            "alerts_enabled": self.alerts_enabled.isChecked(),
            "owner": self.owner.currentData(),
        }

    def validate(self) -> dict[str, str]:
        """Show each field's reason beside it; OK is enabled only when there is none."""
        self.timeout_ms.setEnabled(self.timeout_enabled.isChecked())
        self.process_email_from.setEnabled(self.process_from_enabled.isChecked())
        problems = validate_profile(self.fields())
        for key, row in self.rows.items():
            row.set_reason(problems.get(key, ""))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        return problems

    def save(self) -> None:
        fields = self.fields()
        for key in ("max_concurrent_connections", "min_polling_interval_minutes", "timeout_ms"):
            fields[key] = int(fields[key])
        fields["owner"] = CrmUser.get_by_id(fields["owner"]) if fields["owner"] else None
        try:
            saved = admin.save_profile(fields, profile=self.profile)
        except ValidationError as exc:  # e.g. the name is taken: known only to the store
            for key, reason in exc.problems.items():
                if key in self.rows:
                    self.rows[key].set_reason(reason)
                else:
                    QMessageBox.warning(self, self.tr("Profile not saved"), str(exc))
            return
        if self.password.text():
            saved.secret_ref = secret_store().put(self.password.text(), saved.secret_ref)
            saved.save()
        self.profile = saved
        self.accept()
