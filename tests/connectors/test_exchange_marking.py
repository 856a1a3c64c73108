"""A crash between tracking an email and marking it on the Exchange server: the next sync marks it, once.

The "crash" is the sandbox dropping the connection of the UpdateItem that sets the category, after the
emails were tracked and the folder's sync state saved; that is where a killed process leaves things.
"""
import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.errors import TransientError
from crmsync_gui.core.store.models import Activity, TrackingDecision
from crmsync_gui.core.sync import incoming
from tests.connectors import test_exchange_sandbox as sandbox_tests
from tests.connectors.test_exchange_sandbox import run, set_option

world = sandbox_tests.world  # the incoming-email tests' fixture (the sandbox comes from conftest.py)


def categories(world):
    return {i["id"]: i["categories"] for i in world.sandbox.items(world.address)}


def test_emails_tracked_before_a_crash_get_their_category_on_the_next_sync_and_are_not_tracked_twice(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    first = sandbox.add_message(address, subject="Order 1", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                                message_id="<o1@fabrikam.com>")
    second = sandbox.add_message(address, subject="Order 2", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                                 message_id="<o2@fabrikam.com>")
    crash = sandbox.inject("drop", mailbox=address, operation="UpdateItem", times=1)
    with pytest.raises(TransientError):
        run(incoming.run(world.job, world.connector))
    assert crash.hits == 1
    assert categories(world) == {first: [], second: []}  # tracked in the CRM, not marked in Exchange
    assert Activity.select().where(Activity.message_id.in_(["<o1@fabrikam.com>", "<o2@fabrikam.com>"])).count() == 2
    assert TrackingDecision.select().where(TrackingDecision.mark_pending == True).count() == 2  # noqa: E712

    third = sandbox.add_message(address, subject="Order 3", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                                message_id="<o3@fabrikam.com>")
    sandbox.reset_stats()
    assert run(incoming.run(world.job, world.connector)) == 1  # only the new email is tracked
    on_server = categories(world)
    assert all(TRACKED_CATEGORY in on_server[i] for i in (first, second, third))
    assert Activity.select().where(Activity.activity_type == codes.ActivityType.EMAIL).count() == 3
    assert TrackingDecision.select().where(TrackingDecision.mark_pending == True).count() == 0  # noqa: E712
    # one GetItem for the owed marks, one UpdateItem for all three, and reads that ignore our own changes
    ops = sandbox.requests_by_operation(address)
    assert (ops["GetItem"], ops["UpdateItem"]) == (1, 1)

    sandbox.reset_stats()
    assert run(incoming.run(world.job, world.connector)) == 0
    assert sandbox.requests_by_operation(address) == {"SyncFolderItems": 1}  # idle again: one request


def test_an_owed_mark_for_an_email_deleted_meanwhile_is_dropped(world):
    sandbox, address = world.sandbox, world.address
    set_option(world, codes.TrackingOption.ALL)
    gone = sandbox.add_message(address, subject="Order 9", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)])
    sandbox.inject("drop", mailbox=address, operation="UpdateItem", times=1)
    with pytest.raises(TransientError):
        run(incoming.run(world.job, world.connector))
    world.connector.session.account(world.job).bulk_delete(ids=[(gone, None)])
    run(incoming.run(world.job, world.connector))
    assert not TrackingDecision.get(server_id=gone).mark_pending
    assert Activity.select().where(Activity.subject == "Order 9").count() == 1
