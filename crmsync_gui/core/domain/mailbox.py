"""Rules about when a mailbox may sync."""
from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS, method_is_server_side, queues_sync


def sync_blockers(mailbox, direction: codes.Direction) -> list[str]:
    """Why this direction of the mailbox will not sync; empty when it may.

    A mailbox never syncs unless its address is approved, the direction uses
    server-side sync, is enabled, and the mailbox has a profile.
    """
    reasons = []
    if mailbox.approval != codes.Approval.APPROVED:
        reasons.append(f"email address is {codes.Approval(mailbox.approval).label.lower()}, not approved")
    if not method_is_server_side(mailbox, direction):
        reasons.append(f"{direction.label.lower()} does not use server-side sync")
    if not getattr(mailbox, COLUMNS[direction].enabled):
        reasons.append(f"{direction.label.lower()} is not enabled (run Test & Enable)")
    if mailbox.profile_id is None:
        reasons.append("no email server profile is set")
    if not queues_sync(direction) and mailbox.owner_queue_id is not None:
        reasons.append("queue mailboxes sync email only")
    return reasons


def may_sync(mailbox, direction: codes.Direction) -> bool:
    return not sync_blockers(mailbox, direction)
