"""The profile circuit breaker: its rule in memory and the pause it records (core/sync/breaker.py)."""
from datetime import datetime, timedelta

from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.store.models import EmailServerProfile, TraceLog
from crmsync_gui.core.sync import breaker as breakers
from crmsync_gui.core.sync.breaker import ProfileBreaker
from tests.core.sync.conftest import add_mailbox, add_profile, reload

NOW = datetime(2026, 3, 1, 9, 0)


def test_it_opens_when_two_mailboxes_and_over_half_of_the_profile_fail_within_the_window():
    breaker = ProfileBreaker(window_s=600)
    assert not breaker.failed(1, NOW, active_mailboxes=3)
    assert breaker.failed(2, NOW, active_mailboxes=3)
    assert breaker.is_open
    lone = ProfileBreaker(window_s=600)
    assert not lone.failed(1, NOW, active_mailboxes=1) and not lone.failed(1, NOW, active_mailboxes=1)
    old = ProfileBreaker(window_s=600)
    old.failed(1, NOW, active_mailboxes=3)
    assert not old.failed(2, NOW + timedelta(seconds=601), active_mailboxes=3)  # the first one left the window


def test_probes_back_off_doubling_up_to_the_maximum():
    breaker = ProfileBreaker(first_probe_s=30, max_probe_s=100)
    breaker.open(NOW)
    assert not breaker.probe_due(NOW) and breaker.probe_due(NOW + timedelta(seconds=30))
    breaker.probing = True
    breaker.probe_failed(NOW)
    assert breaker.next_probe_at == NOW + timedelta(seconds=60)
    breaker.probe_failed(NOW)
    assert breaker.next_probe_at == NOW + timedelta(seconds=100)


def test_a_pause_is_recorded_on_the_profile_and_resuming_clears_the_outage_failures(db):
    profile = add_profile()
    ann = add_mailbox(profile, "Ann", incoming_transient_failures=3, transient_failure_count=3,
                      incoming_next_run=NOW + timedelta(minutes=5), last_error_at=NOW)
    bob = add_mailbox(profile, "Bob", incoming_transient_failures=1, transient_failure_count=1, last_error_at=NOW)
    breaker = ProfileBreaker()
    breakers.count_recorded_failures(breaker, profile.id, NOW)
    assert set(breaker.failing) == {ann.id, bob.id}  # failures another engine recorded count here too
    breaker.open(NOW)
    reason, _args = breakers.record_pause(profile, breaker, NOW, TransientError("ConnectFailed", "No answer."))
    assert "2 mailboxes of profile 'Contoso' failed at once (last: ConnectFailed)" in reason
    assert EmailServerProfile.get_by_id(profile.id).paused_reason == reason
    assert breakers.paused_profile_ids() == [profile.id]
    breakers.close_and_resume(profile.id, breaker, NOW)
    assert not breaker.is_open and breakers.paused_profile_ids() == []
    stored = reload(ann)
    assert (stored.incoming_transient_failures, stored.transient_failure_count, stored.incoming_next_run) == (0, 0, NOW)
    assert [t.code for t in TraceLog.select().order_by(TraceLog.id)] == ["ProfilePaused", "ProfileResumed"]
