"""A mailbox's status as the Mailboxes page shows it first: one word, the reason, and when it syncs next."""
from datetime import datetime, timedelta

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.domain.mailbox_status import current_error, mailbox_status, next_sync
from crmsync_gui.core.store.models import Mailbox

NOW = datetime(2026, 3, 1, 12, 0)
A, F = codes.Approval, codes.DirectionStatus


def box(**fields) -> Mailbox:
    values = dict(name="Ann", email="ann@contoso.com", profile=1, approval=A.APPROVED, incoming_enabled=True,
                  outgoing_enabled=True, incoming_next_run=NOW + timedelta(minutes=5),
                  outgoing_next_run=NOW + timedelta(minutes=2)) | fields
    return Mailbox(**values)


@pytest.mark.parametrize("fields, paused, code, why", [
    ({}, False, "enabled", ""),
    ({"approval": A.PENDING}, False, "pending approval", ""),
    ({"approval": A.REJECTED}, False, "rejected", ""),
    ({"profile": None}, False, "no profile", ""),
    ({"incoming_enabled": False, "outgoing_enabled": False}, False, "disabled", ""),
    ({"incoming_enabled": False, "outgoing_enabled": False, "incoming_status": F.FAILURE,
      "last_error_code": "AuthenticationFailed"}, False, "disabled", "AuthenticationFailed"),
    ({}, True, "profile paused", ""),
    ({"transient_failure_count": 2, "last_error_code": "ServerBusy"}, False, "backing off", ""),
    ({"incoming_enabled": False, "incoming_status": F.FAILURE, "last_error_code": "AuthenticationFailed"}, False,
     "failing", ""),
])
def test_status_and_reason(fields, paused, code, why):
    status = mailbox_status(box(**fields), profile_paused=paused)
    assert (status.code, status.why) == (code, why)


def test_next_sync_says_when_or_none_when_it_never_comes():
    assert next_sync(box(), mailbox_status(box(), False)) == NOW + timedelta(minutes=2)
    paused = box(outgoing_next_run=NOW - timedelta(hours=1))  # overdue: it waits for the profile, not "due now"
    assert next_sync(paused, mailbox_status(paused, True)) is None
    pending = box(approval=A.PENDING)
    assert next_sync(pending, mailbox_status(pending, False)) is None
    one_way = box(outgoing_enabled=False)
    assert next_sync(one_way, mailbox_status(one_way, False)) == NOW + timedelta(minutes=5)


def test_the_last_error_stands_only_until_a_good_run():
    failing = box(incoming_status=F.FAILURE, last_error_code="AuthenticationFailed")
    assert current_error(failing, mailbox_status(failing, False)) == "AuthenticationFailed"
    recovered = box(incoming_status=F.SUCCESS, last_error_code="AuthenticationFailed")  # the engine keeps the code
    assert current_error(recovered, mailbox_status(recovered, False)) == ""
    by_admin = box(incoming_enabled=False, outgoing_enabled=False, last_error_code="ServerBusy")
    assert current_error(by_admin, mailbox_status(by_admin, False)) == ""
