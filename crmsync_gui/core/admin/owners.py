"""CRM users and queues: add one, save one with its settings (sync filters, folder tracking rules)."""
from __future__ import annotations

from typing import Any

from crmsync_gui.core import codes
from crmsync_gui.core.admin.filters import save_user_filters
from crmsync_gui.core.admin.folder_rules import save_folder_rules
from crmsync_gui.core.domain.sync_filters import Entity
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.messages import reason
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmQueue, CrmUser, Mailbox


def is_email_address(email: str) -> bool:
    text = (email or "").strip()
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and not any(c.isspace() for c in text))


def require_email(email: str) -> None:
    if not is_email_address(email):
        raise ValidationError({"email": reason("NotEmailAddress", given=email)})


def add_user(full_name: str, email: str, **extra) -> CrmUser:
    require_email(email)
    if CrmUser.select().where(CrmUser.email == email.strip().lower()).exists():
        raise ValidationError({"email": reason("UserAddressTaken", given=email)})
    return CrmUser.create(full_name=full_name.strip(), email=email.strip().lower(), **extra)


def add_queue(name: str, email: str, **extra) -> CrmQueue:
    require_email(email)
    if CrmQueue.select().where(CrmQueue.email == email.strip().lower()).exists():
        raise ValidationError({"email": reason("QueueAddressTaken", given=email)})
    return CrmQueue.create(name=name.strip(), email=email.strip().lower(), **extra)


def save_owner(owner: CrmUser | CrmQueue, fields: dict[str, Any]) -> CrmUser | CrmQueue:
    """Update a user's (full_name, email, is_disabled, tracking_option) or a queue's (name, email, tracking_option)."""
    allowed = {"email", "tracking_option"} | ({"full_name", "is_disabled"} if isinstance(owner, CrmUser) else {"name"})
    problems = {k: "not a field you can set here" for k in sorted(set(fields) - allowed)}
    for key in ("full_name", "name"):
        if key in fields and not str(fields[key] or "").strip():
            problems[key] = reason("NameNeeded")
    if "email" in fields:
        try:
            require_email(fields["email"])
        except ValidationError as exc:
            problems |= exc.problems
        else:
            model = type(owner)
            if model.select().where(model.email == fields["email"].strip().lower(), model.id != owner.id).exists():
                problems["email"] = reason("OtherUserHasAddress" if model is CrmUser else "OtherQueueHasAddress",
                                           given=fields["email"])
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


def save_owner_settings(owner: CrmUser | CrmQueue, fields: dict[str, Any], *,
                        filters: dict[Entity, list] | None = None, mailbox: Mailbox | None = None,
                        folder_rules: list[dict[str, Any]] | None = None) -> CrmUser | CrmQueue:
    """Save a user's or queue's fields, sync filters (per entity) and its mailbox's folder rules, all or nothing.

    On a ValidationError nothing is written and `owner` is reloaded, so it keeps none of the refused values.
    """
    try:
        with database_proxy.atomic():
            save_owner(owner, fields)
            for entity, entity_filters in (filters or {}).items():
                save_user_filters(owner, entity, entity_filters)
            if mailbox is not None and folder_rules is not None:
                save_folder_rules(mailbox, folder_rules)
    except ValidationError:
        owner.__data__.update(type(owner).get_by_id(owner.id).__data__)
        owner._dirty.clear()
        raise
    return owner
