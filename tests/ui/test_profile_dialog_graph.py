"""The profile editor with Microsoft Graph: the protocol for Exchange profiles (Graph the default for a new
Exchange Online profile), Graph's fields shown in its place of the EWS location, validated and saved."""
from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog
from tests.ui.test_profiles import ok, shown

GRAPH_ROWS = ("graph_url", "oauth_authority", "certificate_thumbprint", "private_key_file")


def pick(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(int(value)))


def test_a_new_exchange_online_profile_is_on_graph_with_graphs_fields(qtbot, db, tmp_path):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.name.setText("Online")
    assert shown(dialog, "protocol") and shown(dialog, "incoming_server") and not shown(dialog, "graph_url")
    pick(dialog.server_type, codes.ServerType.EXCHANGE_ONLINE_HYBRID)
    assert dialog.protocol.currentData() == codes.ExchangeProtocol.GRAPH
    assert not shown(dialog, "incoming_server") and all(shown(dialog, row) for row in GRAPH_ROWS)
    assert "choose OAuth" in dialog.rows["auth_type"].reason.text() and not ok(dialog).isEnabled()
    pick(dialog.auth_type, codes.AuthType.OAUTH)
    dialog.oauth_tenant.setText("contoso.onmicrosoft.com")
    dialog.username.setText("app-client-id")
    dialog.certificate_thumbprint.setText("ab" * 20)
    assert "private key file" in dialog.rows["private_key_file"].reason.text()
    key = tmp_path / "key.pem"
    dialog.private_key_file.setText(str(key))
    assert ok(dialog).isEnabled()
    ok(dialog).click()
    saved = EmailServerProfile.get(EmailServerProfile.name == "Online")
    assert (saved.protocol, saved.certificate_thumbprint, saved.private_key_file, saved.graph_url) == (
        codes.ExchangeProtocol.GRAPH, "ab" * 20, str(key), None)
    again = ProfileDialog(saved)  # and they load back into the editor
    qtbot.addWidget(again)
    assert again.protocol.currentData() == codes.ExchangeProtocol.GRAPH and again.private_key_file.text() == str(key)


def test_pop3_and_imap_profiles_have_no_protocol(qtbot, db):
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    pick(dialog.server_type, codes.ServerType.IMAP_SMTP)
    assert not shown(dialog, "protocol") and not any(shown(dialog, row) for row in GRAPH_ROWS)


def test_an_existing_ews_profile_keeps_its_protocol_when_its_type_changes(qtbot, db):
    profile = admin.save_profile({"name": "Old", "incoming_server": "https://mail.contoso.test/EWS/Exchange.asmx"})
    dialog = ProfileDialog(profile)
    qtbot.addWidget(dialog)
    pick(dialog.server_type, codes.ServerType.EXCHANGE_ONLINE_HYBRID)
    assert dialog.protocol.currentData() == codes.ExchangeProtocol.EWS and shown(dialog, "incoming_server")
