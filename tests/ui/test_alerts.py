"""The Alerts page: list, acknowledge, jump to the profile or the mailboxes concerned."""
from datetime import datetime, timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import Alert
from crmsync_gui.ui.pages.alerts import AlertsPage, AlertTableModel


@pytest.fixture
def alerts(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    box = admin.add_mailbox("Ann", "ann@example.com", profile)
    base = datetime(2026, 3, 1)
    a = Alert.create(level=codes.TraceLevel.ERROR, message="More than half of Exchange's mailboxes failed\nin 1 h",
                     profile=profile, created_at=base)
    b = Alert.create(message="Mailbox Ann was disabled after 10 transient failures", mailbox=box,
                     created_at=base + timedelta(hours=1))
    return profile, box, a, b


def test_model_passes_the_model_tester(qtmodeltester, alerts):
    model = AlertTableModel()
    model.reload()
    qtmodeltester.check(model)
    assert model.data(model.index(0, 2)) == "Mailbox Ann was disabled after 10 transient failures"
    assert model.data(model.index(1, 3)) == "Exchange" and model.data(model.index(1, 1)) == "Error"


def test_acknowledge_hides_and_show_acknowledged_brings_back(qtbot, alerts):
    page = AlertsPage()
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 2 and page.count_label.text() == "2 alerts not yet acknowledged"
    page.table.selectRow(0)
    page.actions["acknowledge"].trigger()
    assert page.model.rowCount() == 1 and Alert.get_by_id(alerts[3].id).acknowledged
    page.show_all.setChecked(True)
    assert page.model.rowCount() == 2 and page.model.data(page.model.index(0, 5)) == "yes"


def test_jumps_to_profile_and_mailboxes(qtbot, alerts):
    profile, box, _, _ = alerts
    page = AlertsPage()
    qtbot.addWidget(page)
    page.refresh()
    page.table.selectRow(1)  # the profile alert
    with qtbot.waitSignal(page.open_page) as signal:
        page.actions["profile"].trigger()
    assert signal.args == ["Email server profiles", {"profile_id": profile.id}]
    with qtbot.waitSignal(page.open_page) as signal:
        page.actions["mailboxes"].trigger()
    assert signal.args == ["Mailboxes", {"profile_id": profile.id}]
    page.table.selectRow(0)
    assert not page.actions["profile"].isEnabled()
    with qtbot.waitSignal(page.open_page) as signal:
        page.actions["mailboxes"].trigger()
    assert signal.args == ["Mailboxes", {"mailbox_id": box.id}]
