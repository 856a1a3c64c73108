"""The trace log (error browser): stable codes, a remediation hint for every error, collation of repeats.

A repeat of one code about one record updates its row (count, last time, latest text) instead of
adding rows, so a storm of the same failure stays one line an administrator can read.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from crmsync_gui.core import codes, messages
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import Alert, OrganizationSettings, SyncedHour, TraceLog, UnreadableEmail

INFO, WARNING, ERROR = codes.TraceLevel.INFORMATION, codes.TraceLevel.WARNING, codes.TraceLevel.ERROR
# every trace row also goes to this log with its code (record.trace_code): the service's journal lines
# (crmsync_gui/service_log.py); nothing is printed where no one set up a handler
log = logging.getLogger("crmsync.trace")
log.addHandler(logging.NullHandler())
LOG_LEVELS = {INFO: logging.INFO, WARNING: logging.WARNING, ERROR: logging.ERROR}


@dataclass(frozen=True)
class TraceCode:
    level: codes.TraceLevel
    remediation: str


# Stable codes: connectors raise the protocol ones, the engine records its own. Never rename one.
CATALOGUE: dict[str, TraceCode] = {
    # connector errors (core.errors.TransientError / PermanentError codes)
    "AuthenticationFailed": TraceCode(ERROR, "Check the user name and password of the profile or mailbox "
                                             "(and the authentication type), then run Test & Enable."),
    "MailboxNotFound": TraceCode(ERROR, "Check the mailbox's email address on the mail server, then run Test & Enable."),
    "AccessDenied": TraceCode(ERROR, "Give the profile's account access (impersonation) to this mailbox, "
                                     "then run Test & Enable."),
    "BadConfiguration": TraceCode(ERROR, "Correct the email server profile (server location, SSL, port), "
                                         "then run Test & Enable."),
    "CertificateInvalid": TraceCode(ERROR, "Install a valid certificate on the mail server, or set the profile's "
                                           "trusted CA file to the private CA that issued it."),
    "NoConnector": TraceCode(ERROR, "Choose a server type this installation supports for the profile."),
    "ConnectionFailed": TraceCode(WARNING, "Nothing to do if it passes; otherwise check that the mail server is "
                                           "running and reachable from this computer."),
    "ConnectionDropped": TraceCode(WARNING, "Nothing to do if it passes; otherwise check the network and any proxy "
                                            "or load balancer between this computer and the mail server."),
    "Timeout": TraceCode(WARNING, "Nothing to do if it passes; otherwise raise the profile's request timeout "
                                  "or check the mail server's load."),
    "ErrorServerBusy": TraceCode(WARNING, "The mail server asked for a pause; the engine waits as asked. "
                                          "Lower the profile's maximum connections if it persists."),
    "ServerError": TraceCode(WARNING, "The mail server reported an internal error; check its health if it persists."),
    "StoreUnavailable": TraceCode(WARNING, "The mailbox's store on the mail server is offline; check the server."),
    # engine events
    "NoOwner": TraceCode(ERROR, "Choose the mailbox's owner (a CRM user) on the Mailboxes page, or set its "
                                "appointments, contacts and tasks option to None."),
    "JobDeadline": TraceCode(WARNING, "The sync took longer than its deadline and was stopped; it resumes next "
                                      "cycle. Check the mail server's speed or the mailbox's size."),
    "TooManyTransientFailures": TraceCode(ERROR, "The direction failed 10 times in a row and was disabled. "
                                                 "Fix the cause shown before, then re-enable or run Test & Enable."),
    "DirectionDisabled": TraceCode(ERROR, "Fix the cause shown, then re-enable the mailbox or run Test & Enable."),
    "EngineBug": TraceCode(ERROR, "An unexpected error in crmsync; the engine carried on. Report it with the "
                                  "engine's log; the mailbox retries next cycle."),
    "ProfilePaused": TraceCode(WARNING, "Most mailboxes of the profile fail at once (a server outage); the engine "
                                        "probes the server and resumes by itself. Check the mail server."),
    "ProfileResumed": TraceCode(INFO, "No action needed."),
    "LeaseTakenOver": TraceCode(WARNING, "Another engine stopped while syncing this mailbox; this one took over. "
                                         "Check that engine's host if it happens often."),
    "SyncNowRequested": TraceCode(INFO, "No action needed."),
    "TestSucceeded": TraceCode(INFO, "No action needed."),
    "TestFailed": TraceCode(ERROR, "Fix the cause shown, then run Test & Enable again."),
    "MailboxesReenabled": TraceCode(INFO, "No action needed."),
    "EmailUnreadable": TraceCode(WARNING, "The email was not tracked. Save it from this row (or `crmsync mailboxes "
                                          "unreadable MAILBOX --save DIR`) to look at it; ask the sender to send "
                                          "it again if it matters."),
    "ReprocessRequested": TraceCode(INFO, "No action needed: the mailbox's next incoming sync (or Sync now) "
                                          "fetches the email again and decides it under the current rules."),
    "EmailReprocessed": TraceCode(INFO, "No action needed. If it is still not tracked, the reason says what would "
                                        "track it; change that, then reprocess it again."),
    "ReprocessedEmailGone": TraceCode(INFO, "No action needed. An email moved back into a tracked folder is read "
                                            "there as new email."),
    "ReprocessedEmailUnreadable": TraceCode(WARNING, "The email was not tracked. Save it from its EmailUnreadable "
                                                     "row to look at it; ask the sender to send it again if it "
                                                     "matters."),
    "AlertRaised": TraceCode(WARNING, "Open the alert and check the profile's mail server."),
    "AlertNotEmailed": TraceCode(WARNING, "Give the profile an owner whose mailbox has outgoing email enabled "
                                          "to receive alerts by email."),
}

TRANSIENT_HINT = "The engine retries by itself; after 10 failures in a row the direction is disabled."
PERMANENT_HINT = "Fix the cause shown, then run Test & Enable for the mailbox."


def hint_for(code: str, *, action: str = "", transient: bool | None = None) -> str:
    """The remediation for a code: the catalogue's, else the error's own action, else a generic one."""
    if code in CATALOGUE:
        return CATALOGUE[code].remediation
    if action:
        return action
    return TRANSIENT_HINT if transient else PERMANENT_HINT


def record(code: str, message: str, *, at: datetime, level: int | None = None, mailbox_id: int | None = None,
           profile_id: int | None = None, activity_id: int | None = None, remediation: str | None = None,
           transient: bool | None = None, item: str | None = None, args: dict | None = None) -> TraceLog:
    """Add a trace row, or collate into the row for the same code and records.

    `args`: the message's arguments when its code has a template (core/messages.py), for the console.

    `item` names one server item (an email) when each item deserves a row of its own."""
    if level is None:
        level = CATALOGUE[code].level if code in CATALOGUE else (WARNING if transient else ERROR)
    hint = remediation if remediation is not None else hint_for(code, transient=transient)
    key = _key(code, mailbox_id, profile_id, activity_id, item)
    kept_args = messages.dumps(args) if args is not None else None
    with database_proxy.atomic():
        # one upsert, so two engines recording the same row at once collate instead of one failing
        (TraceLog.insert(level=level, code=code, message=message, mailbox=mailbox_id, profile=profile_id,
                         activity=activity_id, remediation=hint, args=kept_args, collation_key=key, first_at=at,
                         last_at=at)
         .on_conflict(conflict_target=[TraceLog.collation_key],
                      update={TraceLog.count: TraceLog.count + 1, TraceLog.last_at: at, TraceLog.message: message,
                              TraceLog.level: level, TraceLog.remediation: hint, TraceLog.args: kept_args})
         .execute())
        row = TraceLog.get(TraceLog.collation_key == key)
    log.log(LOG_LEVELS.get(level, logging.WARNING), "%s", message, extra={"trace_code": code})
    return row


def _key(code: str, mailbox_id, profile_id, activity_id, item: str | None) -> str:
    return f"{code}|m{mailbox_id or ''}|p{profile_id or ''}|a{activity_id or ''}" + (f"|i{_short(item)}" if item else "")


def row_of(code: str, *, mailbox_id: int, item: str) -> TraceLog | None:
    """The row `record` keeps for this code, mailbox and item, if any."""
    return TraceLog.get_or_none(TraceLog.collation_key == _key(code, mailbox_id, None, None, item))


def _short(item: str) -> str:
    """A fixed-length stand-in for an item's id (Exchange ids are long; the key column is 255 characters)."""
    return hashlib.sha256(item.encode()).hexdigest()[:24]


