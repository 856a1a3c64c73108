"""Sync filters as queries over contacts and activities (the rules are in domain/sync_filters.py).

The console's Synchronization tab and the ACT sync both call `query_for_rule_sets`, so what the
preview counts is what syncs.
"""
from __future__ import annotations

import operator as op
from datetime import datetime, timedelta
from functools import reduce

import peewee

from crmsync_gui.core import codes
from crmsync_gui.core.domain.sync_filters import ME, Entity, Rule, parse_rules
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Activity, Contact, CrmUser, SyncFilter


def _column(entity: Entity, name: str) -> peewee.Field:
    model = Contact if entity == Entity.CONTACT else Activity
    if name == "owner":
        return Contact.owner if entity == Entity.CONTACT else Activity.owner_user
    return getattr(model, name)


def rule_condition(rule: Rule, entity: Entity, user_id: int, now: datetime) -> peewee.Expression:
    col = _column(entity, rule.field)
    value = user_id if rule.value == ME else rule.value
    o = rule.operator
    if o == "eq":
        return col == value
    if o == "ne":
        return (col != value) | col.is_null()
    if o == "contains":
        return col.contains(value)
    if o == "not_contains":
        return ~col.contains(value) | col.is_null()
    if o == "begins_with":
        return col.startswith(value)
    if o == "is_empty":
        return col.is_null() | (col == "") if isinstance(col, peewee.CharField) else col.is_null()
    if o == "is_not_empty":
        return col.is_null(False) & (col != "") if isinstance(col, peewee.CharField) else col.is_null(False)
    if o == "gt":
        return col > value
    if o == "lt":
        return col < value
    if o == "on_or_after":
        return col >= datetime.fromisoformat(value)
    if o == "on_or_before":
        return col <= datetime.fromisoformat(value)
    if o == "last_days":
        return (col >= now - timedelta(days=value)) & (col <= now)
    if o == "next_days":
        return (col >= now) & (col <= now + timedelta(days=value))
    if o == "since_days_ago":
        return col >= now - timedelta(days=value)
    raise ValueError(f"unknown operator {o!r}")  # check_rule refuses it first


def entity_query(entity: Entity) -> peewee.ModelSelect:
    """Every record of the entity, before filters."""
    entity = Entity(entity)
    if entity == Entity.CONTACT:
        return Contact.select()
    kind = codes.ActivityType.APPOINTMENT if entity == Entity.APPOINTMENT else codes.ActivityType.TASK
    return Activity.select().where(Activity.activity_type == kind)


def query_for_rule_sets(entity: Entity, rule_sets: list[list[Rule]], user_id: int,
                        now: datetime | None = None) -> peewee.ModelSelect:
    """Records matching any of the rule sets (each AND-ed); none when there is no rule set."""
    now = now or utcnow()
    entity = Entity(entity)
    query = entity_query(entity)
    if not rule_sets:
        return query.where(peewee.SQL("0 = 1"))
    ors = []
    for rules in rule_sets:
        conditions = [rule_condition(r, entity, user_id, now) for r in rules]
        ors.append(reduce(op.and_, conditions) if conditions else peewee.SQL("1 = 1"))
    return query.where(reduce(op.or_, ors))


def matching_query(user: CrmUser, entity: Entity, now: datetime | None = None) -> peewee.ModelSelect:
    """What the user's active saved filters for the entity select now (the ACT sync's input)."""
    filters = (SyncFilter.select().where(SyncFilter.user == user.id, SyncFilter.entity == int(entity),
                                         SyncFilter.is_active == True))  # noqa: E712 (peewee expression)
    return query_for_rule_sets(entity, [parse_rules(f.rules, entity) for f in filters], user.id, now)


def preview_count(user_id: int, entity: Entity, rule_sets: list[list[Rule]]) -> int:
    """How many records the (possibly unsaved) filters match now."""
    return query_for_rule_sets(entity, rule_sets, user_id).count()


def user_filters(user: CrmUser, entity: Entity) -> list[SyncFilter]:
    return list(SyncFilter.select().where(SyncFilter.user == user.id, SyncFilter.entity == int(entity))
                .order_by(SyncFilter.id))
