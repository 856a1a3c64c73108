"""Test & Enable and Sync now from the Mailboxes page, on the real engine with the scripted connector.

pytest-qt does not drive a qasync loop, so the page's coroutines run under asyncio.run here; the
widgets are only touched from this one thread, as under qasync.
"""
import asyncio

import pytest
from PySide6.QtWidgets import QMessageBox

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync.engine import Engine
from crmsync_gui.ui.pages.mailboxes import MailboxesPage
from tests.core.sync.fakes import World

D = codes.Direction


@pytest.fixture
def boxes(db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    good = admin.add_mailbox("Good", "good@example.com", profile)
    bad = admin.add_mailbox("Bad", "bad@example.com", profile)
    for box in (good, bad):
        admin.set_approval(box, True)
    return good, bad


def select_all(page):
    page.table.selectAll()


def test_engine_actions_need_a_running_engine(qtbot, boxes):
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    select_all(page)
    assert not page.actions["test_enable"].isEnabled() and not page.actions["sync_now"].isEnabled()


def test_test_and_enable_then_sync_now(qtbot, monkeypatch, boxes):
    good, bad = boxes
    world = World()
    world.tests[(bad.id, D.INCOMING)] = PermanentError("AuthFailed", "The server refused the password.")
    world.script(good, D.INCOMING, 3)
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    select_all(page)
    monkeypatch.setattr(QMessageBox, "open", lambda self: None)  # the report is checked below

    async def scenario():
        engine = Engine(bus=events.EventBus(), connector_factory=world.factory)
        page.attach_engine(engine)
        await engine.start(scheduler=False)
        page.update_actions()  # in the console the bridge's engine_state signal does this
        try:
            assert page.actions["test_enable"].isEnabled()
            tested = await page.test_and_enable()
            assert not page.progress.isVisible()
            synced = await page.sync_now()
        finally:
            await engine.stop()
        return tested, synced

    tested, synced = asyncio.run(scenario())
    assert "Good, incoming email: passed" in tested
    assert "Bad, incoming email: AuthFailed: The server refused the password." in tested
    good, bad = Mailbox.get_by_id(good.id), Mailbox.get_by_id(bad.id)
    assert good.incoming_enabled and good.incoming_status == codes.DirectionStatus.SUCCESS
    assert not bad.incoming_enabled and bad.incoming_status == codes.DirectionStatus.FAILURE
    # Bad's outgoing direction passed its test, so only that one syncs now
    assert sorted(synced) == ["Bad, outgoing email: passed", "Good, incoming email: passed",
                              "Good, outgoing email: passed"]
    assert page.report.text() == "Sync now finished for 2 mailboxes."
    assert "Good, incoming email: passed" in page.report.detailedText()
    status = [c.key for c in page.model.columns].index("incoming_status")
    rows = {page.model.data(page.model.index(r, 0)): page.model.data(page.model.index(r, status)) for r in range(2)}
    assert rows == {"Bad": "Failure", "Good": "Success"}


def test_reenable_after_outage(qtbot, monkeypatch, boxes):
    good, bad = boxes
    for box in (good, bad):
        box.incoming_status = codes.DirectionStatus.FAILURE
        box.last_error_code = "ServerBusy"
        box.save()
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.refresh()
    page.actions["reenable"].trigger()
    assert all(m.incoming_enabled for m in Mailbox.select())
