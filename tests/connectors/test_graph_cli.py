"""`crmsync profiles add/edit/list/test` with a Microsoft Graph profile, as an administrator runs them (a real
process), against the Graph sandbox."""
from __future__ import annotations

import json

import pytest

from crmsync_gui.sandbox.graph.tokens import ALL_PERMISSIONS
from tests.connectors.graph_world import CLIENT_ID, SECRET, TENANT
from tests.core.test_cli import crmsync


@pytest.fixture(autouse=True)
def _trust_only_the_profiles_ca(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)


@pytest.fixture
def new_db(tmp_path):
    """A new database, as `crmsync init` makes it (the other commands refuse a path with none)."""
    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0
    return db


def graph_options(graph) -> list[str]:
    return ["--graph-url", graph.graph_url, "--authority", graph.url, "--ca-file", graph.ca_file]


def test_a_graph_profile_is_added_edited_listed_and_tested(new_db, sandbox, graph):
    db = new_db
    sandbox.add_mailbox("cli-graph@sandbox.test", "unused", name="Cli")
    added = crmsync(db, "profiles", "add", "--name", "Online", "--type", "exchange online hybrid", "--auth", "oauth",
                    "--username", CLIENT_ID, "--oauth-tenant", TENANT, *graph_options(graph), "--password-stdin",
                    stdin=SECRET + "\n")
    assert added.returncode == 0, added.stderr
    [row] = json.loads(crmsync(db, "profiles", "list", "--json").stdout)
    assert (row["protocol"], row["incoming"], row["password"]) == ("Microsoft Graph", graph.graph_url, "set")
    tested = crmsync(db, "profiles", "test", "Online", "--address", "cli-graph@sandbox.test")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Incoming email: OK" in tested.stdout and "Outgoing email: OK" in tested.stdout

    graph.add_app("cli-narrow", "narrow", tenant=TENANT, permissions=ALL_PERMISSIONS - {"Mail.Send"})
    edited = crmsync(db, "profiles", "edit", "Online", "--username", "cli-narrow", "--password-stdin",
                     stdin="narrow\n")
    assert edited.returncode == 0, edited.stderr
    tested = crmsync(db, "profiles", "test", "Online", "--address", "cli-graph@sandbox.test")
    assert tested.returncode == 1 and "Incoming email: OK" in tested.stdout
    assert "Outgoing email: failed (PermissionMissing)" in tested.stdout and "Mail.Send" in tested.stdout
    assert "Grant admin consent" in tested.stdout and "narrow" not in tested.stdout.replace("cli-narrow", "")


@pytest.mark.parametrize(("options", "says"), [
    (["--protocol", "graph", "--auth", "basic"], "Microsoft Graph signs in as an app: choose OAuth"),
    (["--protocol", "graph", "--auth", "oauth", "--username", "app", "--oauth-tenant", TENANT,
      "--cert-thumbprint", "ab" * 20], "needs both the certificate's thumbprint and the path of its private key"),
    (["--protocol", "graph", "--auth", "oauth", "--username", "app", "--oauth-tenant", TENANT,
      "--graph-url", "http://graph.example"], "must be an https:// URL"),
    (["--protocol", "smoke signals"], "not a valid exchange protocol"),
    (["--protocol", "graph", "--auth", "oauth", "--username", "app", "--oauth-tenant", TENANT,
      "--cert-thumbprint", "ab" * 20, "--private-key-file", "/no/such/key.pem"], "private key file"),
])
def test_bad_graph_fields_are_refused_in_one_line(new_db, options, says):
    done = crmsync(new_db, "profiles", "add", "--name", "X", *options)
    assert done.returncode != 0 and says in done.stderr and "Traceback" not in done.stderr
    assert json.loads(crmsync(new_db, "profiles", "list", "--json").stdout) == []


def test_edit_with_nothing_to_change_says_so(new_db):
    db = new_db
    assert crmsync(db, "profiles", "add", "--name", "P", "--incoming", "https://mail.contoso.com").returncode == 0
    done = crmsync(db, "profiles", "edit", "P")
    assert done.returncode != 0 and "Nothing to change" in done.stderr


def test_engine_log_jobs_shows_a_mailboxs_request_budget(capsys):
    from crmsync_gui import cli
    from crmsync_gui.core import events

    cli._print_job_events(events.RequestBudget(5, 1234, 10_000, 600.0))
    assert "mailbox 5 requests in the last 10 minutes: 1,234 of 10,000" in capsys.readouterr().out


def test_testing_a_graph_profile_needs_a_mailbox_address(new_db):
    db = new_db
    added = crmsync(db, "profiles", "add", "--name", "Online", "--type", "exchange online hybrid", "--auth", "oauth",
                    "--username", CLIENT_ID, "--oauth-tenant", TENANT)
    assert added.returncode == 0, added.stderr
    tested = crmsync(db, "profiles", "test", "Online")
    assert tested.returncode != 0 and "Give a mailbox's email address to test with" in tested.stderr
