"""Reprocess: decide one incoming email again under today's rules (the console's "Why wasn't this email tracked?"
and `crmsync mailboxes reprocess`).

Asking writes a ReprocessRequest and a trace row, nothing else: the mailbox's next incoming run (at once with
Sync now) fetches the email again from the mail server, parses it and tracks it if it now qualifies, in the
pipeline new email goes through (core/sync/incoming.py), which records the outcome in the trace. An email tracked
into a CRM email has nothing to reprocess, so asking twice never makes two activities.
"""
from __future__ import annotations

import getpass

from crmsync_gui.core import codes, messages
from crmsync_gui.core.domain.mailbox import sync_blockers
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    Mailbox,
    ReprocessRequest,
    TraceLog,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import trace

OUTCOME_CODES = ("EmailReprocessed", "ReprocessedEmailGone", "ReprocessedEmailUnreadable")  # the pipeline's rows


class ReprocessRefused(CrmSyncError):
    """Nothing to reprocess; `reason` says why, in the administrator's language in the console."""

    def __init__(self, reason: messages.Reason):
        super().__init__(str(reason))
        self.reason = reason


def administrator() -> str:
    """Who is asking: the account the console or the CLI runs as."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "an administrator"


def reprocess(mailbox: Mailbox, server_id: str, *, by: str | None = None) -> messages.Reason:
    """Ask for the email `server_id` of `mailbox` (a decision or an unreadable email) to be fetched and decided
    again at the mailbox's next incoming run; return what the administrator reads. Asking again while it waits
    changes nothing. Raises ReprocessRefused for an email tracked into a CRM email or one the mailbox never had."""
    decision = TrackingDecision.get_or_none(TrackingDecision.mailbox == mailbox, TrackingDecision.server_id == server_id)
    unreadable = UnreadableEmail.get_or_none(UnreadableEmail.mailbox == mailbox, UnreadableEmail.server_id == server_id)
    if decision is None and unreadable is None:
        raise ReprocessRefused(messages.reason("ReprocessUnknown", mailbox=mailbox.name, server_id=server_id))
    subject = decision.subject if decision is not None else ""
    if decision is not None and still_tracked(decision):
        raise ReprocessRefused(messages.reason("ReprocessTracked", subject=subject, activity=decision.activity_id))
    folder = decision.folder if decision is not None else unreadable.folder
    who = by or administrator()
    with database_proxy.atomic():
        _, asked = ReprocessRequest.get_or_create(mailbox=mailbox, server_id=server_id,
                                                  defaults={"folder": folder, "requested_by": who})
        if asked:
            args = {"who": who, "subject": subject or server_id, "mailbox": mailbox.name}
            trace.record("ReprocessRequested", messages.render("ReprocessRequested", args), at=utcnow(),
                         mailbox_id=mailbox.id, item=server_id, args=args)
    blockers = sync_blockers(mailbox, codes.Direction.INCOMING)
    if blockers:
        return messages.reason("ReprocessWaits", mailbox=mailbox.name, why="; ".join(blockers))
    return messages.reason("ReprocessAsked", mailbox=mailbox.name)


def still_tracked(decision: TrackingDecision) -> bool:
    """Tracked into a CRM email that still exists (one deleted in the CRM since may be tracked again)."""
    return decision.outcome == codes.TrackingOutcome.TRACKED and decision.activity_id is not None


def waiting(mailbox_ids=None) -> set[tuple[int, str]]:
    """(mailbox id, server id) of the emails waiting to be reprocessed (of these mailboxes, or of all)."""
    query = ReprocessRequest.select(ReprocessRequest.mailbox, ReprocessRequest.server_id)
    if mailbox_ids is not None:
        query = query.where(ReprocessRequest.mailbox.in_(list(mailbox_ids)))
    return set(query.tuples())


def outcome(mailbox: Mailbox, server_id: str) -> TraceLog | None:
    """The trace row of the email's last reprocessing, once done; None while it waits or if never asked."""
    if ReprocessRequest.select().where(ReprocessRequest.mailbox == mailbox,
                                       ReprocessRequest.server_id == server_id).exists():
        return None
    rows = [trace.row_of(code, mailbox_id=mailbox.id, item=server_id) for code in OUTCOME_CODES]
    return max((r for r in rows if r is not None), key=lambda r: (r.last_at, r.id), default=None)
