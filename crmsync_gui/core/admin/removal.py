"""Deleting a mailbox, profile, user or queue, or mapping a mailbox to another owner: what follows, said before;
a deletion then done in one transaction (a mapping is admin.map_mailbox's).

A deletion never deletes CRM records (email, contacts, appointments, tasks) and removes nothing from Exchange
or any mail server (the console talks to no server); a reassignment says what the mailbox's next sync will do
there. What follows is a list of consequences, each a
code and its numbers; `text` renders one in English (the CLI), the console renders the same codes in the
administrator's language.
"""
from __future__ import annotations

from dataclasses import dataclass

from crmsync_gui.core import codes
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    Account,
    Activity,
    Alert,
    Contact,
    CrmQueue,
    CrmUser,
    EmailServerProfile,
    ItemMap,
    Lead,
    Mailbox,
    SyncFilter,
    TraceLog,
    TrackingDecision,
)

# every consequence code with its English sentence; {0}, {1} are the consequence's arguments
CONSEQUENCES = {
    "items_kept": "{0} contacts, appointments and tasks synced with it stay in Exchange and in the CRM, "
                  "no longer kept in step",
    "email_kept": "{0} tracked emails stay in the CRM",
    "unsent": "{0} emails waiting to be sent from it will not be sent",
    "history": "its history ({0} trace log rows, alerts and tracking decisions) is deleted",
    "owner_left": "{0} is left without a mailbox",
    "password": "its stored password is deleted",
    "mailboxes_left": "{0} mailboxes are left without a profile and stop syncing",
    "mailbox_unowned": "mailbox {0} is left without an owner",
    "records_unowned": "{0} CRM records it owns (accounts, contacts, leads, activities) are left without an owner",
    "filters": "its {0} sync filters are deleted",
    "alerts_to_nobody": "{0} profiles send their alerts to no one",
    "act_removed": "{0} synced contacts, appointments and tasks will be removed from the mailbox",
    "act_created": "{0} contacts, appointments and tasks of the new owner will be created in it",
}


@dataclass(frozen=True)
class Consequence:
    code: str
    args: tuple = ()

    def text(self) -> str:
        return CONSEQUENCES[self.code].format(*self.args)


@dataclass(frozen=True)
class Removal:
    """What deleting `record` does: its kind ("mailbox", "profile", "user", "queue"), name and consequences."""

    kind: str
    name: str
    consequences: tuple[Consequence, ...]

    def text(self) -> str:
        lines = [f"Deleting {self.kind} '{self.name}':"] + [f"- {c.text()}." for c in self.consequences]
        return "\n".join(lines)


def _kind(record) -> str:
    for model, kind in ((Mailbox, "mailbox"), (EmailServerProfile, "profile"), (CrmUser, "user"),
                        (CrmQueue, "queue")):
        if isinstance(record, model):
            return kind
    raise TypeError(f"cannot delete a {type(record).__name__}")


def _name(record) -> str:
    return record.full_name if isinstance(record, CrmUser) else record.name


def _some(*pairs) -> tuple[Consequence, ...]:
    """The consequences whose first argument is not 0 (a count) or empty (a name)."""
    return tuple(Consequence(code, args) for code, args in pairs if args == () or args[0])


