"""What the console does day to day, from the command line (issue 23 item 8), through the same core calls:
a mailbox's credentials and methods, a user's tracking option, Enable/Disable, Sync now, the Errors page's rows
with what to do, and the Alerts page's list and Acknowledge. Real processes on a real database."""
import json
import sqlite3

from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import Alert
from crmsync_gui.core.sync import trace
from tests.core.test_cli import EWS, crmsync


def ok(db, *args, stdin=None) -> str:
    result = crmsync(db, *args, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(db, *args, words: str) -> None:
    result = crmsync(db, *args)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def columns(db, sql: str):
    with sqlite3.connect(db) as con:
        return con.execute(sql).fetchone()


def test_a_mailboxs_credentials_and_methods_and_a_users_tracking_option(tmp_path):
    db = tmp_path / "crm.db"
    for args in (["init"], ["profiles", "add", "--name", "Contoso", "--incoming", EWS],
                 ["users", "add", "--name", "Ann Lee", "--email", "ann@contoso.com"],
                 ["mailboxes", "add", "--name", "Ann", "--email", "ann@contoso.com", "--profile", "Contoso"]):
        ok(db, *args)
    out = ok(db, "mailboxes", "edit", "Ann", "--username", "ann@contoso.com", "--password-stdin",
             "--act-method", "none", stdin="Own-secret-9\n")
    assert out == "Mailbox 'Ann' saved (id 1); its own password is stored.\n"
    assert columns(db, "select username, act_method, secret_ref is not null from mailbox") == ("ann@contoso.com", 2, 1)
    assert b"Own-secret-9" not in db.read_bytes()
    refused(db, "mailboxes", "edit", "Ann", "--act-method", "sometimes", words="'sometimes' is not a valid")
    refused(db, "mailboxes", "edit", "Ann", words="Nothing to change")
    assert columns(db, "select act_method from mailbox") == (2,)  # a refused edit saved nothing

    assert "incoming email tracked: none." in ok(db, "users", "edit", "ann@contoso.com", "--tracking", "none")
    refused(db, "users", "edit", "Ann Lee", "--tracking", "some", words="'some' is not a valid incoming email tracking")
    assert columns(db, "select tracking_option from crm_user") == (4,)


def test_enable_disable_and_sync_now_against_the_exchange_sandbox(tmp_path):
    from crmsync_gui.sandbox import SandboxServer

    db = tmp_path / "crm.db"
    with SandboxServer() as sandbox:
        sandbox.add_mailbox("ann@sandbox.test", "ann-pw")
        sandbox.add_message("ann@sandbox.test", subject="Hello", sender=("Bo", "bo@fabrikam.com"),
                            to=[("Ann", "ann@sandbox.test")])
        for args in (["init"], ["profiles", "add", "--name", "Sandbox", "--incoming", sandbox.url, "--auth", "basic",
                                "--ca-file", sandbox.ca_file],
                     ["users", "add", "--name", "Ann Lee", "--email", "ann@sandbox.test"],
                     ["mailboxes", "add", "--name", "Ann", "--email", "ann@sandbox.test", "--profile", "Sandbox"],
                     ["users", "edit", "Ann Lee", "--tracking", "all"],
                     ["mailboxes", "map", "Ann", "--user", "ann@sandbox.test"], ["mailboxes", "approve", "Ann"]):
            ok(db, *args)
        ok(db, "mailboxes", "edit", "Ann", "--username", "ann@sandbox.test", "--password-stdin",
           "--act-method", "none", stdin="ann-pw\n")
        refused(db, "mailboxes", "sync", "Ann", words="cannot sync now")  # not enabled yet
        refused(db, "mailboxes", "sync", "Ann", "--direction", "sideways", words="'sideways' is not a valid sync")
        assert ok(db, "mailboxes", "enable", "Ann") == "1 mailboxes enabled.\n"
        synced = ok(db, "mailboxes", "sync", "Ann", "--direction", "incoming")
        assert ok(db, "mailboxes", "enable", "Ann", "--disable") == "1 mailboxes disabled.\n"
        after = crmsync(db, "mailboxes", "sync", "Ann")
    assert synced.splitlines() == ["Sync now of mailbox 'Ann':", "  Incoming email: Success, 1 items"]
    assert columns(db, "select count(*) from activity") == (1,)  # the email, tracked
    assert columns(db, "select incoming_enabled, outgoing_enabled from mailbox") == (0, 0)
    assert after.returncode != 0 and "cannot sync now" in after.stderr


def test_errors_with_what_to_do_and_alerts_listed_and_acknowledged(tmp_path):
    db = tmp_path / "crm.db"
    ok(db, "init")
    open_database(db)
    try:
        now = utcnow()
        trace.record("AuthenticationFailed", "Mailbox 'Ann', incoming email: Exchange refused the sign-in.", at=now)
        trace.record("ServerError", "Mailbox 'Bob', incoming email: the server failed.", at=now, transient=True)
        trace.record("TestSucceeded", "Test of incoming email for mailbox 'Ann' passed; it is enabled.", at=now)
        first = Alert.create(message="2 of 2 mailboxes of profile 'Branch' failed within the last hour.")
        Alert.create(message="1 of 2 mailboxes of profile 'Head' failed within the last hour.")
    finally:
        close_database()
    out = ok(db, "errors", "list", "--level", "warning")
    assert "AuthenticationFailed" in out and "ServerError" in out and "TestSucceeded" not in out
    assert f"  What to do: {trace.CATALOGUE['AuthenticationFailed'].remediation}" in out
    rows = json.loads(ok(db, "errors", "list", "--code", "Auth", "--json"))
    assert [(r["code"], r["level"], r["what_to_do"]) for r in rows] == [
        ("AuthenticationFailed", "Error", trace.CATALOGUE["AuthenticationFailed"].remediation)]
    refused(db, "errors", "list", "--level", "loud", words="'loud' is not a valid trace level")
    refused(db, "errors", "list", "--mailbox", "Nobody", words="Nobody")

    assert [a["id"] for a in json.loads(ok(db, "alerts", "list", "--json"))] == [first.id + 1, first.id]
    refused(db, "alerts", "ack", "99", words="No alert has the id 99")
    assert ok(db, "alerts", "ack", str(first.id)) == "1 alerts acknowledged.\n"
    assert [a["id"] for a in json.loads(ok(db, "alerts", "list", "--json"))] == [first.id + 1]
    assert len(json.loads(ok(db, "alerts", "list", "--all", "--json"))) == 2
    assert ok(db, "alerts", "ack", "--all") == "1 alerts acknowledged.\n"
    assert "(none)" in ok(db, "alerts", "list")
