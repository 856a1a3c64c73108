"""`crmsync migrate-email-router`, run as an administrator runs them: real processes."""
import json
import subprocess

import pytest

from tests.conftest import BIN
from tests.core.router_files import CONFIG, exchange_router, samples, write_router
from tests.core.test_migration_reader import BILLION_LAUGHS

JSON_KEYS = {"profiles", "mailboxes", "unmapped", "warnings", "created", "updated", "unchanged"}


def crmsync(db, *args):
    return subprocess.run([str(BIN / "crmsync"), "--db", str(db), *args], capture_output=True, text=True, timeout=60)


def listed(db, what):
    result = crmsync(db, what, "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_migrate_prints_the_plan_and_changes_nothing(tmp_path):
    db = tmp_path / "crm.db"
    result = crmsync(db, "migrate-email-router", str(samples()), "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Nothing has changed yet" in out and "Run again without --dry-run" in out
    assert "create     Contoso Exchange (Exchange, https://mail.contoso.local/EWS/Exchange.asmx)" in out
    assert "old.sales@fabrikam.local: no user or queue has the address" in out
    assert "processes email from 2026-10-28 22:40 UTC, the router's earliest last poll" in out
    assert "Summary: 15 to create, 0 to update, 0 unchanged." in out
    assert listed(db, "profiles") == [] and listed(db, "mailboxes") == []


def test_migrate_apply_then_again_changes_nothing(tmp_path):
    db = tmp_path / "crm.db"
    result = crmsync(db, "migrate-email-router", str(samples()), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= JSON_KEYS and (data["created"], data["updated"], data["unchanged"]) == (15, 0, 0)
    assert all(isinstance(data[k], list) for k in ("profiles", "mailboxes", "unmapped", "warnings"))
    assert [u["email"] for u in data["unmapped"]] == ["old.sales@fabrikam.local"]
    assert {p["name"] for p in listed(db, "profiles")} == {"Contoso Exchange", "Fabrikam POP3/SMTP"}
    before = (listed(db, "profiles"), listed(db, "mailboxes"), listed(db, "users"), listed(db, "queues"))
    again = json.loads(crmsync(db, "migrate-email-router", str(samples()), "--json").stdout)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 15)
    assert (listed(db, "profiles"), listed(db, "mailboxes"), listed(db, "users"), listed(db, "queues")) == before


def test_apply_prints_what_needs_attention(tmp_path):
    result = crmsync(tmp_path / "crm.db", "migrate-email-router", str(samples() / "fabrikam-pop3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Migrated: 6 created, 0 updated, 0 unchanged")
    assert "Needs attention:" in result.stdout
    assert "Profile 'Fabrikam POP3/SMTP' needs credentials" in result.stdout
    assert "Mailbox old.sales@fabrikam.local has no owner" in result.stdout


def test_migrate_email_router_applies_unless_dry_run(tmp_path):
    db = tmp_path / "crm.db"
    dry = crmsync(db, "migrate-email-router", str(samples() / "contoso-exchange"), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["applied"] is False and set(plan) >= JSON_KEYS and plan["created"] == 9
    assert listed(db, "mailboxes") == []
    done = json.loads(crmsync(db, "migrate-email-router", str(samples() / "contoso-exchange"), "--json").stdout)
    assert done["applied"] is True and done["created"] == 9
    assert len(listed(db, "mailboxes")) == 4


def test_yes_confirms_remaps(tmp_path):
    db = tmp_path / "crm.db"
    folder = exchange_router(tmp_path / "r", mailboxes=[("ann@example.local", "")])
    for args in (["init"], ["users", "add", "--name", "Ann", "--email", "ann@example.local"],
                 ["mailboxes", "add", "--name", "Ann old", "--email", "ann.old@example.local"],
                 ["mailboxes", "map", "Ann old", "--user", "ann@example.local"]):
        assert crmsync(db, *args).returncode == 0
    plan = crmsync(db, "migrate-email-router", str(folder), "--dry-run")
    assert "Conflicts (remapped only when confirmed with --yes)" in plan.stdout
    without = crmsync(db, "migrate-email-router", str(folder))
    assert "was not remapped" in without.stdout
    assert {m["name"]: m["owner"] for m in listed(db, "mailboxes")}["Ann old"] == "user Ann <ann@example.local>"
    with_yes = crmsync(db, "migrate-email-router", str(folder), "--yes")
    assert with_yes.returncode == 0 and "was not remapped" not in with_yes.stdout
    owners = {m["email"]: m["owner"] for m in listed(db, "mailboxes")}
    assert owners == {"ann.old@example.local": "-", "ann@example.local": "user Ann <ann@example.local>"}


@pytest.mark.parametrize("make, words", [
    (lambda p: write_router(p / "evil", BILLION_LAUGHS.encode()), "was refused: it declares a DTD"),
    (lambda p: p / "nowhere", "does not exist"),
    (lambda p: write_router(p / "bad", b"<Configuration>"), "is not well-formed XML"),
])
def test_bad_or_hostile_input_gets_one_clear_line(tmp_path, make, words):
    result = crmsync(tmp_path / "crm.db", "migrate-email-router", str(make(tmp_path)))
    assert result.returncode == 1
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""
    if words != "does not exist":
        assert CONFIG in result.stderr, "the message names the file"
