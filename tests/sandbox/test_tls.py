"""Certificates stay verified: only the sandbox's own CA makes its certificate trusted."""
from __future__ import annotations

import pytest
from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
from exchangelib.errors import UnauthorizedError
from exchangelib.protocol import BaseProtocol, FailFast

from crmsync_gui.sandbox import SandboxServer
from crmsync_gui.sandbox.trust import CaFileAdapter, url_prefix


def _account(url: str, address: str, password: str) -> Account:
    cfg = Configuration(service_endpoint=url, credentials=Credentials(address, password), auth_type=BASIC,
                        retry_policy=FailFast())
    return Account(address, config=cfg, autodiscover=False, access_type=DELEGATE)


def test_untrusted_ca_is_refused_and_another_sandboxs_ca_does_not_help(monkeypatch):
    with SandboxServer() as one, SandboxServer() as other:
        one.add_mailbox("ann@sandbox.test", "pw")
        monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)
        monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(one.url), other.ca_file)
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
            _account(one.url, "ann@sandbox.test", "pw").inbox  # noqa: B018
        monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(one.url), one.ca_file)
        account = _account(one.url, "ann@sandbox.test", "pw")
        assert account.inbox.name == "Inbox"
        account.protocol.close()


def test_plain_http_mode():
    with SandboxServer(tls=False) as sandbox:
        assert sandbox.url.startswith("http://127.0.0.1:") and sandbox.ca_file is None
        sandbox.add_mailbox("ann@sandbox.test", "pw")
        account = _account(sandbox.url, "ann@sandbox.test", "pw")
        assert account.inbox.name == "Inbox"
        account.protocol.close()


def test_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host="0.0.0.0")


def test_ntlm_sign_in(monkeypatch):
    from exchangelib import NTLM

    with SandboxServer(ntlm=True) as sandbox:
        sandbox.add_mailbox("nina@sandbox.test", "nt-pw")
        sandbox.add_message("nina@sandbox.test", subject="over NTLM", body="x")
        monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)
        monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(sandbox.url), sandbox.ca_file)
        for username in ("nina@sandbox.test", "SANDBOX\\nina"):
            cfg = Configuration(service_endpoint=sandbox.url, credentials=Credentials(username, "nt-pw"),
                                auth_type=NTLM, retry_policy=FailFast())
            account = Account("nina@sandbox.test", config=cfg, autodiscover=False, access_type=DELEGATE)
            assert [m.subject for m in account.inbox.all()] == ["over NTLM"]
            account.protocol.close()
        cfg = Configuration(service_endpoint=sandbox.url, credentials=Credentials("nina@sandbox.test", "wrong"),
                            auth_type=NTLM, retry_policy=FailFast())
        with pytest.raises(UnauthorizedError):
            Account("nina@sandbox.test", config=cfg, autodiscover=False, access_type=DELEGATE).inbox  # noqa: B018
