"""Injected faults surface in exchangelib as the exceptions a real Exchange causes; counters count."""
from __future__ import annotations

import threading
import time

import pytest
from exchangelib import BASIC, IMPERSONATION, Account, Configuration, Credentials
from exchangelib.errors import (
    ErrorAccessDenied,
    ErrorImpersonateUserDenied,
    ErrorInvalidOperation,
    ErrorInvalidSyncStateData,
    ErrorMailboxStoreUnavailable,
    ErrorNonExistentMailbox,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    MalformedResponseError,
    TransportError,
    UnauthorizedError,
)
from exchangelib.protocol import FailFast


def test_server_busy_carries_back_off(sandbox, ann):
    ann.inbox  # noqa: B018 - warm the folder cache before the fault
    sandbox.inject("busy", mailbox=ann.primary_smtp_address, operation="FindItem", times=1, back_off_ms=1500)
    with pytest.raises(ErrorServerBusy) as caught:
        list(ann.inbox.all())
    assert caught.value.back_off == 1.5
    assert list(ann.inbox.all()) == []  # the fault was for one request only


def test_mailbox_errors_and_http_status(sandbox, ann):
    ann.inbox  # noqa: B018
    sandbox.inject("error", operation="FindItem", times=1, code="ErrorMailboxStoreUnavailable")
    with pytest.raises(ErrorMailboxStoreUnavailable):
        list(ann.inbox.all())
    sandbox.inject("error", operation="FindItem", times=1, code="ErrorAccessDenied")
    with pytest.raises(ErrorAccessDenied):
        list(ann.inbox.all())
    sandbox.inject("http", status=401, times=1)
    with pytest.raises(UnauthorizedError):
        list(ann.inbox.all())
    sandbox.inject("http", status=503, times=1)
    with pytest.raises(TransportError):
        list(ann.inbox.all())


def test_wrong_password_is_unauthorized(sandbox, connect):
    sandbox.add_mailbox("eve@sandbox.test", "right")
    with pytest.raises(UnauthorizedError):
        connect("eve@sandbox.test", "wrong").inbox  # noqa: B018
    sandbox.set_password("eve@sandbox.test", "wrong")
    assert connect("eve@sandbox.test", "wrong").inbox.name == "Inbox"


def test_outage_refuses_connections_then_recovers(sandbox, ann):
    ann.inbox  # noqa: B018
    sandbox.go_down()
    with pytest.raises(TransportError):
        list(ann.inbox.all())
    sandbox.come_up()
    assert list(ann.inbox.all()) == []


def test_unimplemented_operation_names_itself(ann):
    with pytest.raises(ErrorInvalidOperation, match="GetRoomLists"):
        list(ann.protocol.get_roomlists())


