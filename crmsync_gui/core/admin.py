"""Administration services over the store: profiles, users, queues, mailboxes, mapping, approval.

The console and the CLI both call these; neither writes the tables itself.
"""
from __future__ import annotations

from typing import Any

from peewee import fn

from crmsync_gui.core import codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import MappingConflict, NotFound, ValidationError
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import (
    Account,
    Contact,
    CrmQueue,
    CrmUser,
    EmailServerProfile,
    FolderTrackingRule,
    Lead,
    Mailbox,
)

PROFILE_FIELDS = {f for f in EmailServerProfile._meta.fields if f not in ("id", "secret_ref", "created_at")}


def save_profile(fields: dict[str, Any], *, profile: EmailServerProfile | None = None) -> EmailServerProfile:
    """Create or update a profile after validation; raise ValidationError listing every problem."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({k: "not a profile field" for k in sorted(unknown)})
    merged = {k: getattr(profile, k) for k in PROFILE_FIELDS if profile is not None} | fields
    problems = validate_profile(merged)
    if "name" not in problems:
        clash = EmailServerProfile.select().where(EmailServerProfile.name == str(merged["name"]).strip())
        if profile is not None:
            clash = clash.where(EmailServerProfile.id != profile.id)
        if clash.exists():
            problems["name"] = f"a profile named '{merged['name']}' already exists"
    if problems:
        raise ValidationError(problems)
    for key in ("server_type", "auth_type"):
        if key in fields:
            enum = codes.ServerType if key == "server_type" else codes.AuthType
            fields[key] = int(enum.parse(fields[key]))
    profile = profile or EmailServerProfile()
    for key, value in fields.items():
        setattr(profile, key, value.strip() if isinstance(value, str) else value)
    profile.save()
    return profile


def add_user(full_name: str, email: str, **extra) -> CrmUser:
    _require_email(email)
    if CrmUser.select().where(CrmUser.email == email.strip().lower()).exists():
        raise ValidationError({"email": f"a user with the address {email} already exists"})
    return CrmUser.create(full_name=full_name.strip(), email=email.strip().lower(), **extra)


def add_queue(name: str, email: str, **extra) -> CrmQueue:
    _require_email(email)
    if CrmQueue.select().where(CrmQueue.email == email.strip().lower()).exists():
        raise ValidationError({"email": f"a queue with the address {email} already exists"})
    return CrmQueue.create(name=name.strip(), email=email.strip().lower(), **extra)


def add_mailbox(name: str, email: str, profile: EmailServerProfile | None = None, **extra) -> Mailbox:
    _require_email(email)
    return Mailbox.create(name=name.strip(), email=email.strip().lower(), profile=profile, **extra)


def current_mailbox_of(owner: CrmUser | CrmQueue) -> Mailbox | None:
    field = Mailbox.owner_user if isinstance(owner, CrmUser) else Mailbox.owner_queue
    return Mailbox.get_or_none(field == owner.id)


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
        if isinstance(owner, CrmQueue):
            mailbox.act_method = codes.ActMethod.NONE  # a queue mailbox syncs email only
            mailbox.act_enabled = False
        mailbox.save()
    return mailbox


def set_approval(mailbox: Mailbox, approved: bool) -> Mailbox:
    """Approve or reject the mailbox's email address. A rejected mailbox stops syncing at once."""
    mailbox.approval = codes.Approval.APPROVED if approved else codes.Approval.REJECTED
    mailbox.save()
    return mailbox


def find_mailbox(key: str) -> Mailbox:
    return _find(Mailbox, key, (Mailbox.name, Mailbox.email), "mailbox")


def find_user(key: str) -> CrmUser:
    return _find(CrmUser, key, (CrmUser.email, CrmUser.full_name), "user")


def find_queue(key: str) -> CrmQueue:
    return _find(CrmQueue, key, (CrmQueue.email, CrmQueue.name), "queue")


def find_profile(key: str) -> EmailServerProfile:
    return _find(EmailServerProfile, key, (EmailServerProfile.name,), "profile")


def _find(model, key: str, fields, what: str):
    """Find by id, or by an exact (case-insensitive) match on one of `fields`."""
    key = str(key).strip()
    if key.isdigit() and (row := model.get_or_none(model.id == int(key))) is not None:
        return row
    for field in fields:
        rows = list(model.select().where(fn.LOWER(field) == key.lower()).limit(2))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise NotFound(f"More than one {what} matches '{key}'; use its id.")
    raise NotFound(f"No {what} '{key}'. List them with: crmsync {what}s list")


def is_email_address(email: str) -> bool:
    text = (email or "").strip()
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and not any(c.isspace() for c in text))


def _require_email(email: str) -> None:
    if not is_email_address(email):
        raise ValidationError({"email": f"'{email}' is not an email address"})


MAILBOX_FIELDS = {"name", "email", "profile", "username", "incoming_method", "outgoing_method", "act_method",
                  "is_forward_mailbox"}


KEEP_OWNER = object()


