"""What a job's outcome does to its mailbox direction (docs/DOMAIN.md, "Error handling").

Success schedules the next run from how busy the mailbox was. A transient failure retries with
back-off, unless it is part of an outage (the profile's breaker is open, or the job was its probe):
then the mailbox is not blamed and waits for the probe. The `max_transient_failures`-th transient
failure in a row (10 by default) disables the direction, as does any permanent failure.

`success` and `failure` decide, without the store; `record_failure` writes the decision; Test & Enable's
outcome is written by `record_test_success` / `record_test_failure`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crmsync_gui.core import codes, messages
from crmsync_gui.core.domain.direction import COLUMNS
from crmsync_gui.core.errors import SyncError
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import Mailbox, TraceLog
from crmsync_gui.core.sync import schedule, trace
from crmsync_gui.core.sync.work import WorkKind


@dataclass(frozen=True)
class Success:
    next_run: datetime
    idle: int  # cycles in a row with nothing to sync, this one included
    highest_failures: int  # the mailbox's transient failure count once this direction's are cleared


@dataclass(frozen=True)
class Failure:
    fields: dict = field(repr=False)  # the Mailbox columns to write
    code: str  # the trace code: the error's, or TooManyTransientFailures
    message: str
    hint: str
    level: int | None  # None: the trace's default for the code
    disabled: bool
    transient: bool  # the direction will retry on its own
    args: dict | None = None  # the message's arguments when its code has a template (core/messages.py)


def success(mailbox, direction: codes.Direction, items: int, now: datetime, min_polling_minutes: int) -> Success:
    idle_column = COLUMNS[direction].idle
    idle = 0 if items else (getattr(mailbox, idle_column) if idle_column else 0) + 1
    next_run = now + timedelta(seconds=schedule.after_success(items, idle, min_polling_minutes))
    return Success(next_run, idle, highest_other_failures(mailbox, direction))


def failure(mailbox, direction: codes.Direction, kind: WorkKind, error: SyncError, now: datetime, *,
            outage: bool, max_transient_failures: int, outage_retry_s: float, min_polling_minutes: int) -> Failure:
    """`outage`: the profile's breaker is open, so a transient failure is not the mailbox's fault."""
    cols = COLUMNS[direction]
    fields = {cols.status: codes.DirectionStatus.FAILURE, "last_error_code": error.code,
              "last_error_message": str(error), "last_error_at": now}
    disabled = False
    code, level, args = error.code, None, None
    hint = trace.hint_for(error.code, action=error.action, transient=error.transient)
    if error.transient and not kind.reschedules:
        pass  # an admin action; the schedule is untouched
    elif error.transient and (outage or not kind.counts_for_breaker):
        # part of an outage: not the mailbox's fault, not counted
        fields[cols.next_run] = now + timedelta(seconds=outage_retry_s)
    elif error.transient:
        failures = getattr(mailbox, cols.transient_failures) + 1
        if failures >= max_transient_failures:
            disabled = True
            code = "TooManyTransientFailures"
            fields["last_error_code"] = code
            args = {"direction": int(direction), "failures": failures, "error": str(error)}
            fields["last_error_message"] = messages.render(code, args)
            hint = trace.CATALOGUE[code].remediation
        else:
            fields[cols.next_run] = now + timedelta(seconds=schedule.after_transient(
                failures, getattr(error, "retry_after_s", None), min_polling_minutes))
        fields[cols.transient_failures] = 0 if disabled else failures
        fields["transient_failure_count"] = max(failures, highest_other_failures(mailbox, direction))
    else:
        disabled = True
        level = codes.TraceLevel.ERROR
    if disabled:
        fields.update({cols.enabled: False, cols.next_run: None, cols.transient_failures: 0})
    message = fields["last_error_message"] if disabled else str(error)
    return Failure(fields, code, message, hint, level, disabled, error.transient and not disabled, args)


def record_failure(mailbox, direction: codes.Direction, outcome: Failure, now: datetime) -> TraceLog:
    """Write the failure to the mailbox row and the trace log, in one transaction; returns the trace row."""
    with database_proxy.atomic():
        Mailbox.update(outcome.fields).where(Mailbox.id == mailbox.id).execute()
        return trace.record(outcome.code, f"Mailbox '{mailbox.name}', {direction.label.lower()}: {outcome.message}"
                            + (" The direction was disabled." if outcome.disabled else ""),
                            at=now, level=outcome.level, mailbox_id=mailbox.id, profile_id=mailbox.profile_id,
                            remediation=outcome.hint, transient=outcome.transient)


def record_test_success(mailbox, direction: codes.Direction, now: datetime) -> None:
    """Test & Enable passed: the direction is enabled and runs now."""
    cols = COLUMNS[direction]
    with database_proxy.atomic():
        Mailbox.update({cols.status: codes.DirectionStatus.SUCCESS, cols.enabled: True,
                        cols.next_run: now, cols.transient_failures: 0}).where(Mailbox.id == mailbox.id).execute()
        args = {"direction": int(direction), "mailbox": mailbox.name}
        trace.record("TestSucceeded", messages.render("TestSucceeded", args), at=now, mailbox_id=mailbox.id, args=args)


def record_test_failure(mailbox, direction: codes.Direction, error: SyncError, now: datetime) -> None:
    """Test & Enable failed: the direction stays (or becomes) disabled, with the reason."""
    cols = COLUMNS[direction]
    with database_proxy.atomic():
        Mailbox.update({cols.status: codes.DirectionStatus.FAILURE, cols.enabled: False,
                        "last_error_code": error.code, "last_error_message": str(error),
                        "last_error_at": now}).where(Mailbox.id == mailbox.id).execute()
        args = {"direction": int(direction), "mailbox": mailbox.name, "error": str(error)}
        trace.record("TestFailed", messages.render("TestFailed", args), at=now, mailbox_id=mailbox.id,
                     profile_id=mailbox.profile_id, args=args,
                     remediation=trace.hint_for(error.code, action=error.action, transient=error.transient))


def record_server_pause(mailbox, direction: codes.Direction, retry_after_s: float, now: datetime) -> None:
    """The server asked to wait (ServerBackingOff): the mailbox did not fail; only its next run moves."""
    Mailbox.update({COLUMNS[direction].next_run: now + timedelta(seconds=retry_after_s)}).where(
        Mailbox.id == mailbox.id).execute()


def record_budget(mailbox, told) -> None:
    """The request budget a job's connector last told of (events.RequestBudget), kept for the console."""
    Mailbox.update(request_budget_used=told.used, request_budget_limit=told.limit,
                   request_budget_window_s=told.window_s, request_budget_at=told.at).where(
        Mailbox.id == mailbox.id).execute()


def highest_other_failures(mailbox, direction: codes.Direction) -> int:
    return max((getattr(mailbox, c.transient_failures) for d, c in COLUMNS.items() if d != direction), default=0)
