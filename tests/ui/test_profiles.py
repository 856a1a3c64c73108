"""The profiles page and the profile editor: validation as you type, password kept as a secret."""
import json

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog
from crmsync_gui.ui.pages.profiles import ProfilesPage, ProfileTableModel

EWS = "https://mail.example.com/EWS/Exchange.asmx"


@pytest.fixture
def profiles(db):
    admin.add_user("Ann Lee", "ann@example.com")
    a = admin.save_profile({"name": "Exchange", "incoming_server": EWS, "username": "svc"})
    b = admin.save_profile({"name": "IMAP", "server_type": codes.ServerType.IMAP_SMTP,
                            "incoming_server": "imap.example.com:993", "outgoing_server": "smtp.example.com:465"})
    m = admin.add_mailbox("A", "a@example.com", a)
    assert m
    return a, b


def test_model_passes_the_model_tester(qtmodeltester, profiles):
    model = ProfileTableModel()
    model.reload()
    qtmodeltester.check(model)
    keys = [c.key for c in model.columns]
    assert model.data(model.index(0, keys.index("mailboxes"))) == "1"
    assert model.data(model.index(1, keys.index("server_type"))) == "IMAP/SMTP"
    assert model.data(model.index(0, keys.index("secret"))) == "svc (no password)"


def ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_validation_as_you_type_shows_each_reason_beside_its_field(qtbot, db):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.rows["name"].reason.text() == "a profile needs a name"
    assert not ok(dialog).isEnabled()
    qtbot.keyClicks(dialog.name, "Main")
    assert dialog.rows["name"].reason.text() == ""
    qtbot.keyClicks(dialog.incoming_server, "mail.example.com")
    assert "is not an EWS URL" in dialog.rows["incoming_server"].reason.text()
    dialog.incoming_server.setText(EWS)
    dialog.max_concurrent_connections.setText("500")
    assert "between 1 and 300" in dialog.rows["max_concurrent_connections"].reason.text()
    dialog.max_concurrent_connections.setText("abc")
    assert "whole number" in dialog.rows["max_concurrent_connections"].reason.text()
    dialog.max_concurrent_connections.setText("20")
    dialog.timeout_ms.setText("200000")
    assert "timeout" in dialog.rows["timeout_ms"].reason.text()
    dialog.timeout_enabled.setChecked(False)  # no timeout: its value no longer matters
    assert dialog.rows["timeout_ms"].reason.text() == "" and ok(dialog).isEnabled()
    dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.POP3_SMTP)))
    assert "need an SMTP server" in dialog.rows["outgoing_server"].reason.text()
    assert not ok(dialog).isEnabled()


def test_the_reasons_beside_the_fields_are_italian_under_italian(qtbot, qapp, db):
    """The core's reasons carry their code and arguments (messages.Reason): the dialog says them in the
    administrator's language, numbers as Italian writes them; the CLI and the core keep the English."""
    from crmsync_gui.core.domain.profile import validate_profile
    from tests.ui.test_live_feed_words import italian

    assert validate_profile({"timeout_ms": 200_000})["timeout_ms"] == (
        "the request timeout, in milliseconds must be between 1 and 100,000; 200,000 is out of range")
    with italian(qapp):
        dialog = ProfileDialog(None)
        qtbot.addWidget(dialog)
        assert dialog.rows["name"].reason.text() == "un profilo ha bisogno di un nome"
        dialog.timeout_ms.setText("200000")
        assert dialog.rows["timeout_ms"].reason.text() == (
            "il timeout delle richieste, in millisecondi deve essere tra 1 e 100.000; 200.000 è fuori intervallo")
        dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.POP3_SMTP)))
        dialog.incoming_server.setText("pop.contoso.com:110")
        assert dialog.rows["incoming_starttls"].reason.text() == (
            "la porta 110 accetta una connessione non cifrata: attivare STARTTLS per cifrarla, o usare la porta "
            "995 per SSL")
        dialog.outgoing_server.setText("smtp.contoso.com:465")
        dialog.outgoing_use_ssl.setChecked(False)
        assert dialog.rows["outgoing_use_ssl"].reason.text() == (
            "la porta 465 è la porta SSL di SMTP: attivare Usa SSL e disattivare STARTTLS, o usare la porta 25 o 587")


