"""Sync filters: which contacts, appointments and tasks a user's ACT sync covers.

A filter is a saved query: a JSON list of rules {"field", "operator", "value"}, AND-ed.
A user's active filters for one entity are OR-ed; no filter for an entity means none of it
syncs. Org templates (SyncFilter.user is None) are copied to each user once; "reset to org
defaults" copies them again. The console's Synchronization tab and the ACT sync both call
`matching_query`, so what the preview counts is what syncs.
"""
from __future__ import annotations

import json
import operator as op
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

import peewee

from crmsync_gui.core import codes
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import Activity, Contact, CrmUser, SyncFilter

Entity = codes.SyncEntity
ME = "@me"  # the value that stands for the filter's user


@dataclass(frozen=True)
class Field:
    name: str  # the key in the rules JSON
    label: str
    kind: str  # "text", "bool", "date", "number", "user"


CONTACT_FIELDS = (
    Field("owner", "Owner", "user"),
    Field("is_active", "Active", "bool"),
    Field("first_name", "First name", "text"),
    Field("last_name", "Last name", "text"),
    Field("email", "Email", "text"),
    Field("company", "Company", "text"),
    Field("job_title", "Job title", "text"),
    Field("modified_at", "Modified on", "date"),
)
APPOINTMENT_FIELDS = (
    Field("owner", "Owner", "user"),
    Field("subject", "Subject", "text"),
    Field("location", "Location", "text"),
    Field("starts_at", "Start time", "date"),
    Field("ends_at", "End time", "date"),
)
TASK_FIELDS = (
    Field("owner", "Owner", "user"),
    Field("subject", "Subject", "text"),
    Field("due_at", "Due date", "date"),
    Field("is_completed", "Completed", "bool"),
    Field("percent_complete", "Percent complete", "number"),
)
FIELDS = {Entity.CONTACT: CONTACT_FIELDS, Entity.APPOINTMENT: APPOINTMENT_FIELDS, Entity.TASK: TASK_FIELDS}

# operator key -> label, and which field kinds accept it
OPERATORS = {
    "eq": ("equals", {"text", "bool", "number", "user"}),
    "ne": ("does not equal", {"text", "number", "user"}),
    "contains": ("contains", {"text"}),
    "not_contains": ("does not contain", {"text"}),
    "begins_with": ("begins with", {"text"}),
    "is_empty": ("is empty", {"text", "date", "number", "user"}),
    "is_not_empty": ("is not empty", {"text", "date", "number", "user"}),
    "gt": ("is greater than", {"number"}),
    "lt": ("is less than", {"number"}),
    "on_or_after": ("on or after", {"date"}),
    "on_or_before": ("on or before", {"date"}),
    "last_days": ("in the last N days", {"date"}),
    "next_days": ("in the next N days", {"date"}),
    "since_days_ago": ("on or after N days ago", {"date"}),
}
NO_VALUE = {"is_empty", "is_not_empty"}
DAY_OPERATORS = {"last_days", "next_days", "since_days_ago"}


@dataclass(frozen=True)
class Rule:
    field: str
    operator: str
    value: object = None

    def as_dict(self) -> dict:
        return {"field": self.field, "operator": self.operator, "value": self.value}


# Org defaults, as in the original product: each user starts with "My ..." filters.
ORG_TEMPLATES = {
    Entity.CONTACT: [("My contacts", [Rule("owner", "eq", ME), Rule("is_active", "eq", True)])],
    Entity.APPOINTMENT: [("My appointments", [Rule("owner", "eq", ME), Rule("starts_at", "since_days_ago", 30)])],
    Entity.TASK: [("My open tasks", [Rule("owner", "eq", ME), Rule("is_completed", "eq", False)])],
}


def fields_for(entity: Entity) -> tuple[Field, ...]:
    return FIELDS[Entity(entity)]


def operators_for(kind: str) -> list[str]:
    return [key for key, (_label, kinds) in OPERATORS.items() if kind in kinds]


def parse_rules(text: str | list, entity: Entity) -> list[Rule]:
    """Rules from their JSON (or a list of dicts); ValidationError names each bad rule."""
    try:
        raw = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise ValidationError({"rules": f"the filter is not valid JSON ({exc.msg} at position {exc.pos})"}) from exc
    if not isinstance(raw, list):
        raise ValidationError({"rules": "the filter must be a list of rules"})
    rules, problems = [], {}
    for n, item in enumerate(raw, 1):
        try:
            rules.append(check_rule(item, entity))
        except ValueError as exc:
            problems[f"rule {n}"] = f"rule {n}: {exc}"
    if problems:
        raise ValidationError(problems)
    return rules


def check_rule(item: dict | Rule, entity: Entity) -> Rule:
    """A valid Rule, or ValueError saying what is wrong with it."""
    rule = item if isinstance(item, Rule) else Rule(item.get("field"), item.get("operator"), item.get("value"))
    by_name = {f.name: f for f in fields_for(entity)}
    fld = by_name.get(rule.field)
    if fld is None:
        raise ValueError(f"'{rule.field}' is not a field of {Entity(entity).label.lower()}; "
                         f"use one of {', '.join(by_name)}")
    if rule.operator not in OPERATORS or fld.kind not in OPERATORS[rule.operator][1]:
        raise ValueError(f"'{rule.operator}' does not apply to {fld.label}; use one of "
                         f"{', '.join(operators_for(fld.kind))}")
    if rule.operator in NO_VALUE:
        return Rule(rule.field, rule.operator, None)
    return Rule(rule.field, rule.operator, _coerce(fld, rule.operator, rule.value))


def _coerce(fld: Field, operator: str, value):
    if operator in DAY_OPERATORS or fld.kind == "number":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{fld.label} needs a whole number, not {value!r}") from None
        if operator in DAY_OPERATORS and number < 0:
            raise ValueError(f"a number of days cannot be negative ({number})")
        return number
    if fld.kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError(f"{fld.label} is yes or no, not {value!r}")
    if fld.kind == "date":
        try:
            return datetime.fromisoformat(str(value)).isoformat(sep=" ")
        except ValueError:
            raise ValueError(f"{fld.label} needs a date like 2026-01-31, not {value!r}") from None
    if fld.kind == "user":
        if value == ME:
            return ME
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{fld.label} is '{ME}' (the filter's user) or a user id, not {value!r}") from None
    if value is None or str(value) == "":
        raise ValueError(f"{fld.label} needs a value")
    return str(value)


# ---------------------------------------------------------------- queries


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


# ---------------------------------------------------------------- saving, templates


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
    ensure_org_templates()
    return list(SyncFilter.select().where(SyncFilter.user.is_null(), SyncFilter.entity == int(entity))
                .order_by(SyncFilter.id))


def user_filters(user: CrmUser, entity: Entity) -> list[SyncFilter]:
    return list(SyncFilter.select().where(SyncFilter.user == user.id, SyncFilter.entity == int(entity))
                .order_by(SyncFilter.id))