def test_peak_concurrency_and_cap(sandbox, connect):
    sandbox.add_mailbox("carl@sandbox.test", "pw")
    ann = connect("carl@sandbox.test", "pw", max_connections=4)  # exchangelib opens up to 4 connections
    ann.inbox  # noqa: B018
    sandbox.reset_stats()
    sandbox.max_concurrent_per_mailbox = 2
    # a second in flight: long enough that all four threads overlap even on a loaded machine
    sandbox.inject("delay", operation="FindItem", seconds=1.0)
    results: list[object] = []

    def find():
        try:
            results.append(len(list(ann.inbox.all())))
        except ErrorServerBusy as exc:
            results.append(exc)
    threads = [threading.Thread(target=find) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sandbox.peak_concurrent(ann.primary_smtp_address) == 4
    assert sandbox.peak_connections(ann.primary_smtp_address) == 4  # exchangelib opened 4 sessions
    assert sandbox.requests_by_operation(ann.primary_smtp_address)["FindItem"] == 4
    assert sum(isinstance(r, ErrorServerBusy) for r in results) == 2


def test_dropped_connection_malformed_reply_and_slow_reply(sandbox, ann, connect):
    ann.inbox  # noqa: B018
    sandbox.inject("drop", operation="FindItem", times=1)
    with pytest.raises(ErrorTimeoutExpired, match="Connection aborted"):  # exchangelib's name for a cut connection
        list(ann.inbox.all())
    sandbox.inject("malformed", operation="FindItem", times=1)
    with pytest.raises(MalformedResponseError):
        list(ann.inbox.all())
    sandbox.inject("error", operation="FindItem", times=1, code="ErrorNonExistentMailbox")
    with pytest.raises(ErrorNonExistentMailbox):
        list(ann.inbox.all())
    sandbox.inject("busy", operation="FindItem", times=1, back_off_ms=0)
    with pytest.raises(ErrorServerBusy):  # exchangelib reads a 0 back-off as its default
        list(ann.inbox.all())
    assert b'<t:Value Name="BackOffMilliseconds">0</t:Value>' in sandbox.seen[-1][2]
    impatient = connect(ann.primary_smtp_address, "ann-pw")
    impatient.protocol.TIMEOUT = 0.3
    impatient.inbox  # noqa: B018
    sandbox.inject("delay", operation="FindItem", times=1, seconds=1.0)
    with pytest.raises(ErrorTimeoutExpired):
        list(impatient.inbox.all())


def test_impersonation(sandbox, ann, connect):
    sandbox.add_mailbox("svc@sandbox.test", "svc-pw")
    sandbox.grant_impersonation("svc@sandbox.test")
    sandbox.add_message(ann.primary_smtp_address, subject="for ann", body="x")
    cfg = Configuration(service_endpoint=sandbox.url, credentials=Credentials("svc@sandbox.test", "svc-pw"),
                        auth_type=BASIC, retry_policy=FailFast())
    as_ann = Account(ann.primary_smtp_address, config=cfg, autodiscover=False, access_type=IMPERSONATION)
    assert [m.subject for m in as_ann.inbox.all()] == ["for ann"]
    assert sandbox.requests_by_operation(ann.primary_smtp_address)["FindItem"] == 1
    sandbox.add_mailbox("mallory@sandbox.test", "m-pw")
    cfg = Configuration(service_endpoint=sandbox.url, credentials=Credentials("mallory@sandbox.test", "m-pw"),
                        auth_type=BASIC, retry_policy=FailFast())
    with pytest.raises(ErrorImpersonateUserDenied):
        Account(ann.primary_smtp_address, config=cfg, autodiscover=False, access_type=IMPERSONATION).inbox  # noqa: B018
    as_ann.protocol.close()


def test_open_connections_follow_the_client(sandbox, connect):
    sandbox.add_mailbox("dora@sandbox.test", "pw")
    dora = connect("dora@sandbox.test", "pw", max_connections=3)
    dora.inbox  # noqa: B018
    sandbox.inject("delay", operation="FindItem", seconds=0.3)
    threads = [threading.Thread(target=lambda: list(dora.inbox.all())) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sandbox.peak_connections("dora@sandbox.test") == 3
    assert sandbox.open_connections("dora@sandbox.test") == 3
    dora.protocol.close()
    deadline = time.monotonic() + 5
    while sandbox.open_connections("dora@sandbox.test") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.open_connections("dora@sandbox.test") == 0  # the client closed its sessions


def test_sync_errors_reach_exchangelib_as_themselves(sandbox, ann):
    ann.inbox  # noqa: B018
    sandbox.inject("error", operation="SyncFolderItems", times=1, code="ErrorMailboxStoreUnavailable")
    with pytest.raises(ErrorMailboxStoreUnavailable):
        list(ann.inbox.sync_items())
    sandbox.inject("error", operation="SyncFolderHierarchy", times=1, code="ErrorAccessDenied")
    with pytest.raises(ErrorAccessDenied):
        list(ann.msg_folder_root.sync_hierarchy())
    with pytest.raises(ErrorInvalidSyncStateData):
        list(ann.inbox.sync_items(sync_state="bm90IGEgc3RhdGU="))
    assert [kind for kind, _ in ann.inbox.sync_items()] == []
