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

from crmsync_gui.core import codes

TEMPLATES: dict[str, str] = {
    "AlertRaised": "{failing} of {in_service} mailboxes of profile '{profile}' failed within the last hour. "
                   "Check the mail server and the trace log for this profile.",
    "ProfilePaused": "{failing} mailboxes of profile '{profile}' failed at once (last: {last}); the profile is "
                     "paused and the server probed until it answers.",
    "AlertNotEmailed": "The alert was not emailed: the profile has no owner whose mailbox has outgoing email "
                       "enabled.",
    "TooManyTransientFailures": "Failed {failures} times in a row ({direction}); the last time: {error}",
    # trace rows of the engine's own (the error browser); a connector's error inside stays as written
    "TestSucceeded": "Test of {direction} for mailbox '{mailbox}' passed; it is enabled.",
    "TestFailed": "Test of {direction} for mailbox '{mailbox}' failed: {error}",
    "SyncNowRequested": "An administrator asked to sync mailbox '{mailbox}' now.",
    "ProfileResumed": "The profile's mail server answers again; {failing} failing mailboxes resume now.",
    # Reprocess of one email (core/admin/reprocess.py, core/sync/incoming.py); a tracking reason inside stays as
    # tracking wrote it
    "ReprocessRequested": "{who} asked to reprocess the email '{subject}' of mailbox '{mailbox}'.",
    "ReprocessAsked": "Reprocess asked: mailbox '{mailbox}' fetches the email again at its next incoming sync and "
                      "tracks it if the current rules do.",
    "ReprocessWaits": "Reprocess asked, but mailbox '{mailbox}' does not sync incoming email now ({why}); the email "
                      "is fetched again once it does.",
    "ReprocessTracked": "The email '{subject}' is already tracked as CRM email #{activity}: there is nothing to "
                        "reprocess.",
    "ReprocessUnknown": "Mailbox '{mailbox}' has no email with the server id {server_id}; `crmsync mailboxes "
                        "decisions` lists them.",
    "EmailReprocessed": "{who} reprocessed the email '{subject}' of mailbox '{mailbox}': {outcome}",
    "ReprocessedEmailGone": "{who} reprocessed the email '{subject}' of mailbox '{mailbox}': it is no longer in "
                            "{folder} on the mail server (moved or deleted); nothing changed.",
    "ReprocessedEmailUnreadable": "{who} reprocessed the email '{subject}' of mailbox '{mailbox}': it still cannot "
                                  "be read: {reason}",
    # an email server profile's validation (core/domain/profile.py), beside each field of the profile dialog
    "ProfileNeedsName": "a profile needs a name",
    "ProfileNeedsLocation": "give the server location (an EWS URL or a host name)",
    "ProfileNotEwsUrl": "'{given}' is not an EWS URL; use the form https://mail.example.com/EWS/Exchange.asmx",
    "ProfileHttpWithSsl": "the URL starts with http:// but SSL is on; use https:// or turn SSL off",
    "ProfileNotHostPort": "'{given}' is not a host name with an optional :port",
    "ProfileNeedsSmtp": "POP3 and IMAP profiles need an SMTP server for outgoing email",
    "ProfilePop3NoFolders": "POP3 has no folders to move email into; turn this off (failed email stays on the "
                            "server, listed with the mailbox's unreadable emails)",
    "ProfileSslPort": "port {port} is the {what} SSL port: turn Use SSL on and STARTTLS off, or use port {plain}",
    "ProfilePlainPort": "port {port} takes a plain connection: turn STARTTLS on to encrypt it, or use port "
                        "{ssl_port} for SSL",
    "PortsOr": "{first} or {second}",
    "OAuthExchangeOnly": "OAuth signs in to Exchange only; POP3 and IMAP profiles use a password",
    "OAuthNeedsTenant": "give the tenant ID or domain (e.g. contoso.onmicrosoft.com), or the token URL of another "
                        "identity provider",
    "OAuthTokenUrlHttps": "the token URL '{given}' must start with https://",
    "OAuthNotTenant": "'{given}' is not a tenant ID or domain",
    "OAuthNeedsClientId": "with OAuth, the user name is the application (client) ID of the app",
    "GraphExchangeOnly": "Microsoft Graph serves Exchange profiles only; POP3 and IMAP profiles have no protocol",
    "GraphNeedsOAuth": "Microsoft Graph signs in as an app: choose OAuth",
    "GraphTenantNotUrl": "with Microsoft Graph, give the tenant ID or domain; the identity platform's address goes "
                         "in Authority",
    "NotHttpsUrl": "{what} '{given}' must be an https:// URL",
    "WhatGraphAddress": "the Graph address",
    "WhatAuthority": "the authority",
    "ThumbprintDigits": "the certificate thumbprint is the 40 hexadecimal digits of its SHA-1 fingerprint (Entra "
                        "shows it under Certificates & secrets)",
    "CertificateNeedsBoth": "a certificate sign-in needs both the certificate's thumbprint and the path of its "
                            "private key file",
    "NotWholeNumber": "{what} must be a whole number, not {given}",
    "OutOfRange": "{what} must be between {low} and {high}; {value} is out of range",
    "WhatMaxConnections": "the number of parallel connections to the mail server",
    "WhatMinPolling": "the minimum polling interval, in minutes",
    "WhatTimeout": "the request timeout, in milliseconds",
    # the mailbox, user and queue dialogs' reasons (core/admin)
    "MailboxNeedsName": "a mailbox needs a name",
    "NewMailboxNeedsNameAndAddress": "a new mailbox needs a name and an address",
    "NotEmailAddress": "'{given}' is not an email address",
    "UserAddressTaken": "a user with the address {given} already exists",
    "QueueAddressTaken": "a queue with the address {given} already exists",
    "NameNeeded": "a name is needed",
    "OtherUserHasAddress": "another user has the address {given}",
    "OtherQueueHasAddress": "another queue has the address {given}",
    "ProfileNameTaken": "a profile named '{given}' already exists",
    "TooManyFolders": "at most {most} folders can be tracked; {given} were given: remove {extra}",
    "FolderNeeded": "rule {n} needs a folder under Inbox",
    "FolderTwice": "the folder '{given}' is listed twice",
    "RegardingKind": "rule {n}: regarding is an account, contact or lead, not {given}",
    "RegardingBoth": "rule {n}: give both the regarding record's type and id, or neither",
    "RegardingMissing": "rule {n}: there is no {kind} with id {given}",
    "FilterNeedsName": "filter {n} needs a name",
}

