"""Outgoing email, the same for EWS and SMTP: Pending Send → Sending → Sent or Failed, never twice.

Every email gets its Message-ID (and its tracking token, when the organization uses them) in a
committed transaction before the transport is called, and is marked Sending in another when the
transport is about to hand it over (connected and signed in: `MailTransport.send`'s `handing_over`);
a run that dies before then leaves it Pending Send, and it is simply sent at the restart. So if the
process dies between the server accepting the email and the commit of "Sent", the next run finds it
still in Sending and asks the transport whether it went out (`MailTransport.was_sent`, e.g. Sent Items on
Exchange): yes → Sent; no → sent again; cannot tell (plain SMTP) → Failed with a reason telling the
administrator to check, and never resent blindly.

Errors: `MessageRejected` fails that one email; any other PermanentError (wrong password, ...) is
about the mailbox, so the email goes back to Pending Send and the error goes up to the engine; a
TransientError puts the email back to Pending Send until its 10th attempt, then fails it, and stops
the run so the engine backs off. A retry first asks `was_sent`, since a timeout may hide a success.
"""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import peewee

from crmsync_gui.core import codes
from crmsync_gui.core.errors import MessageRejected, PermanentError, TransientError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import Activity, Attachment, CrmUser, Mailbox, OrganizationSettings
from crmsync_gui.core.sync.mail import MailTransport

Status = codes.EmailStatus
_DEPLOYMENT_DIGIT = "0"  # the original's "deployment base tracking number"; one deployment here
_COUNTER_LIMIT = 1000  # 3 counter digits; the counter wraps, and correlation prefers the newest email
_LOOKS_HTML = re.compile(r"<(html|body|p|div|br|table|span)\b", re.IGNORECASE)
_TO_HEADER = {codes.PartyRole.TO: "To", codes.PartyRole.CC: "Cc", codes.PartyRole.BCC: "Bcc"}
# Exchange keeps 255 characters of a subject and drops the rest, which would drop a token at the end;
# kept for SMTP too, since the recipient's server may well be an Exchange.
SUBJECT_LIMIT = 255
# A reply or forward puts its prefix in front ("RE: ", "AW: ", "Antw: ", "RE: FW: ") and Exchange keeps 255
# characters of that subject too: a long subject leaves this much room, so the answer keeps the token whole.
REPLY_ROOM = 8


def next_tracking_token(user: CrmUser, settings: OrganizationSettings) -> str:
    """`PREFIX:` + deployment digit + 3 user digits + 3 counter digits, e.g. CRM:0001001; bumps the counter."""
    wrapped = peewee.Case(None, [(CrmUser.token_counter >= _COUNTER_LIMIT - 1, 1)], CrmUser.token_counter + 1)
    CrmUser.update(token_counter=wrapped).where(CrmUser.id == user.id).execute()  # atomic in SQL
    counter = CrmUser.get_by_id(user.id).token_counter
    digits = user.token_digits if user.token_digits is not None else user.id
    return f"{settings.tracking_token_prefix}:{_DEPLOYMENT_DIGIT}{digits % 1000:03d}{counter:03d}"


def subject_with_token(subject: str | None, token: str) -> str:
    """The subject ending in the token, within SUBJECT_LIMIT and room for a reply's prefix: a long subject is
    shortened, never the token."""
    subject = subject or ""
    if token.upper() in subject.upper() and len(subject) <= SUBJECT_LIMIT - REPLY_ROOM:
        return subject
    at = subject.upper().find(token.upper())
    if at >= 0:  # a subject holding the token past the limit: the token moves to the end
        subject = f"{subject[:at].rstrip()} {subject[at + len(token):].lstrip()}"
    text = subject.strip()[:SUBJECT_LIMIT - REPLY_ROOM - len(token) - 1].rstrip()
    return f"{text} {token}" if text else token


def _owned_by(mailbox: Mailbox):
    if mailbox.owner_user_id:
        owner = Activity.owner_user == mailbox.owner_user_id
    elif mailbox.owner_queue_id:
        owner = Activity.owner_queue == mailbox.owner_queue_id
    else:
        return Activity.mailbox == mailbox.id
    return (Activity.mailbox == mailbox.id) | (Activity.mailbox.is_null() & owner)


def _emails_in(mailbox: Mailbox, status: codes.EmailStatus):
    return (Activity.select().where(Activity.activity_type == codes.ActivityType.EMAIL,
                                    Activity.email_status == status, _owned_by(mailbox))
            .order_by(Activity.id))


def _set(activity: Activity, status: codes.EmailStatus, reason: str | None = None, **fields) -> None:
    with database_proxy.atomic():
        Activity.update(email_status=status, failure_reason=reason, modified_at=utcnow(), **fields).where(
            Activity.id == activity.id).execute()


