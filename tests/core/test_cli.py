"""The `crmsync` command, run as an administrator runs it: a real process."""
import json
import subprocess

import pytest

from crmsync_gui.core import codes
from tests.conftest import BIN

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def crmsync(db, *args, stdin=None):
    return subprocess.run([str(BIN / "crmsync"), "--db", str(db), *args], capture_output=True, text=True,
                          input=stdin, timeout=60)


@pytest.fixture
def empty_db(tmp_path):
    """A new database, as `crmsync init` makes it (other commands refuse a path with no database)."""
    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0
    return db


@pytest.fixture
def dbfile(tmp_path):
    db = tmp_path / "crm.db"
    for args in (["init"],
                 ["profiles", "add", "--name", "Contoso", "--incoming", EWS],
                 ["users", "add", "--name", "Ann Lee", "--email", "ann@contoso.com"],
                 ["mailboxes", "add", "--name", "Ann", "--email", "ann@contoso.com", "--profile", "Contoso"],
                 ["mailboxes", "add", "--name", "Ann2", "--email", "ann2@contoso.com", "--profile", "Contoso"],
                 ["mailboxes", "map", "Ann", "--user", "ann@contoso.com"]):
        result = crmsync(db, *args)
        assert result.returncode == 0, result.stderr
    return db


def owners(db):
    rows = json.loads(crmsync(db, "mailboxes", "list", "--json").stdout)
    return {r["name"]: r["owner"] for r in rows}


def test_reassign_without_yes_changes_nothing_and_names_the_current_mailbox(dbfile):
    before = dbfile.read_bytes() if not (dbfile.parent / "crm.db-wal").exists() else None
    result = crmsync(dbfile, "mailboxes", "map", "Ann2", "--user", "ann@contoso.com")
    assert result.returncode != 0
    assert "already mapped to mailbox 'Ann'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert owners(dbfile) == {"Ann": "user Ann Lee <ann@contoso.com>", "Ann2": "-"}
    if before is not None:
        assert dbfile.read_bytes() == before


def test_reassign_with_yes(dbfile):
    result = crmsync(dbfile, "mailboxes", "map", "Ann2", "--user", "ann@contoso.com", "--yes")
    assert result.returncode == 0, result.stderr
    assert owners(dbfile) == {"Ann": "-", "Ann2": "user Ann Lee <ann@contoso.com>"}


@pytest.mark.parametrize("args, words", [
    (["profiles", "add", "--name", "X", "--incoming", EWS, "--max-connections", "301"], "between 1 and 300"),
    (["profiles", "add", "--name", "X", "--incoming", EWS, "--timeout-ms", "abc"], "invalid int value"),
    (["profiles", "add", "--name", "X", "--incoming", "not a url"], "not an EWS URL"),
    (["profiles", "add", "--name", "X", "--type", "fax", "--incoming", EWS], "not a valid server type"),
    (["users", "add", "--name", "B", "--email", "nope"], "not an email address"),
    (["mailboxes", "map", "Nobody", "--user", "ann@contoso.com"], "No mailbox 'Nobody'"),
    (["mailboxes", "frobnicate"], "invalid choice"),
])
def test_bad_input_gets_one_clear_line_and_non_zero_exit(dbfile, args, words):
    result = crmsync(dbfile, *args)
    assert result.returncode != 0
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unusable_database_path(tmp_path):
    result = crmsync("/proc/no/such/dir/crm.db", "init")
    assert result.returncode != 0 and "Choose another location" in result.stderr
    assert "Traceback" not in result.stderr


def test_approve_and_list(dbfile):
    assert crmsync(dbfile, "mailboxes", "approve", "Ann").returncode == 0
    rows = json.loads(crmsync(dbfile, "mailboxes", "list", "--json").stdout)
    assert {r["name"]: r["approval"] for r in rows} == {"Ann": "Approved", "Ann2": "Pending approval"}


def test_pop3_profile_with_starttls_and_delete_after_import(empty_db):
    db = empty_db
    result = crmsync(db, "profiles", "add", "--name", "Mail", "--type", "pop3/smtp", "--incoming",
                     "mail.contoso.com:110", "--outgoing", "mail.contoso.com:587", "--starttls",
                     "--delete-after-import")
    assert result.returncode == 0, result.stderr
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import EmailServerProfile

    open_database(db)
    try:
        profile = EmailServerProfile.get(EmailServerProfile.name == "Mail")
        assert profile.incoming_starttls and profile.outgoing_starttls and profile.incoming_use_ssl
        assert not profile.leave_email_on_server
    finally:
        close_database()


def test_undeliverable_option_is_refused_for_pop3_with_the_reason(empty_db):
    db = empty_db
    result = crmsync(db, "profiles", "add", "--name", "Mail", "--type", "pop3/smtp", "--incoming",
                     "mail.contoso.com", "--outgoing", "mail.contoso.com", "--move-failed-to-undeliverable")
    assert result.returncode != 0 and "POP3 has no folders" in result.stderr
    result = crmsync(db, "profiles", "add", "--name", "Mail", "--type", "imap/smtp", "--incoming",
                     "mail.contoso.com", "--outgoing", "mail.contoso.com", "--move-failed-to-undeliverable")
    assert result.returncode == 0, result.stderr


