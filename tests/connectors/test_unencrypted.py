"""No TLS to a host other than this computer unless the profile's administrator allowed it (issue 22, defect 4)."""
import asyncio
import logging

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import exchange, imap, pop3
from crmsync_gui.core.connectors._unencrypted import is_loopback
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.core.sync import incoming
from tests.connectors import conftest

# .test never resolves: a refusal comes before any connection, an allowed profile fails at the name lookup
REMOTE = "mail.contoso.test"


def job(db, server_type, incoming_server, **fields):
    profile = EmailServerProfile.create(name=f"Plain {server_type.name}", server_type=server_type,
                                        incoming_server=incoming_server, outgoing_server=f"{REMOTE}:25",
                                        incoming_use_ssl=False, outgoing_use_ssl=False, **fields)
    user = CrmUser.create(full_name="Ann Lee", email="ann@contoso.test")
    mailbox = Mailbox.create(name="Ann", email="ann@contoso.test", owner_user=user, profile=profile)
    return conftest.TestJob(mailbox, profile, "pw", timeout_s=2)


def pull(connector, test_job):
    async def go():
        try:
            return await incoming.run(test_job, connector)
        finally:
            await connector.close()
    return asyncio.run(go())


@pytest.mark.parametrize("server_type, connector, server", [
    (codes.ServerType.POP3_SMTP, pop3.Pop3Connector, f"{REMOTE}:110"),
    (codes.ServerType.IMAP_SMTP, imap.ImapConnector, f"{REMOTE}:143"),
    (codes.ServerType.EXCHANGE, exchange.ExchangeConnector, f"http://{REMOTE}/EWS/Exchange.asmx"),
])
def test_no_tls_to_another_host_is_refused_until_allowed_then_warned(db, caplog, server_type, connector, server):
    refused = job(db, server_type, server)
    with pytest.raises(PermanentError) as caught:
        pull(connector(refused.profile), refused)
    assert caught.value.code == "UnencryptedRefused"
    assert f"crmsync profiles edit '{refused.profile.name}' --allow-unencrypted" in str(caught.value)

    EmailServerProfile.update(allow_unencrypted=True).execute()
    allowed = conftest.TestJob(refused.mailbox, EmailServerProfile.get(), "pw", timeout_s=2)
    with caplog.at_level(logging.WARNING), pytest.raises(TransientError):  # got as far as looking the name up
        pull(connector(allowed.profile), allowed)
    assert "without encryption, as its administrator allowed" in caplog.text


def test_smtp_without_tls_to_another_host_is_refused(db):
    refused = job(db, codes.ServerType.POP3_SMTP, f"{REMOTE}:110")
    with pytest.raises(PermanentError, match="without encryption") as caught:
        asyncio.run(pop3.Pop3Connector(refused.profile).transport._open(refused))
    assert caught.value.code == "UnencryptedRefused"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("[::1]", True),
                                            ("localhost", True), ("127.8.9.1", True), ("10.0.0.1", False),
                                            ("mail.contoso.test", False), ("localhost.contoso.test", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_the_cli_allows_unencrypted_connections_explicitly_with_a_warning(tmp_path):
    from tests.core.test_cli import crmsync

    assert crmsync(tmp_path / "crm.db", "init").returncode == 0  # the other commands refuse a path with no database
    result = crmsync(tmp_path / "crm.db", "profiles", "add", "--name", "Plain", "--type", "pop3/smtp", "--incoming",
                     f"{REMOTE}:110", "--outgoing", f"{REMOTE}:25", "--no-ssl", "--allow-unencrypted")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "crmsync: warning: this profile's passwords and email cross the network unencrypted."
    crmsync(tmp_path / "crm.db", "profiles", "add", "--name", "Console-made", "--type", "pop3/smtp", "--incoming",
            f"{REMOTE}:110", "--outgoing", f"{REMOTE}:25", "--no-ssl")
    allowed = crmsync(tmp_path / "crm.db", "profiles", "edit", "Console-made", "--allow-unencrypted")
    assert allowed.returncode == 0 and "cross the network unencrypted" in allowed.stderr
    from crmsync_gui.core.store.db import close_database, open_database

    open_database(tmp_path / "crm.db")
    try:
        assert [p.allow_unencrypted for p in EmailServerProfile.select().order_by(EmailServerProfile.id)] == [True, True]
    finally:
        close_database()
