"""Sync filters: which contacts, appointments and tasks a user's ACT sync covers.

A filter is a saved query: a JSON list of rules {"field", "operator", "value"}, AND-ed.
A user's active filters for one entity are OR-ed; no filter for an entity means none of it
syncs. Org templates (SyncFilter.user is None) are copied to each user once; "reset to org
defaults" copies them again. Pure rules: the queries they make are in store/filter_queries.py,
the writes in admin/filters.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from crmsync_gui.core import codes
from crmsync_gui.core.errors import ValidationError

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
