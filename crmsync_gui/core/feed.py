"""The dashboard's live feed: each engine event as a message code and arguments (core/messages.py's FEED
templates), which the console renders in the administrator's language (ui/pages/dashboard.py)."""
from __future__ import annotations

from crmsync_gui.core import events, messages


def feed_line(event: events.Event) -> tuple[str, dict] | None:
    """The live feed's code and arguments for an engine event; None for what is not news of its own: numbers
    (QueueDepths), a row to re-read (MailboxChanged, after each job, whose line says what happened) and a
    failure's trace row (TraceLogged; the JobFailed line says it)."""
    match event:
        case events.EngineStateChanged(state=state):
            return f"Engine{state.capitalize()}", {}
        case events.JobStarted(mailbox_id=mailbox, direction=direction):
            return "JobStarted", {"mailbox": mailbox, "direction": direction}
        case events.JobFinished():
            return "JobFinished", {"mailbox": event.mailbox_id, "direction": event.direction,
                                   "items": event.items, "seconds": round(event.duration_s, 1)}
        case events.JobFailed():
            return ("JobFailedRetried" if event.transient else "JobFailed"), {
                "mailbox": event.mailbox_id, "direction": event.direction, "code": event.code, "error": event.message}
        case events.ItemTracked(mailbox_id=mailbox):
            return "ItemTracked", {"mailbox": mailbox}
        case events.EmailQueued():
            return "EmailQueued", {}
        case events.MailboxDisabled():
            return "MailboxDisabled", {"mailbox": event.mailbox_id, "direction": event.direction, "code": event.code,
                                       "reason": messages.Said(event.code, messages.loads(event.args), event.reason)}
        case events.ProfilePaused():
            return "ProfilePausedLine", {"reason": messages.Said("ProfilePaused", messages.loads(event.args), event.reason)}
        case events.ProfileResumed(profile_id=profile):
            return "ProfileResumedLine", {"profile": profile}
        case events.AlertRaised():
            return "AlertRaisedLine", {"alert": messages.Said(event.code, messages.loads(event.args), event.message)}
        case events.IncomingMailArrived(mailbox_id=mailbox):
            return "IncomingMailArrived", {"mailbox": mailbox}
        case events.RequestBudget():
            return "RequestBudget", {"mailbox": event.mailbox_id, "used": event.used, "limit": event.limit,
                                     "minutes": round(event.window_s / 60)}
    return None