# The dashboard's live feed: one line per engine event (core/feed.py), what happened first (the feed is narrow).
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
    "ProfileResumedLine": "Profile {profile} answers again and resumed.",
    "AlertRaisedLine": "Alert: {alert}",
    "IncomingMailArrived": "{mailbox}: the server announced new email.",
    "RequestBudget": "{mailbox}: {used} of {limit} requests to Microsoft Graph in {minutes} min.",
}


class Said(NamedTuple):
    """A message inside another: its code, its arguments, and the English the engine wrote."""

    code: str | None
    args: dict
    english: str


class Reason(str):
    """A reason an administrator reads (a validation's, beside a field): a str in English everywhere, with its
    code and arguments for the console to say it in the administrator's language (ui/labels.py)."""

    code: str
    args: dict


def reason(code: str, **args) -> Reason:
    """The reason `code` with its arguments (another Reason among them is a phrase of its own)."""
    text = Reason(render(code, args))
    text.code, text.args = code, args
    return text


def english_words(args: dict) -> dict:
    """Arguments as English words: a direction by its label, whole numbers as 1,234."""
    words = {}
    for name, value in args.items():
        if name == "direction":
            value = codes.Direction(int(value)).label.lower()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        words[name] = value
    return words


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


def dumps(args: dict) -> str:
    """Arguments as the store keeps them."""
    return json.dumps(args, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> dict:
    return json.loads(text) if text else {}
