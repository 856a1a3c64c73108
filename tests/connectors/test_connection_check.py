"""Test connection (core/sync/connection_check.py) against real servers: the EWS sandbox, Dovecot's POP3 and
IMAP, the aiosmtpd SMTP server, and a port where nothing listens. The profile is never saved."""
import asyncio

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store.models import EmailServerProfile, TraceLog
from crmsync_gui.core.sync.connection_check import test_connection as check
from tests.schema_check import recording_sandbox
from tests.servers.ports import free_port

D = codes.Direction


@pytest.fixture(scope="module")
def sandbox():
    with recording_sandbox() as server:
        server.add_mailbox("ann@sandbox.test", "ann-pw", name="Ann")
        yield server


def ews_fields(sandbox, **more):
    return {"name": "Sandbox", "server_type": codes.ServerType.EXCHANGE, "auth_type": codes.AuthType.BASIC,
            "incoming_server": sandbox.url, "trusted_ca_file": sandbox.ca_file, "timeout_ms": 10_000} | more


def test_exchange_both_directions_pass_with_the_right_password(db, sandbox):
    results = asyncio.run(check(ews_fields(sandbox), password="ann-pw", address="ann@sandbox.test"))
    assert [(r.direction, r.ok) for r in results] == [(D.INCOMING, True), (D.OUTGOING, True)]
    assert EmailServerProfile.select().count() == 0 and TraceLog.select().count() == 0  # nothing saved


def test_exchange_wrong_password_says_why_and_what_to_do(db, sandbox):
    results = asyncio.run(check(ews_fields(sandbox), password="wrong", address="ann@sandbox.test"))
    assert all(not r.ok for r in results)
    assert results[0].code == "AuthenticationFailed" and not results[0].transient
    assert "refused the sign-in" in results[0].message and "wrong" not in results[0].message
    assert "user name and password" in results[0].remediation


def test_exchange_impersonation_account_is_the_default_test_address(db, sandbox):
    sandbox.add_mailbox("svc@sandbox.test", "svc-pw", name="Service")
    sandbox.add_mailbox("bob@sandbox.test", "bob-pw", name="Bob")
    fields = ews_fields(sandbox, username="svc@sandbox.test")
    assert all(r.ok for r in asyncio.run(check(fields, password="svc-pw")))  # its own mailbox
    denied = asyncio.run(check(fields, password="svc-pw", address="bob@sandbox.test"))
    assert [r.code for r in denied] == ["AccessDenied", "AccessDenied"] and "bob@sandbox.test" in denied[0].message
    sandbox.grant_impersonation("svc@sandbox.test")
    assert all(r.ok for r in asyncio.run(check(fields, password="svc-pw", address="bob@sandbox.test")))
    with pytest.raises(ValidationError, match="email address to test with"):
        asyncio.run(check(ews_fields(sandbox), password="ann-pw"))


def mail_fields(server_type, incoming_port, smtp_server, test_certs, **more):
    return {"name": "Mail", "server_type": server_type, "incoming_server": f"127.0.0.1:{incoming_port}",
            "outgoing_server": f"127.0.0.1:{smtp_server.port}", "outgoing_starttls": True,
            "trusted_ca_file": str(test_certs.ca_file), "timeout_ms": 5_000} | more


@pytest.mark.parametrize("server_type", [codes.ServerType.POP3_SMTP, codes.ServerType.IMAP_SMTP])
def test_pop3_and_imap_with_smtp_pass(db, dovecot, smtp_server, test_certs, server_type):
    login, password = dovecot.add_user()
    smtp_server.users[login] = password
    port = dovecot.pop3s_port if server_type == codes.ServerType.POP3_SMTP else dovecot.imaps_port
    fields = mail_fields(server_type, port, smtp_server, test_certs)
    results = asyncio.run(check(fields, password=password, address=login))
    assert [(r.direction, r.ok, r.code) for r in results] == [(D.INCOMING, True, ""), (D.OUTGOING, True, "")]


def test_imap_with_starttls_on_the_plain_port(db, dovecot, smtp_server, test_certs):
    login, password = dovecot.add_user()
    smtp_server.users[login] = password
    fields = mail_fields(codes.ServerType.IMAP_SMTP, dovecot.imap_port, smtp_server, test_certs,
                         incoming_starttls=True)
    results = asyncio.run(check(fields, password=password, address=login))
    assert results[0].ok, results[0].message


def test_a_dead_port_is_a_clear_error_for_that_direction_only(db, dovecot, smtp_server, test_certs):
    login, password = dovecot.add_user()
    smtp_server.users[login] = password
    fields = mail_fields(codes.ServerType.IMAP_SMTP, free_port(), smtp_server, test_certs)
    results = asyncio.run(check(fields, password=password, address=login))
    incoming, outgoing = results
    assert not incoming.ok and incoming.code == "ServerUnreachable" and incoming.transient
    assert "refused the connection" in incoming.message and "port" in incoming.remediation
    assert outgoing.ok


def test_invalid_fields_are_refused_before_any_connection(db):
    with pytest.raises(ValidationError, match="not a host name"):
        asyncio.run(check({"server_type": codes.ServerType.POP3_SMTP, "incoming_server": "bad host",
                           "outgoing_server": "smtp:25"}, password="x", address="a@b.c"))


def test_the_cli_tests_a_saved_profile_with_its_stored_password(tmp_path, sandbox):
    from tests.core.test_cli import crmsync

    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0  # the other commands refuse a path with no database
    added = crmsync(db, "profiles", "add", "--name", "Sandbox", "--incoming", sandbox.url, "--auth", "basic",
                    "--ca-file", sandbox.ca_file, "--username", "ann@sandbox.test", "--password-stdin",
                    stdin="ann-pw\n")
    assert added.returncode == 0, added.stderr
    passed = crmsync(db, "profiles", "test", "Sandbox")
    assert passed.returncode == 0, passed.stderr
    assert passed.stdout.splitlines() == ["Test connection of profile 'Sandbox':", "  Incoming email: OK",
                                          "  Outgoing email: OK"]
    denied = crmsync(db, "profiles", "test", "Sandbox", "--address", "nobody@sandbox.test")
    assert denied.returncode == 1
    assert "  Incoming email: failed (AccessDenied) The account may not open this mailbox" in denied.stdout
    assert "    What to do: Give the profile's account access (impersonation)" in denied.stdout
    missing = crmsync(db, "profiles", "test", "Nope")
    assert missing.returncode != 0 and "Traceback" not in missing.stderr


def test_exchange_at_a_dead_port_says_it_could_not_connect(db, sandbox):
    results = asyncio.run(check(ews_fields(sandbox, incoming_server=f"https://127.0.0.1:{free_port()}/EWS/Exchange.asmx",
                                           timeout_ms=3000), password="ann-pw", address="ann@sandbox.test"))
    assert [r.code for r in results] == ["ConnectionFailed", "ConnectionFailed"]
    assert results[0].message == ("Could not connect to the Exchange server while opening the inbox folder of "
                                  "ann@sandbox.test ([Errno 111] Connection refused).")
