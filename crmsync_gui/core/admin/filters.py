"""A user's sync filters: replace them, copy the organization's defaults to them once, or reset them."""
from __future__ import annotations

import json

from crmsync_gui.core.domain.sync_filters import ORG_TEMPLATES, Entity, Rule, parse_rules
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.messages import reason
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import CrmUser, SyncFilter


def ensure_org_templates() -> None:
    """Create the org default templates when the organization has none yet."""
    if SyncFilter.select().where(SyncFilter.user.is_null()).exists():
        return
    with database_proxy.atomic():
        for entity, templates in ORG_TEMPLATES.items():
            for name, rules in templates:
                SyncFilter.create(user=None, entity=int(entity), name=name,
                                  rules=json.dumps([r.as_dict() for r in rules]))


def org_templates(entity: Entity) -> list[SyncFilter]:
    """The organization's default filters for the entity (made first when there are none yet)."""
    ensure_org_templates()
    return list(SyncFilter.select().where(SyncFilter.user.is_null(), SyncFilter.entity == int(entity))
                .order_by(SyncFilter.id))


def copy_templates_to_user(user: CrmUser) -> bool:
    """Give a user the org defaults once; return whether anything was copied.

    Once copied, the user's filters are theirs: deleting them all means nothing of that entity
    syncs, so the copy is never repeated (only `reset_to_org_defaults` does it again).
    """
    if user.sync_filters_initialized:
        return False
    with database_proxy.atomic():
        _copy_templates(user, list(Entity))
        CrmUser.update(sync_filters_initialized=True).where(CrmUser.id == user.id).execute()
        user.sync_filters_initialized = True
    return True


def reset_to_org_defaults(user: CrmUser, entity: Entity | None = None) -> None:
    """Replace the user's filters (for one entity, or all) with copies of the org templates."""
    entities = list(Entity) if entity is None else [Entity(entity)]
    with database_proxy.atomic():
        SyncFilter.delete().where(SyncFilter.user == user.id,
                                  SyncFilter.entity.in_([int(e) for e in entities])).execute()
        _copy_templates(user, entities)
        CrmUser.update(sync_filters_initialized=True).where(CrmUser.id == user.id).execute()


def _copy_templates(user: CrmUser, entities: list[Entity]) -> None:
    ensure_org_templates()
    templates = SyncFilter.select().where(SyncFilter.user.is_null(),
                                          SyncFilter.entity.in_([int(e) for e in entities]))
    for t in templates:
        SyncFilter.create(user=user, entity=t.entity, name=t.name, rules=t.rules, is_active=t.is_active)


def save_user_filters(user: CrmUser, entity: Entity, filters: list[tuple[str, list, bool]]) -> None:
    """Replace the user's filters for one entity with (name, rules, active) triples, validated first.

    Nothing is written when any filter is invalid; the ValidationError names each one.
    """
    problems, rows = {}, []
    for n, (name, rules, active) in enumerate(filters, 1):
        label = (name or "").strip() or f"filter {n}"
        if not (name or "").strip():
            problems[f"filter {n} name"] = reason("FilterNeedsName", n=n)
        try:
            checked = parse_rules([r.as_dict() if isinstance(r, Rule) else r for r in rules], entity)
        except ValidationError as exc:
            problems |= {f"{label} {k}": f"{label}: {v}" for k, v in exc.problems.items()}
            continue
        rows.append((label, checked, bool(active)))
    if problems:
        raise ValidationError(problems)
    with database_proxy.atomic():
        SyncFilter.delete().where(SyncFilter.user == user.id, SyncFilter.entity == int(entity)).execute()
        for name, rules, active in rows:
            SyncFilter.create(user=user, entity=int(entity), name=name, is_active=active,
                              rules=json.dumps([r.as_dict() for r in rules]))
        CrmUser.update(sync_filters_initialized=True).where(CrmUser.id == user.id).execute()
