"""Fixtures for the EWS sandbox tests: a sandbox server, exchangelib accounts that trust its CA explicitly,
and schema validation of every request and reply the test caused (where ../shared/ews-schema is present)."""
from __future__ import annotations

import itertools

import pytest
from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
from exchangelib.protocol import BaseProtocol, FailFast

from crmsync_gui.sandbox import SandboxServer
from crmsync_gui.sandbox.trust import CaFileAdapter, url_prefix
from tests.schema_check import assert_schema_valid

SCHEMA_ABSENT = "Microsoft's EWS schema is not in ../shared/ews-schema (a clone outside the workspace)"
_numbers = itertools.count(1)


@pytest.fixture
def sandbox(validator, monkeypatch):
    """A running sandbox; at the end, every reply it gave (faults too) must carry ServerVersionInfo, and every
    request and reply must validate against the schema."""
    seen: list[tuple[str, bytes, bytes]] = []
    server = SandboxServer(recorder=lambda op, req, rep: seen.append((op, req, rep)))
    server.start()
    monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)
    monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(server.url), server.ca_file)
    server.seen = seen
    yield server
    server.stop()
    unversioned = [op for op, _req, rep in seen if b"ServerVersionInfo" not in rep]
    assert not unversioned, f"replies without ServerVersionInfo: {unversioned}"
    assert_schema_valid(validator, seen)


@pytest.fixture
def connect(sandbox):
    """connect(address, password) -> an exchangelib Account on the sandbox (Basic auth, fail fast)."""
    accounts = []

    def make(address: str, password: str, **config) -> Account:
        cfg = Configuration(service_endpoint=sandbox.url, credentials=Credentials(address, password),
                            auth_type=BASIC, retry_policy=config.pop("retry_policy", FailFast()), **config)
        account = Account(address, config=cfg, autodiscover=False, access_type=DELEGATE)
        accounts.append(account)
        return account
    yield make
    for account in accounts:
        account.protocol.close()


@pytest.fixture
def ann(sandbox, connect):
    """A fresh mailbox (unique address) and its account."""
    address = f"ann{next(_numbers)}@sandbox.test"
    sandbox.add_mailbox(address, "ann-pw", name="Ann Example")
    return connect(address, "ann-pw")


@pytest.fixture
def bob(sandbox, connect):
    address = f"bob{next(_numbers)}@sandbox.test"
    sandbox.add_mailbox(address, "bob-pw", name="Bob Example")
    return connect(address, "bob-pw")


@pytest.fixture
def connect_factory(monkeypatch):
    """connect_factory(sandbox, address, password) -> Account, for sandboxes a test starts itself."""
    monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)

    def make(server: SandboxServer, address: str, password: str) -> Account:
        monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(server.url), server.ca_file)
        cfg = Configuration(service_endpoint=server.url, credentials=Credentials(address, password),
                            auth_type=BASIC, retry_policy=FailFast())
        return Account(address, config=cfg, autodiscover=False, access_type=DELEGATE)
    return make
