"""Sync filters: rules JSON to queries over contacts and activities, templates copied once."""
import json
from datetime import timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.domain.sync_filters import ME, Entity, Rule
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store import filter_queries
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import Activity, Contact, SyncFilter


@pytest.fixture
def people(db):
    ann = admin.add_user("Ann", "ann@example.com")
    bob = admin.add_user("Bob", "bob@example.com")
    Contact.create(first_name="C1", owner=ann, company="Acme")
    Contact.create(first_name="C2", owner=ann, is_active=False, company="Acme")
    Contact.create(first_name="C3", owner=bob, company="Beta")
    Contact.create(first_name="C4", owner=None, company=None)
    now = utcnow()
    Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="old", owner_user=ann,
                    starts_at=now - timedelta(days=90))
    Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="recent", owner_user=ann,
                    starts_at=now - timedelta(days=3))
    Activity.create(activity_type=codes.ActivityType.TASK, subject="open", owner_user=ann)
    Activity.create(activity_type=codes.ActivityType.TASK, subject="done", owner_user=ann, is_completed=True)
    Activity.create(activity_type=codes.ActivityType.EMAIL, subject="an email", owner_user=ann)
    return ann, bob


def names(query, attr="first_name"):
    return sorted(getattr(r, attr) for r in query)


def test_templates_are_copied_once_and_give_my_records(people):
    ann, _ = people
    assert admin.copy_templates_to_user(ann) is True
    assert names(filter_queries.matching_query(ann, Entity.CONTACT)) == ["C1"]
    assert names(filter_queries.matching_query(ann, Entity.APPOINTMENT), "subject") == ["recent"]
    assert names(filter_queries.matching_query(ann, Entity.TASK), "subject") == ["open"]
    # deleting every contact filter means no contact syncs, and the copy is not repeated
    SyncFilter.delete().where(SyncFilter.user == ann.id, SyncFilter.entity == Entity.CONTACT).execute()
    assert admin.copy_templates_to_user(ann) is False
    assert filter_queries.matching_query(ann, Entity.CONTACT).count() == 0


def test_filters_are_ored_and_rules_anded(people):
    ann, bob = people
    admin.save_user_filters(ann, Entity.CONTACT, [
        ("Acme active", [Rule("company", "eq", "Acme"), Rule("is_active", "eq", True)], True),
        ("Bob's", [{"field": "owner", "operator": "eq", "value": bob.id}], True),
        ("inactive one", [Rule("first_name", "eq", "C4")], False),
    ])
    assert names(filter_queries.matching_query(ann, Entity.CONTACT)) == ["C1", "C3"]


@pytest.mark.parametrize(("rule", "expected"), [
    (Rule("company", "contains", "cm"), ["C1", "C2"]),
    (Rule("company", "not_contains", "cm"), ["C3", "C4"]),
    (Rule("company", "begins_with", "Be"), ["C3"]),
    (Rule("company", "is_empty"), ["C4"]),
    (Rule("company", "is_not_empty"), ["C1", "C2", "C3"]),
    (Rule("owner", "ne", ME), ["C3", "C4"]),
    (Rule("owner", "is_empty"), ["C4"]),
])
def test_each_operator(people, rule, expected):
    ann, _ = people
    assert names(filter_queries.query_for_rule_sets(Entity.CONTACT, [[rule]], ann.id)) == expected


def test_date_operators_on_appointments(people):
    ann, _ = people
    q = filter_queries.query_for_rule_sets(Entity.APPOINTMENT, [[Rule("starts_at", "last_days", 7)]], ann.id)
    assert names(q, "subject") == ["recent"]
    before = (utcnow() - timedelta(days=30)).date().isoformat()
    q = filter_queries.query_for_rule_sets(Entity.APPOINTMENT, [[sf.check_rule(
        {"field": "starts_at", "operator": "on_or_before", "value": before}, Entity.APPOINTMENT)]], ann.id)
    assert names(q, "subject") == ["old"]


def test_no_filter_matches_nothing_and_email_is_never_a_task(people):
    ann, _ = people
    assert filter_queries.preview_count(ann.id, Entity.TASK, []) == 0
    assert filter_queries.preview_count(ann.id, Entity.TASK, [[]]) == 2  # an empty rule set matches every task


def test_bad_rules_are_refused_with_reasons_and_nothing_saved(people):
    ann, _ = people
    admin.copy_templates_to_user(ann)
    with pytest.raises(ValidationError) as exc:
        admin.save_user_filters(ann, Entity.CONTACT, [
            ("x", [{"field": "colour", "operator": "eq", "value": 1}], True),
            ("", [{"field": "is_active", "operator": "contains", "value": "y"}], True),
            ("d", [{"field": "modified_at", "operator": "on_or_after", "value": "yesterday"}], True),
        ])
    text = str(exc.value).lower()
    assert "'colour' is not a field of contacts" in text
    assert "filter 2 needs a name" in text
    assert "'contains' does not apply to active" in text
    assert "needs a date like 2026-01-31" in text
    assert [f.name for f in filter_queries.user_filters(ann, Entity.CONTACT)] == ["My contacts"]
    with pytest.raises(ValidationError, match="not valid JSON"):
        sf.parse_rules("[{", Entity.CONTACT)


def test_reset_to_org_defaults_replaces_one_entity(people):
    ann, _ = people
    admin.copy_templates_to_user(ann)
    admin.save_user_filters(ann, Entity.CONTACT, [("all", [], True)])
    admin.save_user_filters(ann, Entity.TASK, [("all tasks", [], True)])
    admin.reset_to_org_defaults(ann, Entity.CONTACT)
    assert [f.name for f in filter_queries.user_filters(ann, Entity.CONTACT)] == ["My contacts"]
    assert [f.name for f in filter_queries.user_filters(ann, Entity.TASK)] == ["all tasks"]
    stored = json.loads(filter_queries.user_filters(ann, Entity.CONTACT)[0].rules)
    assert stored[0] == {"field": "owner", "operator": "eq", "value": ME}


def test_templates_are_org_wide_and_not_duplicated(people):
    admin.ensure_org_templates()
    admin.ensure_org_templates()
    assert SyncFilter.select().where(SyncFilter.user.is_null()).count() == 3
