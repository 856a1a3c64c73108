"""Fixtures for the connectors: a real Dovecot and a real SMTP server on loopback, the EWS sandbox and Outlook's
side of its mailboxes."""
from __future__ import annotations

import asyncio
import copy
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
from exchangelib.protocol import BaseProtocol, FailFast

from crmsync_gui.core import codes
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.sandbox.trust import CaFileAdapter, url_prefix
from tests import graph_check
from tests.schema_check import assert_schema_valid, recording_sandbox
from tests.servers import dovecot as dovecot_server
from tests.servers.smtp import IGNORED_WARNING, SmtpServer
from tests.servers.tls import make_certificates


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", IGNORED_WARNING)


@pytest.fixture(scope="session")
def test_certs(tmp_path_factory):
    """One test CA for every server, as a profile has one trusted CA file for incoming and outgoing."""
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def dovecot(test_certs):
    reason = dovecot_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = dovecot_server.start_dovecot(test_certs)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sandbox():
    """One EWS sandbox for a module's tests (each makes its own mailboxes on it), started once; it keeps what it
    serves in .seen for the schema check below."""
    with recording_sandbox() as server:
        yield server


@pytest.fixture(autouse=True)
def ews_schema_checked(request, validator):
    """Every EWS request and reply of a test that used the sandbox passes Microsoft's schema."""
    if "sandbox" not in request.fixturenames:
        yield
        return
    sandbox = request.getfixturevalue("sandbox")
    sandbox.seen.clear()
    yield
    assert_schema_valid(validator, sandbox.seen)


@pytest.fixture(scope="session")
def smtp_server(test_certs):
    server = SmtpServer(test_certs, users={}).start()
    yield server
    server.stop()


@dataclass
class TestJob:
    """The engine's side of connector.Job, recording what a connector does with it."""

    mailbox: Mailbox
    profile: EmailServerProfile
    password: str | None
    timeout_s: float = 10.0
    published: list = field(default_factory=list)
    open_connections: int = 0
    peak_connections: int = 0

    @asynccontextmanager
    async def connection(self):
        self.open_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        try:
            yield
        finally:
            self.open_connections -= 1

    def watcher_place(self):
        return lambda: None

    def publish(self, event) -> None:
        self.published.append(event)


@dataclass
class MailAccount:
    """A CRM user with a mailbox on a POP3/IMAP profile pointing at the test Dovecot and SMTP server."""

    user: CrmUser
    profile: EmailServerProfile
    mailbox: Mailbox
    login: str
    password: str
    dovecot: object

    def job(self, **overrides) -> TestJob:
        self.profile = EmailServerProfile.get_by_id(self.profile.id)
        self.mailbox = Mailbox.get_by_id(self.mailbox.id)
        return TestJob(self.mailbox, self.profile, overrides.pop("password", self.password), **overrides)

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        self.dovecot.append(self.login, self.password, *messages, folder=folder)

    def set(self, **fields) -> None:
        EmailServerProfile.update(**fields).where(EmailServerProfile.id == self.profile.id).execute()
        self.profile = EmailServerProfile.get_by_id(self.profile.id)

    def unreadable_on_disk(self, subject: bytes) -> None:
        """Make Dovecot's file of the email with this subject unreadable to it (a broken file on the server)."""
        [broken] = [f for f in self._maildir() if b"Subject: " + subject in f.read_bytes()]  # root still reads
        broken.chmod(0)

    def readable_again(self) -> None:
        for path in self._maildir():  # Dovecot may have moved the file from new/ to cur/ meanwhile
            path.chmod(0o600)

    def _maildir(self) -> list:
        return sorted((self.dovecot.folder / "mail" / self.login).glob("*/*,*"))


def make_account(db, dovecot, smtp_server, server_type: codes.ServerType, **profile_fields) -> MailAccount:
    login, password = dovecot.add_user()
    smtp_server.users[login] = password
    port = dovecot.pop3s_port if server_type == codes.ServerType.POP3_SMTP else dovecot.imaps_port
    user = CrmUser.create(full_name="Ann Lee", email=login, tracking_option=codes.TrackingOption.ALL)
    fields = dict(name=f"{server_type.label} {login}", server_type=server_type,
                  incoming_server=f"127.0.0.1:{port}", outgoing_server=f"127.0.0.1:{smtp_server.port}",
                  outgoing_starttls=True, trusted_ca_file=str(dovecot.certs.ca_file))
    fields.update(profile_fields)
    profile = EmailServerProfile.create(**fields)
    mailbox = Mailbox.create(name="Ann", email=login, owner_user=user, profile=profile)
    return MailAccount(user, profile, mailbox, login, password, dovecot)


@pytest.fixture
def pop3_account(db, dovecot, smtp_server):
    return make_account(db, dovecot, smtp_server, codes.ServerType.POP3_SMTP)


@pytest.fixture
def imap_account(db, dovecot, smtp_server):
    return make_account(db, dovecot, smtp_server, codes.ServerType.IMAP_SMTP)


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def graph(sandbox):
    """A Graph sandbox over the module's EWS sandbox (one store, one CA), the test app registered; it keeps what
    it receives and answers in .seen for the metadata check below."""
    from tests.connectors.graph_world import graph_sandbox

    seen = []
    server = graph_sandbox(sandbox, recorder=lambda *call: seen.append(copy.deepcopy(call)))
    server.seen = seen
    yield server
    server.stop()


@pytest.fixture(scope="session")
def graph_schema():
    return graph_check.load_graph_schema()


@pytest.fixture(autouse=True)
def graph_bodies_checked(request):
    """Every JSON body a test's Graph sandbox received or answered passes Graph's v1.0 metadata."""
    if "graph" not in request.fixturenames:
        yield
        return
    graph, schema = request.getfixturevalue("graph"), request.getfixturevalue("graph_schema")
    seen = getattr(graph, "seen", None)  # None: a module's Graph sandbox of its own, unrecorded
    if seen is not None:
        seen.clear()
    yield
    if schema is not None and seen is not None:
        found = graph_check.problems(schema, graph.seen)
        assert not found, "bodies Graph's metadata refuses:\n" + "\n".join(found[:20])


@pytest.fixture
def outlook(sandbox, monkeypatch):
    """outlook(address) -> an exchangelib account on the sandbox, as the mailbox's owner uses it in Outlook."""
    monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)
    monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(sandbox.url), sandbox.ca_file)
    accounts = []

    def make(address, password="pw"):
        config = Configuration(service_endpoint=sandbox.url, credentials=Credentials(address, password),
                               auth_type=BASIC, retry_policy=FailFast())
        accounts.append(Account(address, config=config, autodiscover=False, access_type=DELEGATE))
        return accounts[-1]
    yield make
    for account in accounts:
        account.protocol.close()
