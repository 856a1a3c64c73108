"""Profile alerts raised and traced without an event loop (core/sync/alerts.py)."""
from datetime import datetime, timedelta

from crmsync_gui.core.store.models import Alert, TraceLog
from crmsync_gui.core.sync import alerts
from tests.core.sync.conftest import add_mailbox, add_profile, add_user

NOW = datetime(2026, 3, 1, 9, 0)


def test_an_alert_is_raised_once_an_hour_and_traced_with_why_it_was_not_emailed(db):
    profile = add_profile()
    for name, failed in (("Ann", True), ("Bob", True), ("Cid", False)):
        add_mailbox(profile, name, last_error_at=NOW if failed else None)
    alert, emailed = alerts.raise_if_due(profile.id, NOW)
    assert not emailed and "2 of 3 mailboxes" in alert.message
    assert [t.code for t in TraceLog.select().order_by(TraceLog.id)] == ["AlertRaised", "AlertNotEmailed"]
    assert alerts.raise_if_due(profile.id, NOW + timedelta(minutes=59)) is None
    assert Alert.select().count() == 1


def test_an_alert_with_an_owner_who_can_send_is_emailed(db):
    owner = add_user("Olga")
    profile = add_profile(owner=owner)
    add_mailbox(add_profile("Home"), "Olga", outgoing=True, owner=owner)
    add_mailbox(profile, "Ann", last_error_at=NOW)
    alert, emailed = alerts.raise_if_due(profile.id, NOW)
    assert emailed and alert.emailed_activity_id is not None
    assert not TraceLog.select().where(TraceLog.code == "AlertNotEmailed").exists()
