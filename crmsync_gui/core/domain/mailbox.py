"""Rules about when a mailbox may sync."""
from crmsync_gui.core import codes


def sync_blockers(mailbox, direction: codes.Direction) -> list[str]:
    """Why this direction of the mailbox will not sync; empty when it may.

    A mailbox never syncs unless its address is approved, the direction uses
    server-side sync, is enabled, and the mailbox has a profile.
    """
    reasons = []
    if mailbox.approval != codes.Approval.APPROVED:
        reasons.append(f"email address is {codes.Approval(mailbox.approval).label.lower()}, not approved")
    method_ok = {
        codes.Direction.INCOMING: mailbox.incoming_method == codes.IncomingMethod.SERVER_SIDE_SYNC,
        codes.Direction.OUTGOING: mailbox.outgoing_method == codes.OutgoingMethod.SERVER_SIDE_SYNC,
        codes.Direction.ACT: mailbox.act_method == codes.ActMethod.SERVER_SIDE_SYNC,
    }[direction]
    if not method_ok:
        reasons.append(f"{direction.label.lower()} does not use server-side sync")
    enabled = {
        codes.Direction.INCOMING: mailbox.incoming_enabled,
        codes.Direction.OUTGOING: mailbox.outgoing_enabled,
        codes.Direction.ACT: mailbox.act_enabled,
    }[direction]
    if not enabled:
        reasons.append(f"{direction.label.lower()} is not enabled (run Test & Enable)")
    if mailbox.profile_id is None:
        reasons.append("no email server profile is set")
    if direction == codes.Direction.ACT and mailbox.owner_queue_id is not None:
        reasons.append("queue mailboxes sync email only")
    return reasons


def may_sync(mailbox, direction: codes.Direction) -> bool:
    return not sync_blockers(mailbox, direction)
