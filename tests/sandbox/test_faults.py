"""Injected faults surface in exchangelib as the exceptions a real Exchange causes; counters count."""
from __future__ import annotations

import threading

import pytest
from exchangelib.errors import (
    ErrorAccessDenied,
    ErrorInvalidOperation,
    ErrorMailboxStoreUnavailable,
    ErrorServerBusy,
    TransportError,
    UnauthorizedError,
)


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
    sandbox.inject("delay", operation="FindItem", seconds=0.3)
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
    assert sandbox.requests_by_operation(ann.primary_smtp_address)["FindItem"] == 4
    assert sum(isinstance(r, ErrorServerBusy) for r in results) == 2
