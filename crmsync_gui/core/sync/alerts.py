"""Alerts: more than half of a profile's mailboxes failing within an hour (docs/DOMAIN.md, profile alerts).

One alert per profile per hour at most. It is stored, and emailed to the profile owner through
the outgoing path (a Pending Send email from the owner's own mailbox) where that path exists.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from crmsync_gui.core import codes, messages
from crmsync_gui.core.domain.direction import any_enabled_sql
from crmsync_gui.core.domain.mailbox import may_sync
from crmsync_gui.core.store.base import database_proxy, on_postgres
from crmsync_gui.core.store.models import Activity, ActivityParty, Alert, EmailServerProfile, Mailbox
from crmsync_gui.core.sync import trace

WINDOW = timedelta(hours=1)
ALERT_LOCK = 0x616C  # PostgreSQL advisory lock space of "raise an alert for profile N"


def failing_share(profile_id: int, now: datetime) -> tuple[int, int]:
    """(mailboxes that failed within the hour, mailboxes in service) for a profile."""
    since = now - WINDOW
    of_profile = Mailbox.select().where((Mailbox.profile == profile_id)
                                        & (Mailbox.approval == codes.Approval.APPROVED))
    failing = of_profile.where(Mailbox.last_error_at >= since).count()
    in_service = of_profile.where(any_enabled_sql(Mailbox) | (Mailbox.last_error_at >= since)).count()
    return failing, in_service


def check_profile(profile_id: int, now: datetime) -> tuple[Alert, int | None] | None:
    """Raise an alert when over half the profile's mailboxes failed within the hour and none was raised
    in that hour. Return (alert, mailbox id that will send the email or None), or None."""
    profile = EmailServerProfile.get_or_none(EmailServerProfile.id == profile_id)
    if profile is None or not profile.alerts_enabled:
        return None
    failing, in_service = failing_share(profile_id, now)
    if failing == 0 or failing * 2 <= in_service:
        return None
    args = {"failing": failing, "in_service": in_service, "profile": profile.name}
    message = messages.render("AlertRaised", args)
    with database_proxy.atomic():
        if on_postgres():  # several workers: one checks and raises at a time
            database_proxy.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (ALERT_LOCK, profile_id))
        if Alert.select().where((Alert.profile == profile_id) & (Alert.created_at >= now - WINDOW)).exists():
            return None
        alert = Alert.create(level=codes.TraceLevel.ERROR, message=message, code="AlertRaised",
                             args=messages.dumps(args), profile=profile_id, created_at=now)
        sender = _owner_mailbox(profile)
        if sender is not None:
            alert.emailed_activity = _queue_alert_email(profile, sender, message, now)
            alert.save()
    return alert, (sender.id if sender is not None else None)


def _owner_mailbox(profile) -> Mailbox | None:
    if profile.owner_id is None:
        return None
    mailbox = Mailbox.get_or_none(Mailbox.owner_user == profile.owner_id)
    if mailbox is None or not may_sync(mailbox, codes.Direction.OUTGOING):
        return None
    return mailbox


def _queue_alert_email(profile, sender: Mailbox, message: str, now: datetime) -> Activity:
    owner = profile.owner
    email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=f"crmsync alert: profile '{profile.name}'",
                            body=message, owner_user=owner.id, mailbox=sender.id, direction_outgoing=True,
                            email_status=codes.EmailStatus.PENDING_SEND, created_at=now, modified_at=now)
    ActivityParty.create(activity=email, role=codes.PartyRole.FROM, address=sender.email, party_type="user",
                         party_id=owner.id)
    ActivityParty.create(activity=email, role=codes.PartyRole.TO, address=owner.email, display_name=owner.full_name,
                         party_type="user", party_id=owner.id)
    return email


def raise_if_due(profile_id: int, now: datetime) -> tuple[Alert, bool] | None:
    """`check_profile`, traced: returns (the alert raised, whether it will be emailed), or None."""
    raised = check_profile(profile_id, now)
    if raised is None:
        return None
    alert, sender_id = raised
    trace.record("AlertRaised", alert.message, at=now, profile_id=profile_id, args=messages.loads(alert.args))
    if sender_id is None:
        trace.record("AlertNotEmailed", messages.render("AlertNotEmailed", {}), at=now, profile_id=profile_id,
                     args={})
    return alert, sender_id is not None
