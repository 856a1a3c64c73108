"""Generated mailboxes, and `crmsync sandbox serve` driven by exchangelib."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crmsync_gui.sandbox.generate import populate
from crmsync_gui.sandbox.store import Store
from crmsync_gui.sandbox.trust import CaFileAdapter, url_prefix


def _summary(store: Store):
    out = []
    for mailbox in store.mailboxes.values():
        kinds = sorted((i.element, i.text("Subject") or i.text("DisplayName") or "") for i in mailbox.items.values())
        out.append((mailbox.address, mailbox.name, len(mailbox.items), kinds))
    return out


def test_generation_is_seeded_and_realistic():
    a, b, c = Store(), Store(), Store()
    populate(a, mailboxes=3, items=40, seed_value=7)
    populate(b, mailboxes=3, items=40, seed_value=7)
    populate(c, mailboxes=3, items=40, seed_value=8)
    assert _summary(a) == _summary(b) != _summary(c)
    everything = [i for m in a.mailboxes.values() for i in m.items.values()]
    assert all(len(m.items) == 40 for m in a.mailboxes.values())
    assert {i.element for i in everything} == {"Message", "Contact", "Task", "CalendarItem"}
    assert any(i.text("InReplyTo") for i in everything), "threads have replies"
    assert any(i.attachments for i in everything)
    assert any(not (i.text("Subject") or "").isascii() for i in everything)
    assert any("RequiredAttendees" in i.fields for i in everything)


def test_cli_serves_generated_mailboxes_to_exchangelib(monkeypatch):
    from exchangelib import BASIC, DELEGATE, Account, Configuration, Credentials
    from exchangelib.errors import ErrorMailboxStoreUnavailable
    from exchangelib.protocol import BaseProtocol, FailFast

    proc = subprocess.Popen([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", "2",
                             "--items", "10", "--seed", "3", "--fault",
                             "error,mailbox=user1@sandbox.test,operation=FindItem,times=1,code=ErrorMailboxStoreUnavailable"],
                            stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline())
        assert ready["url"].startswith("https://127.0.0.1:") and ready["url"].endswith("/EWS/Exchange.asmx")
        assert [u["email"] for u in ready["users"]] == ["user1@sandbox.test", "user2@sandbox.test"]
        monkeypatch.setattr(BaseProtocol, "HTTP_ADAPTER_CLS", CaFileAdapter)
        monkeypatch.setitem(CaFileAdapter.ca_files, url_prefix(ready["url"]), ready["ca_file"])
        user = ready["users"][0]
        cfg = Configuration(service_endpoint=ready["url"], credentials=Credentials(user["email"], user["password"]),
                            auth_type=BASIC, retry_policy=FailFast())
        account = Account(user["email"], config=cfg, autodiscover=False, access_type=DELEGATE)
        with pytest.raises(ErrorMailboxStoreUnavailable):  # the fault asked for on the command line, once
            account.inbox.all().count()
        total = sum(f.all().count() for f in (account.inbox, account.sent, account.contacts, account.tasks,
                                              account.calendar))
        assert total == 10
        account.protocol.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()


@pytest.mark.parametrize(("spec", "says"), [("busy,times", "'times' is not key=value"),
                                           ("flood", "unknown fault kind 'flood'"),
                                           ("busy,colour=red", "unexpected keyword argument 'colour'")])
def test_bad_fault_spec_is_one_clear_line(spec, says):
    done = subprocess.run([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", "1",
                           "--items", "1", "--fault", spec], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert says in done.stderr and done.stderr.count("\n") == 1


def _blocked_signals(pid: int, tid: str) -> int:
    status = Path(f"/proc/{pid}/task/{tid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), 16)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cli_serve_stops_on_sigterm_and_only_its_main_thread_takes_stop_signals():
    # A stop signal the kernel hands to a server thread never woke the main thread, which then served forever:
    # every other thread must block SIGINT and SIGTERM, so that they always reach the main thread's wait.
    proc = subprocess.Popen([sys.executable, "-m", "crmsync_gui.cli", "sandbox", "serve", "--mailboxes", "1",
                             "--items", "1"], stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(proc.stdout.readline())
        threads = [t for t in os.listdir(f"/proc/{proc.pid}/task") if t != str(proc.pid)]
        assert threads, "the sandbox serves from threads of its own"
        stop_mask = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
        assert all(_blocked_signals(proc.pid, t) & stop_mask == stop_mask for t in threads)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0  # a clean stop, not death by the signal
        proc.stdout.close()
    assert not os.path.exists(ready["ca_file"])  # its temporary files are gone with it
