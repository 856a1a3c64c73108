"""What a job's outcome does to its direction, decided without an event loop (core/sync/outcomes.py)."""
from datetime import datetime, timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import Mailbox, TraceLog
from crmsync_gui.core.sync import outcomes, schedule
from crmsync_gui.core.sync.work import WorkKind
from tests.core.sync.conftest import add_mailbox, add_profile, reload

D = codes.Direction
NOW = datetime(2026, 3, 1, 9, 0)
BUSY = TransientError("ServerBusy", "The server is busy.")


def decide(mailbox, error, kind=WorkKind.SYNC, direction=D.INCOMING, outage=False, max_failures=10):
    return outcomes.failure(mailbox, direction, kind, error, NOW, outage=outage, max_transient_failures=max_failures,
                            outage_retry_s=30, min_polling_minutes=0)


def test_success_schedules_from_how_busy_the_direction_was():
    mailbox = Mailbox(no_email_count=2, act_idle_count=5, outgoing_transient_failures=3)
    busy = outcomes.success(mailbox, D.INCOMING, items=4, now=NOW, min_polling_minutes=0)
    assert (busy.idle, busy.next_run) == (0, NOW + timedelta(seconds=schedule.BUSY_S))
    idle = outcomes.success(mailbox, D.ACT, items=0, now=NOW, min_polling_minutes=0)
    assert idle.idle == 6
    assert outcomes.success(mailbox, D.OUTGOING, items=0, now=NOW, min_polling_minutes=0).idle == 1
    assert busy.highest_failures == 3  # outgoing's failures still count once incoming's are cleared


def test_a_transient_failure_is_counted_and_retried_with_back_off():
    outcome = decide(Mailbox(incoming_transient_failures=2), BUSY)
    assert not outcome.disabled and outcome.transient and outcome.code == "ServerBusy"
    assert outcome.fields["incoming_transient_failures"] == 3
    assert outcome.fields["incoming_next_run"] == NOW + timedelta(seconds=schedule.after_transient(3, None))
    assert outcome.fields["transient_failure_count"] == 3


def test_the_tenth_transient_failure_in_a_row_disables_the_direction():
    outcome = decide(Mailbox(incoming_transient_failures=9), BUSY)
    assert outcome.disabled and not outcome.transient
    assert outcome.code == "TooManyTransientFailures"
    assert outcome.message.startswith("Failed 10 times in a row (incoming email)")
    assert outcome.fields["incoming_enabled"] is False and outcome.fields["incoming_next_run"] is None
    assert outcome.fields["incoming_transient_failures"] == 0
    assert not decide(Mailbox(incoming_transient_failures=9), BUSY, max_failures=11).disabled


def test_a_permanent_failure_disables_at_once_as_an_error():
    outcome = decide(Mailbox(), PermanentError("AuthFailed", "The password was refused."))
    assert outcome.disabled and outcome.level == codes.TraceLevel.ERROR
    assert outcome.fields["incoming_enabled"] is False


def test_during_an_outage_or_on_a_probe_the_mailbox_is_not_blamed():
    for outcome in (decide(Mailbox(incoming_transient_failures=9), BUSY, outage=True),
                    decide(Mailbox(incoming_transient_failures=9), BUSY, kind=WorkKind.PROBE)):
        assert not outcome.disabled
        assert "incoming_transient_failures" not in outcome.fields
        assert outcome.fields["incoming_next_run"] == NOW + timedelta(seconds=30)


def test_a_failed_track_now_leaves_the_schedule_alone():
    outcome = decide(Mailbox(incoming_transient_failures=9), BUSY, kind=WorkKind.TRACK)
    assert set(outcome.fields) == {"incoming_status", "last_error_code", "last_error_message", "last_error_at"}


def test_record_failure_writes_the_row_and_traces_it_in_one_go(db):
    mailbox = add_mailbox(add_profile(), "Ann", outgoing=True, outgoing_transient_failures=9)
    outcome = decide(mailbox, BUSY, direction=D.OUTGOING)
    row = outcomes.record_failure(mailbox, D.OUTGOING, outcome, NOW)
    stored = reload(mailbox)
    assert not stored.outgoing_enabled and stored.last_error_code == "TooManyTransientFailures"
    assert row.code == "TooManyTransientFailures" and "The direction was disabled." in row.message
    assert TraceLog.select().count() == 1


def test_the_policy_each_kind_of_work_carries():
    policy = {kind: (kind.one_at_a_time, kind.on_async_queue, kind.takes_lease, kind.reschedules,
                     kind.counts_for_breaker) for kind in WorkKind}
    assert policy == {WorkKind.SYNC: (True, False, True, True, True),
                      WorkKind.PROBE: (True, False, True, True, False),
                      WorkKind.TEST: (False, True, False, False, False),
                      WorkKind.TRACK: (False, True, False, False, False)}