def save_mailbox(fields: dict[str, Any], *, mailbox: Mailbox | None = None, owner=KEEP_OWNER,
                 confirm: bool = False) -> Mailbox:
    """Create or update a mailbox after validation and, unless `owner` is KEEP_OWNER, set its owner.

    `owner` None leaves the mailbox unmapped; a user or queue maps it through map_mailbox, so
    when that owner has another mailbox MappingConflict is raised and nothing at all is saved,
    unless `confirm` is true.
    """
    unknown = set(fields) - MAILBOX_FIELDS
    if unknown:
        raise ValidationError({k: "not a mailbox field you can set here" for k in sorted(unknown)})
    problems = {}
    if "name" in fields and not str(fields["name"] or "").strip():
        problems["name"] = "a mailbox needs a name"
    if "email" in fields:
        try:
            _require_email(fields["email"])
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
        problems.setdefault("email", "a new mailbox needs a name and an address")
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
    if enabled:
        mailbox.incoming_enabled = mailbox.incoming_method == codes.IncomingMethod.SERVER_SIDE_SYNC
        mailbox.outgoing_enabled = mailbox.outgoing_method == codes.OutgoingMethod.SERVER_SIDE_SYNC
        mailbox.act_enabled = (mailbox.act_method == codes.ActMethod.SERVER_SIDE_SYNC
                               and mailbox.owner_queue_id is None)
        mailbox.transient_failure_count = 0
        mailbox.incoming_next_run = mailbox.outgoing_next_run = mailbox.act_next_run = None
    else:
        mailbox.incoming_enabled = mailbox.outgoing_enabled = mailbox.act_enabled = False
    mailbox.save()
    return mailbox


def save_owner(owner: CrmUser | CrmQueue, fields: dict[str, Any]) -> CrmUser | CrmQueue:
    """Update a user's (full_name, email, is_disabled, tracking_option) or a queue's (name, email, tracking_option)."""
    allowed = {"email", "tracking_option"} | ({"full_name", "is_disabled"} if isinstance(owner, CrmUser) else {"name"})
    problems = {k: "not a field you can set here" for k in sorted(set(fields) - allowed)}
    for key in ("full_name", "name"):
        if key in fields and not str(fields[key] or "").strip():
            problems[key] = "a name is needed"
    if "email" in fields:
        try:
            _require_email(fields["email"])
        except ValidationError as exc:
            problems |= exc.problems
        else:
            model = type(owner)
            if model.select().where(model.email == fields["email"].strip().lower(), model.id != owner.id).exists():
                problems["email"] = f"another {'user' if model is CrmUser else 'queue'} has the address {fields['email']}"
    if "tracking_option" in fields:
        try:
            fields["tracking_option"] = int(codes.TrackingOption.parse(fields["tracking_option"]))
        except ValueError as exc:
            problems["tracking_option"] = str(exc)
    if problems:
        raise ValidationError(problems)
    for key, value in fields.items():
        if key == "email":
            value = value.strip().lower()
        setattr(owner, key, value.strip() if isinstance(value, str) else value)
    owner.save()
    return owner


REGARDING_MODELS = {"account": Account, "contact": Contact, "lead": Lead}


def save_folder_rules(mailbox: Mailbox, rules: list[dict[str, Any]]) -> list[FolderTrackingRule]:
    """Replace the mailbox's folder tracking rules: {"folder", "regarding_type", "regarding_id"}, at most 25."""
    problems = {}
    if len(rules) > codes.MAX_TRACKED_FOLDERS:
        problems["rules"] = (f"at most {codes.MAX_TRACKED_FOLDERS} folders can be tracked; "
                             f"{len(rules)} were given: remove {len(rules) - codes.MAX_TRACKED_FOLDERS}")
    seen = set()
    for n, rule in enumerate(rules, 1):
        folder = str(rule.get("folder") or "").strip().strip("/")
        if not folder:
            problems[f"folder {n}"] = f"rule {n} needs a folder under Inbox"
        elif folder.lower() in seen:
            problems[f"folder {n}"] = f"the folder '{folder}' is listed twice"
        seen.add(folder.lower())
        kind, record_id = rule.get("regarding_type"), rule.get("regarding_id")
        if kind:
            model = REGARDING_MODELS.get(kind)
            if model is None:
                problems[f"regarding {n}"] = f"rule {n}: regarding is an account, contact or lead, not {kind!r}"
            elif record_id is None or model.get_or_none(model.id == record_id) is None:
                problems[f"regarding {n}"] = f"rule {n}: there is no {kind} with id {record_id}"
    if problems:
        raise ValidationError(problems)
    with database_proxy.atomic():
        FolderTrackingRule.delete().where(FolderTrackingRule.mailbox == mailbox.id).execute()
        return [FolderTrackingRule.create(mailbox=mailbox, folder=str(r["folder"]).strip().strip("/"),
                                          regarding_type=r.get("regarding_type") or None,
                                          regarding_id=r.get("regarding_id") if r.get("regarding_type") else None)
                for r in rules]