def removal_of(record) -> Removal:
    """Say what deleting this mailbox, profile, user or queue does, changing nothing."""
    kind = _kind(record)
    if kind == "mailbox":
        owner = record.owner
        email = Activity.select().where(Activity.mailbox == record.id)
        history = (TraceLog.select().where(TraceLog.mailbox == record.id).count()
                   + Alert.select().where(Alert.mailbox == record.id).count()
                   + TrackingDecision.select().where(TrackingDecision.mailbox == record.id).count())
        consequences = _some(
            ("items_kept", (ItemMap.select().where(ItemMap.mailbox == record.id).count(),)),
            ("email_kept", (email.where(Activity.activity_type == codes.ActivityType.EMAIL).count(),)),
            ("unsent", (email.where(Activity.email_status.in_(
                [codes.EmailStatus.PENDING_SEND, codes.EmailStatus.SENDING])).count(),)),
            ("history", (history,)),
            ("owner_left", (_name(owner) if owner else "",)),
            *((("password", ()),) if record.secret_ref else ()))
    elif kind == "profile":
        history = (TraceLog.select().where(TraceLog.profile == record.id).count()
                   + Alert.select().where(Alert.profile == record.id).count())
        consequences = _some(
            ("mailboxes_left", (Mailbox.select().where(Mailbox.profile == record.id).count(),)),
            ("history", (history,)),
            *((("password", ()),) if record.secret_ref else ()))
    else:
        user = kind == "user"
        box = Mailbox.get_or_none((Mailbox.owner_user if user else Mailbox.owner_queue) == record.id)
        owned = (Activity.select().where((Activity.owner_user if user else Activity.owner_queue) == record.id).count()
                 + (sum(m.select().where(m.owner == record.id).count() for m in (Account, Contact, Lead))
                    if user else 0))
        consequences = _some(
            ("mailbox_unowned", (box.name if box else "",)),
            ("records_unowned", (owned,)),
            ("filters", (SyncFilter.select().where(SyncFilter.user == record.id).count() if user else 0,)),
            ("alerts_to_nobody", (EmailServerProfile.select().where(EmailServerProfile.owner == record.id).count()
                                  if user else 0,)))
    return Removal(kind, _name(record), consequences)


def reassignment_of(mailbox: Mailbox | None, owner: CrmUser | CrmQueue, act_syncs: bool) -> tuple[Consequence, ...]:
    """What else follows when `owner` becomes the owner of `mailbox` (None: a new one), changing nothing: the
    owner's other mailbox and the mailbox's old owner are left alone, and, when its appointments, contacts and
    tasks sync (`act_syncs`), the items of records the new owner's sync filters leave out are removed from the
    mailbox and those they take in are created. A queue's mailbox syncs email only, so its items stay."""
    from crmsync_gui.core.admin.exchange_changes import of_ownership
    from crmsync_gui.core.admin.lookup import current_mailbox_of

    other = current_mailbox_of(owner)
    old_owner = mailbox.owner if mailbox is not None else None
    same = old_owner is not None and type(old_owner) is type(owner) and old_owner.id == owner.id
    changes = of_ownership(mailbox, owner, act_syncs)  # the dry run, counted
    created, removed = changes.counts()
    kept = changes.kept
    return _some(
        ("mailbox_unowned", (other.name if other is not None and (mailbox is None or other.id != mailbox.id) else "",)),
        ("owner_left", (_name(old_owner) if old_owner is not None and not same else "",)),
        ("act_removed", (removed,)), ("act_created", (created,)), ("items_kept", (kept,)))


def _syncing(mailboxes) -> list[str]:
    now = utcnow()
    return [m.name for m in mailboxes if m.lock_state and m.lock_expires is not None and m.lock_expires > now]


def delete_record(record, *, secrets: SecretStore | None = None) -> Removal:
    """Delete a mailbox, profile, user or queue as `removal_of` described, in one transaction, and its stored
    password. Refused (ValidationError, nothing changed) while a mailbox concerned is being synced."""
    removal = removal_of(record)
    if removal.kind == "mailbox":
        concerned = [record]
    elif removal.kind == "profile":
        concerned = list(Mailbox.select().where(Mailbox.profile == record.id))
    else:
        concerned = list(Mailbox.select().where(
            (Mailbox.owner_user if removal.kind == "user" else Mailbox.owner_queue) == record.id))
    busy = _syncing(concerned)
    if busy:
        raise ValidationError({removal.kind: f"mailbox {', '.join(busy)} is being synced right now; disable it, "
                                             "wait for the run to end (a minute or two), then delete again"})
    ref = getattr(record, "secret_ref", None)
    with database_proxy.atomic():  # the foreign keys do the rest: SET NULL or CASCADE, as models.py says
        record.delete_instance()
    if ref and secrets is not None:  # after the commit: a failed delete keeps the password it still needs
        secrets.delete(ref)
    return removal