def build_message(activity: Activity, mailbox: Mailbox) -> EmailMessage:
    """The email as it leaves, from the activity, its parties and its stored attachments."""
    message = EmailMessage()
    owner = mailbox.owner
    message["From"] = formataddr((owner.full_name if isinstance(owner, CrmUser) else getattr(owner, "name", ""),
                                  mailbox.email))
    recipients: dict[str, list[str]] = {}
    for party in activity.parties:
        header = _TO_HEADER.get(codes.PartyRole(party.role))
        if header:
            recipients.setdefault(header, []).append(formataddr((party.display_name or "", party.address)))
    for header, addresses in recipients.items():
        message[header] = ", ".join(addresses)
    message["Subject"] = activity.subject
    message["Message-ID"] = activity.message_id
    if activity.in_reply_to:
        message["In-Reply-To"] = activity.in_reply_to
    if activity.references:
        message["References"] = activity.references
    if _LOOKS_HTML.search(activity.body or ""):
        message.set_content(activity.body, subtype="html")
    else:
        message.set_content(activity.body or "")
    for attachment in Attachment.select().where(Attachment.activity == activity, Attachment.content.is_null(False)):
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(bytes(attachment.content), maintype=maintype or "application",
                               subtype=subtype or "octet-stream", filename=attachment.file_name)
    return message


def _prepare(activity_id: int, mailbox: Mailbox, settings: OrganizationSettings) -> Activity | None:
    """Record Message-ID, token and the attempt in one committed transaction (Sending comes at the handover)."""
    with database_proxy.atomic():
        activity = Activity.get_or_none(Activity.id == activity_id, Activity.email_status == Status.PENDING_SEND)
        if activity is None:  # sent, cancelled or edited meanwhile
            return None
        if not any(codes.PartyRole(p.role) in _TO_HEADER for p in activity.parties):
            _set(activity, Status.FAILED, "Not sent: the email has no To, Cc or Bcc recipient. "
                                          "Add a recipient and send it again.")
            return None
        if not activity.message_id:
            activity.message_id = make_msgid(domain=mailbox.email.rpartition("@")[2] or None)
        if settings.tracking_token_enabled and not activity.tracking_token and activity.owner_user_id:
            activity.tracking_token = next_tracking_token(activity.owner_user, settings)
        if activity.tracking_token:
            activity.subject = subject_with_token(activity.subject, activity.tracking_token)
        activity.delivery_attempts += 1
        activity.mailbox = mailbox
        activity.modified_at = utcnow()
        activity.save()
    return activity


def _mark_sending(activity: Activity) -> None:
    _set(activity, Status.SENDING)


def _mark_sent(activity: Activity, note: str | None = None) -> None:
    _set(activity, Status.SENT, note, sent_on=utcnow())


async def _recover(job, transport: MailTransport, activity: Activity) -> bool:
    """An email left in Sending by a run that died. Return True when it needs sending again."""
    answer = await transport.was_sent(job, activity.message_id)
    if answer is True:
        _mark_sent(activity)
        return False
    if answer is False:
        _set(activity, Status.PENDING_SEND, "The previous run stopped while sending; the server shows it was "
                                            "not sent, so it is sent again.")
        return True
    _set(activity, Status.FAILED,
         f"Not resent: the program stopped while sending this email (Message-ID {activity.message_id}) and "
         "the mail server cannot tell whether it went out (SMTP keeps no Sent Items). It is not resent "
         "automatically, so it can never arrive twice. Check with a recipient or in the SMTP server's log; "
         "to send it, set it back to Pending Send.")
    return False


async def _send_one(job, transport: MailTransport, activity_id: int, settings: OrganizationSettings) -> bool:
    """Send one email; return whether it was processed (sent or failed)."""
    mailbox = job.mailbox
    activity = _prepare(activity_id, mailbox, settings)
    if activity is None:
        return Activity.get_by_id(activity_id).email_status == Status.FAILED
    attempt = activity.delivery_attempts
    if attempt > 1 and await transport.was_sent(job, activity.message_id) is True:
        _mark_sent(activity)  # a timeout had hidden the success of an earlier attempt
        return True
    message = build_message(activity, mailbox)
    try:
        await transport.send(job, message, lambda: _mark_sending(activity))
    except MessageRejected as error:
        _set(activity, Status.FAILED, f"Not sent: {error}")
        return True
    except TransientError as error:
        if attempt >= codes.MAX_DELIVERY_ATTEMPTS:
            _set(activity, Status.FAILED, f"Not sent after {attempt} attempts, the most allowed. Last error: {error}")
        else:
            _set(activity, Status.PENDING_SEND,
                 f"Attempt {attempt} of {codes.MAX_DELIVERY_ATTEMPTS} failed: {error} It is retried.")
        raise
    except PermanentError as error:
        # About the mailbox, not this email: give the attempt back and let the engine disable the direction.
        _set(activity, Status.PENDING_SEND, f"Waiting: the mailbox cannot send ({error})",
             delivery_attempts=attempt - 1)
        raise
    _mark_sent(activity)
    return True


async def send_pending(job, transport: MailTransport, *, settings: OrganizationSettings | None = None) -> int:
    """Send this mailbox's emails in Pending Send (recovering any left in Sending); return how many were
    sent or failed."""
    settings = settings or OrganizationSettings.get_or_create(id=1)[0]
    processed = 0
    for activity in list(_emails_in(job.mailbox, Status.SENDING)):
        if not await _recover(job, transport, activity):
            processed += 1
    for activity_id in [a.id for a in _emails_in(job.mailbox, Status.PENDING_SEND)]:
        if await _send_one(job, transport, activity_id, settings):
            processed += 1
    return processed


async def run(job, connector) -> int:
    """The outgoing pipeline: send the mailbox's pending email through the connector's MailTransport."""
    return await send_pending(job, connector.transport)