def test_oauth_profile_from_the_command_line(empty_db):
    db = empty_db
    common = ["profiles", "add", "--name", "Online", "--incoming", "https://outlook.office365.com/EWS/Exchange.asmx",
              "--auth", "oauth", "--username", "0b7c-app-id"]
    result = crmsync(db, *common)
    assert result.returncode != 0 and "tenant ID or domain" in result.stderr
    result = crmsync(db, *common, "--oauth-tenant", "contoso.onmicrosoft.com")
    assert result.returncode == 0, result.stderr
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import EmailServerProfile

    open_database(db)
    try:
        profile = EmailServerProfile.get(EmailServerProfile.name == "Online")
        assert (profile.auth_type, profile.oauth_tenant) == (codes.AuthType.OAUTH, "contoso.onmicrosoft.com")
    finally:
        close_database()


def test_unreadable_emails_are_listed_and_saved(dbfile, tmp_path):
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox, UnreadableEmail

    assert "no unreadable emails" in crmsync(dbfile, "mailboxes", "unreadable", "Ann").stdout
    open_database(dbfile)
    try:
        UnreadableEmail.create(mailbox=Mailbox.get(Mailbox.name == "Ann"), server_id="17:4",
                               reason="Email 17:4 could not be read: it is empty.", raw=b"\r\n", raw_size=2)
    finally:
        close_database()
    result = crmsync(dbfile, "mailboxes", "unreadable", "Ann", "--save", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "17:4" in result.stdout and "it is empty" in result.stdout
    assert [f.read_bytes() for f in (tmp_path / "out").iterdir()] == [b"\r\n"]


def test_unknown_mailbox_names_the_command_that_lists_them(dbfile):
    result = crmsync(dbfile, "mailboxes", "map", "Nobody", "--user", "ann@contoso.com")
    assert result.returncode != 0
    assert result.stderr.strip().endswith("List them with: crmsync mailboxes list"), result.stderr


@pytest.mark.parametrize("args, words", [
    (["sandbox", "serve", "--port", "99999"], "'99999' is not a port number"),
    (["profiles", "add", "--name", "X", "--incoming", EWS, "--ca-file", "/no/such/ca.pem"],
     "CA bundle '/no/such/ca.pem' does not exist"),
    (["mailboxes", "list", "--wrong"], "unrecognized arguments"),
])
def test_more_bad_arguments_get_one_line(empty_db, args, words):
    result = crmsync(empty_db, *args)
    assert result.returncode != 0
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_empty_db_argument_is_an_error_not_the_default_database(tmp_path):
    result = subprocess.run([str(BIN / "crmsync"), "--db", "", "init"], capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode != 0 and "--db is empty" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert list(tmp_path.iterdir()) == []  # the default database was not created


def test_empty_password_on_stdin_is_refused_and_nothing_saved(empty_db):
    db = empty_db
    result = crmsync(db, "profiles", "add", "--name", "P", "--incoming", EWS, "--password-stdin", stdin="\n")
    assert result.returncode != 0 and "empty password" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(crmsync(db, "profiles", "list", "--json").stdout) == []


def test_sandbox_port_in_use_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = crmsync(tmp_path / "crm.db", "sandbox", "serve", "--port", str(taken.getsockname()[1]))
    assert result.returncode != 0 and "cannot listen on port" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("command", [["users", "list"], ["engine", "workers"], ["profiles", "add", "--name", "P",
                                                                                  "--incoming", EWS]])
def test_a_mistyped_db_path_is_refused_and_nothing_is_created(tmp_path, command):
    typo = tmp_path / "nonexistent" / "x.db"
    result = crmsync(typo, *command)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (f"crmsync: There is no database at {typo}. Check the path, or create one there "
                                     f"with `crmsync --db {typo} init`.")
    assert list(tmp_path.iterdir()) == []  # no folder, no empty database
    assert crmsync(typo, "init").returncode == 0 and crmsync(typo, *command).returncode == 0  # init creates it


def test_a_users_meetings_list_each_attendees_answer_as_the_console_does(dbfile):
    from datetime import timedelta

    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Activity, ActivityParty, CrmUser

    assert "organizes no meeting" in crmsync(dbfile, "users", "meetings", "ann@contoso.com").stdout
    open_database(dbfile)
    try:
        starts = utcnow().replace(second=0, microsecond=0) + timedelta(days=1)
        review = Activity.create(activity_type=int(codes.ActivityType.APPOINTMENT), subject="Quarterly review",
                                 owner_user=CrmUser.get(CrmUser.email == "ann@contoso.com"), starts_at=starts,
                                 ends_at=starts + timedelta(hours=1))
        for address, name, answer in (("bob@contoso.com", "Bob", codes.MeetingResponse.ACCEPTED),
                                      ("cy@fabrikam.com", None, None)):
            ActivityParty.create(activity=review, role=int(codes.PartyRole.REQUIRED), address=address,
                                 display_name=name, response=int(answer) if answer is not None else None)
    finally:
        close_database()
    result = crmsync(dbfile, "users", "meetings", "Ann Lee", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"subject": "Quarterly review",
                                          "starts": starts.isoformat(sep=" ", timespec="minutes"),
                                          "answers": "Bob: Accepted, cy@fabrikam.com: No response"}]
    assert "Bob: Accepted" in crmsync(dbfile, "users", "meetings", "ann@contoso.com").stdout
    nobody = crmsync(dbfile, "users", "meetings", "nobody@x.org")
    assert nobody.returncode != 0 and len(nobody.stderr.strip().splitlines()) == 1
