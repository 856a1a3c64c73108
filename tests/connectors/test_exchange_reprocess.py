"""Reprocess over Exchange (issue 23 item 7), EWS and Microsoft Graph against their sandboxes: the chosen email is
fetched again by its id, with its attachment, tracked under today's option and given the tracked category."""
import asyncio

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.admin import reprocess
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import Activity, Attachment, TrackingDecision
from crmsync_gui.core.sync import incoming
from tests.connectors.exchange_world import exchange_world
from tests.connectors.graph_world import graph_world


@pytest.fixture(params=["ews", "graph"])
def world(request, db, sandbox, monkeypatch):
    if request.param == "ews":
        world = exchange_world(sandbox, "ann", password="ann-pw")
        world.run = asyncio.run
    else:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
        graph = request.getfixturevalue("graph")
        graph.clear_faults()
        world = graph_world(sandbox, graph, "gann")
    yield world
    if request.param == "ews":
        world.close()


def set_option(world, option):
    world.user.tracking_option = option
    world.user.save()
    world.mailbox = world.mailbox.__class__.get_by_id(world.mailbox.id)
    world.job.mailbox = world.mailbox


def test_an_email_not_tracked_is_fetched_again_tracked_and_marked_once(world):
    set_option(world, codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    sandbox, address = world.sandbox, world.address
    offer = sandbox.add_message(address, subject="Offer", body="See the terms", sender=("Bo", "bo@fabrikam.com"),
                                to=[("Ann", address)], message_id="<o1@fabrikam.com>",
                                attachments=[("terms.txt", "text/plain", b"signed")])
    sandbox.add_message(address, subject="Lunch", sender=("Bo", "bo@fabrikam.com"), to=[("Ann", address)],
                        message_id="<l1@fabrikam.com>")
    run = lambda: world.run(incoming.run(world.job, world.connector))  # noqa: E731
    assert run() == 2 and Activity.select().count() == 0
    set_option(world, codes.TrackingOption.ALL)

    reprocess.reprocess(world.mailbox, offer, by="anna.admin")
    assert run() == 1
    [activity] = Activity.select()
    assert activity.message_id == "<o1@fabrikam.com>" and Attachment.get(activity=activity).content == b"signed"
    assert TrackingDecision.get(server_id=offer).activity_id == activity.id
    on_server = {i["id"]: i["categories"] for i in sandbox.items(address)}
    assert TRACKED_CATEGORY in on_server[offer] and on_server[[i for i in on_server if i != offer][0]] == []
    assert reprocess.outcome(world.mailbox, offer).message.startswith(
        "anna.admin reprocessed the email 'Offer' of mailbox")
    with pytest.raises(reprocess.ReprocessRefused):
        reprocess.reprocess(world.mailbox, offer, by="anna.admin")
    assert run() == 0 and Activity.select().count() == 1
