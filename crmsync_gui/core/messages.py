"""Engine messages the console shows in the administrator's language: a code and its arguments.

The core stays in English and without Qt: it keeps a message's code and arguments beside the English text it
writes (the trace, the alert email, the CLI), and the console renders the code's template here, translated
(context "messages", listed for the translators by resources/translations/update.py), with those arguments.
Arguments named `direction` hold a codes.Direction; `words` turns them into words (English here, the console's
language in ui/labels.py). A server's or connector's own text stays as it was written, inside the template.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple

from crmsync_gui.core import codes, events

TEMPLATES: dict[str, str] = {
    "AlertRaised": "{failing} of {in_service} mailboxes of profile '{profile}' failed within the last hour. "
                   "Check the mail server and the trace log for this profile.",
    "ProfilePaused": "{failing} mailboxes of profile '{profile}' failed at once (last: {last}); the profile is "
                     "paused and the server probed until it answers.",
    "AlertNotEmailed": "The alert was not emailed: the profile has no owner whose mailbox has outgoing email "
                       "enabled.",
    "TooManyTransientFailures": "Failed {failures} times in a row ({direction}); the last time: {error}",
}

# The dashboard's live feed: one line per engine event (feed_line), what happened first (the feed is narrow).
# `mailbox` and `profile` hold ids the console names; a Said argument is a message of its own, rendered first.
FEED: dict[str, str] = {
    "EngineStarting": "The engine is starting.",
    "EngineRunning": "The engine is running.",
    "EngineStopping": "The engine is stopping.",
    "EngineStopped": "The engine stopped.",
    "JobStarted": "{mailbox}: started ({direction}).",
    "JobFinished": "{mailbox}: done in {seconds} s, items synced: {items} ({direction}).",
    "JobFailedRetried": "{mailbox}: failed, will be retried ({direction}, {code}): {error}",
    "JobFailed": "{mailbox}: failed ({direction}, {code}): {error}",
    "ItemTracked": "{mailbox}: an email was tracked.",
    "EmailQueued": "An email is waiting to be sent.",
    "MailboxDisabled": "{mailbox}: disabled ({direction}, {code}): {reason}",
    "ProfilePausedLine": "Profile paused: {reason}",
    "ProfileResumed": "Profile {profile} answers again and resumed.",
    "AlertRaisedLine": "Alert: {alert}",
    "IncomingMailArrived": "{mailbox}: the server announced new email.",
    "RequestBudget": "{mailbox}: {used} of {limit} requests to Microsoft Graph in {minutes} min.",
}


class Said(NamedTuple):
    """A message inside another: its code, its arguments, and the English the engine wrote."""

    code: str | None
    args: dict
    english: str


def english_words(args: dict) -> dict:
    """Arguments as English words."""
    if "direction" in args:
        args = {**args, "direction": codes.Direction(int(args["direction"])).label.lower()}
    return args


def render(code: str | None, args: dict, translate: Callable[[str], str] = str,
           words: Callable[[dict], dict] = english_words) -> str | None:
    """The code's message with its arguments, through `translate`; None for a code without a template or
    arguments that do not fit it. A translation whose placeholders do not fit gives the English instead."""
    template = TEMPLATES.get(code or "") or FEED.get(code or "")
    if template is None:
        return None
    try:
        args = words(args)
    except (KeyError, ValueError, TypeError):
        return None
    for text in (translate(template), template):
        try:
            return text.format(**args)
        except (KeyError, IndexError, ValueError):
            continue
    return None


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
                                       "reason": Said(event.code, loads(event.args), event.reason)}
        case events.ProfilePaused():
            return "ProfilePausedLine", {"reason": Said("ProfilePaused", loads(event.args), event.reason)}
        case events.ProfileResumed(profile_id=profile):
            return "ProfileResumed", {"profile": profile}
        case events.AlertRaised():
            return "AlertRaisedLine", {"alert": Said(event.code, loads(event.args), event.message)}
        case events.IncomingMailArrived(mailbox_id=mailbox):
            return "IncomingMailArrived", {"mailbox": mailbox}
        case events.RequestBudget():
            return "RequestBudget", {"mailbox": event.mailbox_id, "used": event.used, "limit": event.limit,
                                     "minutes": round(event.window_s / 60)}
    return None


def dumps(args: dict) -> str:
    """Arguments as the store keeps them."""
    return json.dumps(args, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict:
    return json.loads(text) if text else {}
