"""A mailbox's status in one word and its reason, as the Mailboxes page shows it first, and when it syncs next.

Pure rules over a loaded Mailbox row (and whether its profile is paused): no store, no Qt. The words are the
English labels; the console shows them translated (context "states").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS, uses_server_side_sync

# every status, most urgent first; the label is what the administrator reads
STATUSES = ("rejected", "pending approval", "no profile", "disabled", "profile paused", "failing", "backing off",
            "enabled")
LABELS = {"rejected": "Address rejected", "pending approval": "Pending approval", "no profile": "No profile",
          "disabled": "Disabled", "profile paused": "Profile paused", "failing": "Failing",
          "backing off": "Backing off", "enabled": "Enabled"}


@dataclass(frozen=True)
class MailboxStatus:
    code: str  # one of STATUSES
    why: str = ""  # for Disabled: the trace code that disabled it, "" when an administrator did (or never enabled)

    @property
    def syncs(self) -> bool:
        """Whether the engine runs this mailbox on its schedule."""
        return self.code in ("enabled", "failing", "backing off")


def enabled_directions(mailbox) -> list[codes.Direction]:
    return [d for d, cols in COLUMNS.items() if getattr(mailbox, cols.enabled) and uses_server_side_sync(mailbox, d)]


def failing_directions(mailbox) -> list[codes.Direction]:
    """The synced directions whose last run failed (enabled still, or disabled by that failure)."""
    return [d for d, cols in COLUMNS.items()
            if getattr(mailbox, cols.status) == codes.DirectionStatus.FAILURE and uses_server_side_sync(mailbox, d)]


def mailbox_status(mailbox, profile_paused: bool) -> MailboxStatus:
    if mailbox.approval == codes.Approval.REJECTED:
        return MailboxStatus("rejected")
    if mailbox.approval != codes.Approval.APPROVED:
        return MailboxStatus("pending approval")
    if mailbox.profile_id is None:
        return MailboxStatus("no profile")
    if not enabled_directions(mailbox):
        # a direction the engine disabled keeps status Failure and the error that did it
        return MailboxStatus("disabled", mailbox.last_error_code or "" if failing_directions(mailbox) else "")
    if profile_paused:
        return MailboxStatus("profile paused")
    if mailbox.transient_failure_count > 0:
        return MailboxStatus("backing off")
    if failing_directions(mailbox):  # one direction may still run while another was disabled by its error
        return MailboxStatus("failing")
    return MailboxStatus("enabled")


def current_error(mailbox, status: MailboxStatus) -> str:
    """The last error while it still stands (failing, backing off, disabled by it); "" once a run succeeded."""
    if status.code in ("failing", "backing off") or (status.code == "disabled" and status.why):
        return mailbox.last_error_code or ""
    return ""


def next_sync(mailbox, status: MailboxStatus) -> datetime | None:
    """The earliest next run of an enabled direction, or None: never (the status says why) or not scheduled."""
    if not status.syncs:
        return None
    runs = [getattr(mailbox, COLUMNS[d].next_run) for d in enabled_directions(mailbox)]
    runs = [run for run in runs if run is not None]
    return min(runs) if runs else None
