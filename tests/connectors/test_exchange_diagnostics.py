"""What an administrator reads when the connection to Exchange fails: the failure as it is (issue 22, defect 6)."""
import asyncio

import pytest

from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.sync import incoming
from tests.connectors.exchange_world import exchange_world


@pytest.fixture
def world(db, sandbox):
    world = exchange_world(sandbox, "diag", timeout_ms=1000)
    yield world
    world.close()


def pull(world):
    with pytest.raises(TransientError) as caught:
        asyncio.run(incoming.run(world.job, world.connector))
    return caught.value


def test_a_dropped_connection_is_reported_as_one(world):
    world.sandbox.inject("drop", mailbox=world.address, operation="SyncFolderItems")
    error = pull(world)
    assert error.code == "ConnectionDropped" and "closed the connection without answering" in str(error)
    assert "busy" not in str(error).lower()


def test_a_timeout_is_reported_as_one(world):
    world.job.timeout_s = 1
    world.sandbox.inject("delay", mailbox=world.address, operation="SyncFolderItems", seconds=3)
    error = pull(world)
    assert error.code == "Timeout" and "did not answer in time" in str(error)
    assert "busy" not in str(error).lower()


@pytest.mark.parametrize("said, code", [
    # exchangelib relabels these as ErrorServerBusy when it has more than one session to the server
    ("Reraised from ErrorTimeoutExpired(Reraised from ConnectionError(('Connection aborted.', "
     "RemoteDisconnected('Remote end closed connection without response'))))", "ConnectionDropped"),
    ("Caused by closed connection", "ConnectionDropped"),
    ("Reraised from ErrorTimeoutExpired(Reraised from ReadTimeout(HTTPSConnectionPool(host='mail', port=443): "
     "Read timed out. (read timeout=10)))", "Timeout"),
    ("Reraised from ErrorTooManyObjectsOpened(too many)", "ServerError"),
])
def test_what_exchangelib_calls_server_busy_is_reported_as_what_happened(said, code):
    from exchangelib import errors as ews

    from crmsync_gui.core.connectors._ews_errors import map_error

    mapped = map_error(ews.ErrorServerBusy(said, back_off=0), "syncing the inbox")
    assert mapped.code == code and "busy" not in str(mapped) and "asked to wait" not in str(mapped)
    assert mapped.retry_after_s is None  # no server pause to honour
