"""The Mailboxes page's detail pane shows how much of Microsoft Graph's per-mailbox request budget (10,000 in
10 minutes) the engine's session has used, as the engine's RequestBudget events tell it through the bridge, or as
the mailbox's last job stored it."""
from datetime import timedelta

from crmsync_gui.core import events
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.ui.event_bridge import EventBridge
from crmsync_gui.ui.labels import when
from crmsync_gui.ui.pages.mailboxes import MailboxesPage
from tests.ui.test_live_feed_words import italian
from tests.ui.test_mailbox_health import cells, org


def test_the_detail_pane_shows_the_request_budget_the_engine_last_told(qtbot, qapp, db):
    _profile, boxes = org()
    bus = events.EventBus()
    bridge = EventBridge(bus)
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.attach(bridge)
    page.refresh()
    _ann, row = cells(page, "Ann")
    page.table.selectRow(row)
    assert "Microsoft Graph requests" not in page.detail.toPlainText()  # nothing told yet: nothing claimed
    bus.publish(events.RequestBudget(boxes["Ann"].id, 1234, 10_000, 600.0))
    bus.publish(events.RequestBudget(boxes["Bob"].id, 10_000, 10_000, 600.0))
    qtbot.waitUntil(lambda: "1,234 of 10,000 in the last 10 minutes" in page.detail.toPlainText(), timeout=3000)
    qtbot.waitUntil(lambda: len(page.budgets) == 2, timeout=3000)  # the bridge hands over one event a turn
    assert "spent" not in page.detail.toPlainText()
    _bob, row = cells(page, "Bob")
    page.table.selectRow(row)
    assert "Microsoft Graph requests: 10,000 of 10,000" in page.detail.toPlainText()
    assert "The budget is spent" in page.detail.toPlainText()
    with italian(qapp):  # numbers as Italian writes them
        page.show_detail()
        assert "Richieste Microsoft Graph: 10.000 su 10.000" in page.detail.toPlainText()
    bridge.close()


def test_the_detail_pane_shows_the_stored_budget_after_a_restart_and_a_newer_one_told(qtbot, db):
    _profile, boxes = org()
    counted = utcnow() - timedelta(minutes=2)
    Mailbox.update(request_budget_used=9_876, request_budget_limit=10_000, request_budget_window_s=600.0,
                   request_budget_at=counted).where(Mailbox.id == boxes["Ann"].id).execute()
    bus = events.EventBus()
    bridge = EventBridge(bus)
    page = MailboxesPage()  # a console started after the job: no event told it
    qtbot.addWidget(page)
    page.attach(bridge)
    page.refresh()
    _ann, row = cells(page, "Ann")
    page.table.selectRow(row)
    assert f"9,876 of 10,000 in the last 10 minutes (at {when(counted)} UTC)" in page.detail.toPlainText()
    bus.publish(events.RequestBudget(boxes["Ann"].id, 12, 10_000, 600.0))  # the engine counts again
    qtbot.waitUntil(lambda: "12 of 10,000" in page.detail.toPlainText(), timeout=3000)
    assert "9,876" not in page.detail.toPlainText()
    bridge.close()