def unreadable_item(folder: str, server_id: str) -> str:
    """The `item` of an EmailUnreadable row: one row per email the server holds."""
    return f"{folder}|{server_id}"


def unreadable_email_of(row: TraceLog) -> UnreadableEmail | None:
    """The kept email an EmailUnreadable row is about, so the console can save its bytes."""
    if row.code != "EmailUnreadable" or not row.mailbox_id:
        return None
    kept = UnreadableEmail.select(UnreadableEmail.id, UnreadableEmail.folder, UnreadableEmail.server_id)
    for email in kept.where(UnreadableEmail.mailbox == row.mailbox_id):
        if row.collation_key.endswith(f"|i{_short(unreadable_item(email.folder, email.server_id))}"):
            return UnreadableEmail.get_by_id(email.id)
    return None


def prune(now: datetime, retention_days: int | None = None) -> int:
    """Delete trace rows, acknowledged alerts and the hours' synced counts from before the retention period;
    return how many."""
    if retention_days is None:
        settings = OrganizationSettings.get_or_none(OrganizationSettings.id == 1)
        retention_days = settings.trace_retention_days if settings else 30
    cutoff = now - timedelta(days=retention_days)
    with database_proxy.atomic():
        rows = TraceLog.delete().where(TraceLog.last_at < cutoff).execute()
        rows += Alert.delete().where(Alert.acknowledged & (Alert.created_at < cutoff)).execute()
        rows += SyncedHour.delete().where(SyncedHour.hour < cutoff).execute()
    return rows