def test_saving_every_field_and_the_password_as_a_secret(qtbot, db, tmp_path):
    admin.add_user("Ann Lee", "ann@example.com")
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("IMAP")
    dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.IMAP_SMTP)))
    dialog.auth_type.setCurrentIndex(dialog.auth_type.findData(int(codes.AuthType.BASIC)))
    dialog.incoming_server.setText("imap.example.com:993")
    dialog.outgoing_server.setText("smtp.example.com:25")
    dialog.outgoing_use_ssl.setChecked(False)
    dialog.trusted_ca_file.setText("/etc/ssl/private-ca.pem")
    dialog.username.setText("svc")
    dialog.password.setText("hunter2!")
    dialog.max_concurrent_connections.setText("5")
    dialog.min_polling_interval_minutes.setText("15")
    dialog.timeout_ms.setText("30000")
    dialog.process_from_enabled.setChecked(True)
    dialog.move_failed_to_undeliverable.setChecked(True)
    dialog.alerts_enabled.setChecked(False)
    dialog.owner.setCurrentIndex(1)
    ok(dialog).click()
    p = EmailServerProfile.get(EmailServerProfile.name == "IMAP")
    assert (p.server_type, p.auth_type) == (codes.ServerType.IMAP_SMTP, codes.AuthType.BASIC)
    assert (p.incoming_server, p.outgoing_server, p.outgoing_use_ssl) == ("imap.example.com:993", "smtp.example.com:25", False)
    assert (p.max_concurrent_connections, p.min_polling_interval_minutes, p.timeout_ms) == (5, 15, 30000)
    assert p.process_email_from is not None and p.move_failed_to_undeliverable and not p.alerts_enabled
    assert p.owner.full_name == "Ann Lee" and p.trusted_ca_file == "/etc/ssl/private-ca.pem"
    assert secret_store().get(p.secret_ref) == "hunter2!"
    dump = json.dumps([list(r) for r in EmailServerProfile.select().tuples()], default=str)
    assert "hunter2" not in dump


def test_a_taken_name_is_refused_beside_the_name(qtbot, profiles):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Exchange")
    dialog.incoming_server.setText(EWS)
    ok(dialog).click()
    assert "already exists" in dialog.rows["name"].reason.text()
    assert EmailServerProfile.select().count() == 2


def test_page_lists_edits_and_jumps_to_mailboxes(qtbot, profiles):
    page = ProfilesPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.count_label.text() == "2 of 2 profiles"
    page.table.selectRow(0)
    with qtbot.waitSignal(page.open_page) as signal:
        page.actions["mailboxes"].trigger()
    assert signal.args == ["Mailboxes", {"profile_id": profiles[0].id}]


def shown(dialog, key):
    return not dialog.rows[key].isHidden()


def test_starttls_and_leave_on_server_show_only_where_they_apply_and_are_checked_as_you_type(qtbot, db):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    keys = ("incoming_starttls", "outgoing_starttls", "leave_email_on_server")
    assert [shown(dialog, k) for k in keys] == [False, False, False]  # Exchange: EWS is HTTPS
    dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.IMAP_SMTP)))
    assert [shown(dialog, k) for k in keys] == [True, True, False]
    dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.POP3_SMTP)))
    assert [shown(dialog, k) for k in keys] == [True, True, True]
    dialog.name.setText("Mail")
    dialog.incoming_server.setText("pop.example.com:110")  # the plain port with SSL from the first byte
    assert "turn STARTTLS on" in dialog.rows["incoming_starttls"].reason.text() and not ok(dialog).isEnabled()
    dialog.incoming_starttls.setChecked(True)
    assert dialog.rows["incoming_starttls"].reason.text() == ""
    dialog.outgoing_server.setText("smtp.example.com:587")
    assert "port 587 takes a plain connection" in dialog.rows["outgoing_starttls"].reason.text()
    dialog.outgoing_starttls.setChecked(True)
    assert ok(dialog).isEnabled()
    dialog.incoming_use_ssl.setChecked(False)  # no SSL: STARTTLS has no meaning, so it cannot be changed
    assert not dialog.incoming_starttls.isEnabled() and dialog.outgoing_starttls.isEnabled()
    dialog.incoming_use_ssl.setChecked(True)
    dialog.leave_email_on_server.setChecked(False)
    ok(dialog).click()
    p = EmailServerProfile.get(EmailServerProfile.name == "Mail")
    assert (p.incoming_starttls, p.outgoing_starttls, p.leave_email_on_server) == (True, True, False)
    again = ProfileDialog(p)  # and they load back into the editor
    qtbot.addWidget(again)
    assert again.incoming_starttls.isChecked() and not again.leave_email_on_server.isChecked()


def test_the_oauth_tenant_shows_with_oauth_and_is_checked_and_saved(qtbot, db):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Online")
    dialog.incoming_server.setText(EWS)
    assert not shown(dialog, "oauth_tenant") and ok(dialog).isEnabled()
    dialog.auth_type.setCurrentIndex(dialog.auth_type.findData(int(codes.AuthType.OAUTH)))
    assert shown(dialog, "oauth_tenant") and "give the tenant ID" in dialog.rows["oauth_tenant"].reason.text()
    dialog.oauth_tenant.setText("contoso.onmicrosoft.com")
    dialog.username.setText("app-client-id")
    assert dialog.rows["oauth_tenant"].reason.text() == "" and ok(dialog).isEnabled()
    ok(dialog).click()
    assert EmailServerProfile.get(EmailServerProfile.name == "Online").oauth_tenant == "contoso.onmicrosoft.com"
