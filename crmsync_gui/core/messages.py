"""Engine messages the console shows in the administrator's language: a code and its arguments.

The core stays in English and without Qt: it keeps a message's code and arguments beside the English text it
writes (the trace, the alert email, the CLI), and the console renders the code's template here, translated
(context "messages", listed for the translators by resources/translations/update.py), with those arguments.
"""
from __future__ import annotations

import json
from collections.abc import Callable

TEMPLATES: dict[str, str] = {
    "AlertRaised": "{failing} of {in_service} mailboxes of profile '{profile}' failed within the last hour. "
                   "Check the mail server and the trace log for this profile.",
    "ProfilePaused": "{failing} mailboxes of profile '{profile}' failed at once (last: {last}); the profile is "
                     "paused and the server probed until it answers.",
    "AlertNotEmailed": "The alert was not emailed: the profile has no owner whose mailbox has outgoing email "
                       "enabled.",
}


def render(code: str | None, args: dict, translate: Callable[[str], str] = str) -> str | None:
    """The code's message with its arguments, through `translate`; None for a code without a template or
    arguments that do not fit it. A translation whose placeholders do not fit gives the English instead."""
    template = TEMPLATES.get(code or "")
    if template is None:
        return None
    for text in (translate(template), template):
        try:
            return text.format(**args)
        except (KeyError, IndexError, ValueError):
            continue
    return None


def dumps(args: dict) -> str:
    """Arguments as the store keeps them."""
    return json.dumps(args, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict:
    return json.loads(text) if text else {}
