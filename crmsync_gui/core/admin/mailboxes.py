"""Mailboxes: add and save one (with its password), map it to its one owner, approve it, enable or disable it."""
from __future__ import annotations

from typing import Any

from crmsync_gui.core import codes
from crmsync_gui.core.admin.lookup import current_mailbox_of
from crmsync_gui.core.admin.owners import require_email
from crmsync_gui.core.domain.direction import COLUMNS, queues_sync, uses_server_side_sync
from crmsync_gui.core.errors import MappingConflict, ValidationError
from crmsync_gui.core.messages import reason
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox


def add_mailbox(name: str, email: str, profile: EmailServerProfile | None = None, **extra) -> Mailbox:
    require_email(email)
    return Mailbox.create(name=name.strip(), email=email.strip().lower(), profile=profile, **extra)


def map_mailbox(mailbox: Mailbox, owner: CrmUser | CrmQueue, *, confirm: bool = False) -> Mailbox:
    """Make `owner` the one owner of `mailbox`.

    When the owner already has another mailbox, raise MappingConflict naming it
    and change nothing, unless `confirm` is true: then the old mapping is
    broken and the new one made, in one transaction. A mailbox has one owner,
    so a user replaces a queue there and vice versa.
    """
    current = current_mailbox_of(owner)
    if current is not None and current.id == mailbox.id:
        return mailbox
    if current is not None and not confirm:
        raise MappingConflict(owner.label, current.name, mailbox.name)
    with database_proxy.atomic():
        if current is not None:
            field = "owner_user" if isinstance(owner, CrmUser) else "owner_queue"
            Mailbox.update({field: None}).where(Mailbox.id == current.id).execute()
        mailbox.owner_user = owner if isinstance(owner, CrmUser) else None
        mailbox.owner_queue = owner if isinstance(owner, CrmQueue) else None
        if isinstance(owner, CrmQueue) and not queues_sync(codes.Direction.ACT):
            mailbox.act_method = codes.ActMethod.NONE  # a queue mailbox syncs email only
            mailbox.act_enabled = False
        mailbox.save()
    return mailbox


def set_approval(mailbox: Mailbox, approved: bool) -> Mailbox:
    """Approve or reject the mailbox's email address. A rejected mailbox stops syncing at once."""
    mailbox.approval = codes.Approval.APPROVED if approved else codes.Approval.REJECTED
    mailbox.save()
    return mailbox


MAILBOX_FIELDS = {"name", "email", "profile", "username", "incoming_method", "outgoing_method", "act_method",
                  "is_forward_mailbox"}


KEEP_OWNER = object()


def save_mailbox(fields: dict[str, Any], *, mailbox: Mailbox | None = None, owner=KEEP_OWNER,
                 confirm: bool = False, password: str | None = None,
                 secrets: SecretStore | None = None) -> Mailbox:
    """Create or update a mailbox after validation and, unless `owner` is KEEP_OWNER, set its owner.

    `owner` None leaves the mailbox unmapped; a user or queue maps it through map_mailbox, so
    when that owner has another mailbox MappingConflict is raised and nothing at all is saved,
    unless `confirm` is true. A non-empty `password` goes to `secrets` and its reference is saved
    with the mailbox, in the same transaction.
    """
    unknown = set(fields) - MAILBOX_FIELDS
    if unknown:
        raise ValidationError({k: "not a mailbox field you can set here" for k in sorted(unknown)})
    problems = {}
    if "name" in fields and not str(fields["name"] or "").strip():
        problems["name"] = reason("MailboxNeedsName")
    if "email" in fields:
        try:
            require_email(fields["email"])
        except ValidationError as exc:
            problems |= exc.problems
    for key, enum in (("incoming_method", codes.IncomingMethod), ("outgoing_method", codes.OutgoingMethod),
                      ("act_method", codes.ActMethod)):
        if key in fields:
            try:
                fields[key] = int(enum.parse(fields[key]))
            except ValueError as exc:
                problems[key] = str(exc)
    if mailbox is None and not {"name", "email"} <= set(fields):
        problems.setdefault("email", reason("NewMailboxNeedsNameAndAddress"))
    if problems:
        raise ValidationError(problems)
    with database_proxy.atomic() as transaction:
        target = mailbox or Mailbox()
        for key, value in fields.items():
            if key == "email":
                value = value.strip().lower()
            setattr(target, key, value.strip() if isinstance(value, str) else value)
        target.save()
        try:
            if owner is None:
                unmap_mailbox(target)
            elif owner is not KEEP_OWNER:
                map_mailbox(target, owner, confirm=confirm)
        except MappingConflict:
            transaction.rollback()
            if mailbox is not None:  # the caller's object must not keep the unsaved values
                fresh = Mailbox.get_by_id(mailbox.id)
                mailbox.__data__.update(fresh.__data__)
                mailbox._dirty.clear()
            raise
        if password:  # only once the mapping holds, so a refused save leaves the stored password as it was
            target.secret_ref = secrets.put(password, target.secret_ref)
            target.save()
    return target


def unmap_mailbox(mailbox: Mailbox) -> Mailbox:
    """Leave the mailbox without an owner."""
    mailbox.owner_user = None
    mailbox.owner_queue = None
    mailbox.save()
    return mailbox


def set_enabled(mailbox: Mailbox, enabled: bool) -> Mailbox:
    """Enable every direction that uses server-side sync (re-enable after an outage), or disable all.

    Enabling clears the transient-failure count and the postponed runs, so the mailbox syncs on the
    next cycle. Test & Enable, which checks the server first, is the engine's.
    """
    for d, cols in COLUMNS.items():
        setattr(mailbox, cols.enabled, enabled and uses_server_side_sync(mailbox, d))
        if enabled:
            setattr(mailbox, cols.next_run, None)
    if enabled:
        mailbox.transient_failure_count = 0
    mailbox.save()
    return mailbox
