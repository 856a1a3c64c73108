"""The email server profile editor: every field, validated as you type, the password kept as a secret,
and Test connection, which tests the fields as typed through the core (the console talks to no server)."""
from __future__ import annotations

import asyncio

from PySide6.QtCore import QDateTime, Qt
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
    QProgressBar,
    QPushButton,
    QWidget,
)

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile
from crmsync_gui.core.sync import connection_check
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.common import FieldRow, WrappingLabel, lay_out_form, save_cancel_buttons
from crmsync_gui.ui.labels import code_label, fill_combo, remedy, select_data

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
        self.protocol = QComboBox()
        fill_combo(self.protocol, codes.ExchangeProtocol)
        select_data(self.protocol, int(value("protocol")))
        self.protocol.setToolTip(self.tr("Exchange Online blocks Exchange Web Services by default since October "
                                         "2026 and turns them off in April 2027: use Microsoft Graph there."))
        self.graph_url = QLineEdit(value("graph_url") or "")
        self.graph_url.setPlaceholderText(codes.GRAPH_URL)
        self.graph_url.setToolTip(self.tr("Only for a national cloud (or a test server); empty: the global cloud."))
        self.oauth_authority = QLineEdit(value("oauth_authority") or "")
        self.oauth_authority.setPlaceholderText(codes.GRAPH_AUTHORITY)
        self.oauth_authority.setToolTip(self.tr("The Microsoft identity platform's address; empty: the global "
                                                "cloud's."))
        self.certificate_thumbprint = QLineEdit(value("certificate_thumbprint") or "")
        self.certificate_thumbprint.setPlaceholderText(self.tr("empty: sign in with the client secret (Password)"))
        self.certificate_thumbprint.setToolTip(self.tr("To sign in with a certificate instead of a client secret: "
                                                       "its thumbprint, as Entra shows it under Certificates & "
                                                       "secrets."))
        self.private_key_file = QLineEdit(value("private_key_file") or "")
        self.private_key_file.setPlaceholderText(self.tr("the certificate's private key (PEM file); only its path "
                                                         "is saved"))
        self.oauth_tenant = QLineEdit(value("oauth_tenant") or "")
        self.oauth_tenant.setPlaceholderText(self.tr("tenant ID or domain (contoso.onmicrosoft.com), or a token URL"))
        self.oauth_tenant.setToolTip(self.tr("With OAuth, Sign in as is the app's client ID and Password its "
                                             "client secret."))
        self.incoming_server = QLineEdit(value("incoming_server") or "")
        self.outgoing_server = QLineEdit(value("outgoing_server") or "")
        self.incoming_use_ssl = QCheckBox(self.tr("Use SSL for incoming connections"))
        self.incoming_use_ssl.setChecked(bool(value("incoming_use_ssl")))
        self.outgoing_use_ssl = QCheckBox(self.tr("Use SSL for outgoing connections"))
        self.outgoing_use_ssl.setChecked(bool(value("outgoing_use_ssl")))
        self.incoming_starttls = QCheckBox(self.tr("Connect unencrypted, then switch to SSL (STARTTLS)"))
        self.incoming_starttls.setChecked(bool(value("incoming_starttls")))
        self.outgoing_starttls = QCheckBox(self.tr("Connect unencrypted, then switch to SSL (STARTTLS)"))
        self.outgoing_starttls.setChecked(bool(value("outgoing_starttls")))
        self.leave_email_on_server = QCheckBox(self.tr("Leave email on the server after tracking it"))
        self.leave_email_on_server.setToolTip(self.tr("Off: each email is deleted from the POP3 server once "
                                                      "it has been imported."))
        self.leave_email_on_server.setChecked(bool(value("leave_email_on_server")))
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
            ("protocol", self.tr("Protocol"), self.protocol),
            ("auth_type", self.tr("Authentication"), self.auth_type),
            ("oauth_tenant", self.tr("OAuth tenant"), self.oauth_tenant),
            ("graph_url", self.tr("Microsoft Graph address"), self.graph_url),
            ("oauth_authority", self.tr("Authority"), self.oauth_authority),
            ("certificate_thumbprint", self.tr("Certificate thumbprint"), self.certificate_thumbprint),
            ("private_key_file", self.tr("Private key file"), self.private_key_file),
            ("incoming_server", self.tr("Incoming server location"), self.incoming_server),
            ("incoming_use_ssl", "", self.incoming_use_ssl),
            ("incoming_starttls", "", self.incoming_starttls),
            ("leave_email_on_server", "", self.leave_email_on_server),
            ("outgoing_server", self.tr("Outgoing server location"), self.outgoing_server),
            ("outgoing_use_ssl", "", self.outgoing_use_ssl),
            ("outgoing_starttls", "", self.outgoing_starttls),
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
        self.form = form

        for edit in (self.name, self.oauth_tenant, self.graph_url, self.oauth_authority, self.certificate_thumbprint,
                     self.private_key_file, self.incoming_server, self.outgoing_server,
                     self.max_concurrent_connections,
                     self.min_polling_interval_minutes, self.timeout_ms, self.username, self.trusted_ca_file):
            edit.textChanged.connect(self.validate)
        self.server_type.currentIndexChanged.connect(self.choose_protocol)
        for combo in (self.server_type, self.protocol, self.auth_type):
            combo.currentIndexChanged.connect(self.validate)
        for check in (self.incoming_use_ssl, self.outgoing_use_ssl, self.incoming_starttls, self.outgoing_starttls,
                      self.timeout_enabled, self.process_from_enabled):
            check.toggled.connect(self.validate)

        # Test connection: the fields as typed, for one mailbox, without saving
        self.test_address = QLineEdit()
        self.test_address.setObjectName("test-address")
        self.test_address.setPlaceholderText(self.tr("a mailbox's email address; empty: the Sign in as account"))
        self.test_address.textChanged.connect(self.validate)
        self.test_progress = QProgressBar()
        self.test_progress.setRange(0, 0)  # busy: a test has no steps to count
        self.test_progress.setTextVisible(False)
        self.test_progress.setMaximumWidth(160)
        self.test_progress.hide()
        self.test_result = WrappingLabel()
        self.test_result.setObjectName("test-result")
        self.test_result.setTextInteractionFlags(self.test_result.textInteractionFlags()
                                                 | Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row = QWidget()
        box = QHBoxLayout(test_row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.test_address, 1)
        box.addWidget(self.test_progress)
        form.addRow(self.tr("Test with mailbox"), test_row)
        form.addRow("", self.test_result)
        self.pending: asyncio.Task | None = None

        self.buttons = save_cancel_buttons(self)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.setToolTip(self.tr("Sign in to the mail server with these settings, as typed, for each "
                                            "direction; nothing is saved."))
        self.test_button.clicked.connect(self.toggle_test)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.validate()  # first, so the rows it hides take no room in the dialog's first size
        lay_out_form(self, form, self.buttons, 820)

    def fields(self) -> dict:
        return {
            "name": self.name.text(),
            "server_type": self.server_type.currentData(),
            "auth_type": self.auth_type.currentData(),
            "protocol": self.protocol.currentData(),
            "oauth_tenant": self.oauth_tenant.text().strip() or None,
            "graph_url": self.graph_url.text().strip() or None,
            "oauth_authority": self.oauth_authority.text().strip() or None,
            "certificate_thumbprint": self.certificate_thumbprint.text().strip() or None,
            "private_key_file": self.private_key_file.text().strip() or None,
            "incoming_server": self.incoming_server.text(),
            "outgoing_server": self.outgoing_server.text(),
            "incoming_use_ssl": self.incoming_use_ssl.isChecked(),
            "outgoing_use_ssl": self.outgoing_use_ssl.isChecked(),
            "incoming_starttls": self.incoming_starttls.isChecked(),
            "outgoing_starttls": self.outgoing_starttls.isChecked(),
            "leave_email_on_server": self.leave_email_on_server.isChecked(),
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
        self.show_rows_for_server_type()
        problems = validate_profile(self.fields())
        for key, row in self.rows.items():
            row.set_reason(problems.get(key, ""))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        # a name is not needed to test; a mailbox to sign in to is
        testable = not (set(problems) - {"name"}) and bool(self.test_address.text().strip()
                                                            or self.username.text().strip())
        self.test_button.setEnabled(testable or self.pending is not None)
        return problems

    def choose_protocol(self) -> None:
        """A new profile takes the protocol its server type defaults to (Microsoft Graph for Exchange Online)."""
        if self.profile is None:
            select_data(self.protocol, int(admin.default_protocol(self.server_type.currentData())))

    def show_rows_for_server_type(self) -> None:
        """STARTTLS only for POP3/IMAP/SMTP (and only with SSL on); leaving email on the server only for POP3;
        the protocol for Exchange, and Graph's fields (and no EWS location) with Microsoft Graph; the OAuth
        tenant only with OAuth."""
        server_type = codes.ServerType(self.server_type.currentData())
        internet_mail = not server_type.is_exchange
        graph = server_type.is_exchange and self.protocol.currentData() == codes.ExchangeProtocol.GRAPH
        oauth = self.auth_type.currentData() == codes.AuthType.OAUTH
        for key, shown in (("incoming_starttls", internet_mail), ("outgoing_starttls", internet_mail),
                           ("leave_email_on_server", server_type == codes.ServerType.POP3_SMTP),
                           ("protocol", server_type.is_exchange), ("incoming_server", not graph),
                           ("incoming_use_ssl", not graph), ("graph_url", graph), ("oauth_authority", graph),
                           ("certificate_thumbprint", graph), ("private_key_file", graph),
                           ("oauth_tenant", oauth or graph or bool(self.oauth_tenant.text().strip()))):
            self.form.setRowVisible(self.rows[key], shown)
        self.incoming_starttls.setEnabled(self.incoming_use_ssl.isChecked())
        self.outgoing_starttls.setEnabled(self.outgoing_use_ssl.isChecked())

    # ---- Test connection ------------------------------------------------------------------------

    def toggle_test(self) -> asyncio.Task | None:
        """Start a test, or stop the one running."""
        if self.pending is not None:
            self.pending.cancel()
            return None
        return self.start_test()

    def start_test(self) -> asyncio.Task:
        self.test_result.setText(self.tr("Testing the connection…"))
        self.test_result.setStyleSheet("")
        self.test_progress.show()
        self.test_button.setText(self.tr("Stop test"))
        self.pending = asyncio.ensure_future(self._run_test())
        return self.pending

    def _password(self) -> str | None:
        """The password typed, else the stored one the engine would use for the mailbox tested."""
        if self.password.text():
            return self.password.text()
        return connection_check.stored_password(
            secret_store(), profile_secret_ref=self.profile.secret_ref if self.profile else None,
            username=self.username.text(), address=self.test_address.text())

    async def _run_test(self) -> list:
        results = []
        try:
            results = await connection_check.test_connection(
                self.fields(), password=self._password(), address=self.test_address.text())
            self.show_test_results(results)
        except ValidationError as exc:
            self.show_test_text(str(exc), ok=False)
        except asyncio.CancelledError:
            self.show_test_text(self.tr("Test stopped; nothing was changed."), ok=None)
        finally:
            self.pending = None
            self.test_progress.hide()
            self.test_button.setText(self.tr("Test connection"))
            self.validate()
        return results

    def show_test_results(self, results) -> None:
        lines = []
        for result in results:
            direction = code_label(codes.Direction, result.direction)
            if result.ok:
                lines.append(self.tr("{0}: connected and signed in.").format(direction))
            else:
                lines.append(self.tr("{0}: failed ({1}). {2}\nWhat to do: {3}").format(
                    direction, result.code, result.message, remedy(result.remediation)))
        self.show_test_text("\n".join(lines), ok=all(r.ok for r in results))

    def show_test_text(self, text: str, *, ok: bool | None) -> None:
        self.test_result.setText(text)
        self.test_result.setStyleSheet({True: "color: #1b5e20;", False: "color: #b00020;", None: ""}[ok])

    def reject(self) -> None:
        if self.pending is not None:  # Cancel stops a test still running
            self.pending.cancel()
        super().reject()

    def save(self) -> None:
        fields = self.fields()
        for key in ("max_concurrent_connections", "min_polling_interval_minutes", "timeout_ms"):
            fields[key] = int(fields[key])
        fields["owner"] = CrmUser.get_by_id(fields["owner"]) if fields["owner"] else None
        try:
            saved = admin.save_profile(fields, profile=self.profile, password=self.password.text(),
                                       secrets=secret_store())
        except ValidationError as exc:  # e.g. the name is taken: known only to the store
            for key, reason in exc.problems.items():
                if key in self.rows:
                    self.rows[key].set_reason(reason)
                else:
                    QMessageBox.warning(self, self.tr("Profile not saved"), str(exc))
            return
        self.profile = saved
        self.accept()
