"""The dashboard's tiles: failing mailboxes, alerts not acknowledged, paused profiles, each opening its page."""
from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Alert, EmailServerProfile, Mailbox
from crmsync_gui.ui.pages.dashboard import DashboardPage

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def test_tiles_count_what_needs_the_administrator_and_open_its_page(qtbot, db):
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    for name in ("Ann", "Bob"):
        box = admin.add_mailbox(name, f"{name.lower()}@contoso.com", profile)
        admin.set_approval(box, True)
        admin.set_enabled(Mailbox.get_by_id(box.id), True)
    Mailbox.update(incoming_status=codes.DirectionStatus.FAILURE).where(Mailbox.name == "Ann").execute()
    Alert.create(message="3 of 4 mailboxes failed")
    page = DashboardPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.tiles["failing"].text() == "1 mailbox failing or backing off"
    assert page.tiles["alerts"].text() == "1 alert not acknowledged"
    assert page.tiles["paused"].text() == "0 profiles paused (server down)"
    EmailServerProfile.update(paused_at=utcnow()).where(EmailServerProfile.id == profile.id).execute()
    Alert.create(message="4 of 4 mailboxes failed")
    page.refresh()
    assert page.tiles["paused"].text() == "1 profile paused (server down)"
    assert page.tiles["alerts"].text() == "2 alerts not acknowledged"
    with qtbot.waitSignal(page.open_page) as signal:
        page.tiles["alerts"].click()
    assert signal.args == ["Alerts", {}]
