"""Reprocess on "Why wasn't this email tracked?" (issue 23 item 7): the button and the right-click menu ask for the
chosen email to be decided again; the row says it waits and the status bar what was asked, no modal box; with the
engine running in the console its mailbox syncs at once and the row and the status bar show the outcome.

The engine is the real one and so is the incoming pipeline; its mail server is a stand-in that holds one email
(fetching by id from real servers is tested in tests/connectors/test_reprocess.py)."""
import asyncio
import contextlib

from PySide6.QtWidgets import QApplication

from crmsync_gui.core import admin, codes, events
from crmsync_gui.core.admin.reprocess import administrator
from crmsync_gui.core.store.models import Activity, Mailbox, TrackingDecision, UnreadableEmail
from crmsync_gui.core.sync import incoming
from crmsync_gui.core.sync.engine import Engine
from crmsync_gui.core.sync.mail import FolderCursor, MailSource, Page, RawEmail
from crmsync_gui.ui.main_window import MainWindow
from tests.core.sync.fakes import World

OFFER = (b"From: Bo <bo@fabrikam.test>\r\nTo: ann@example.com\r\nSubject: Offer\r\n"
         b"Message-ID: <o1@fabrikam.test>\r\nDate: Tue, 01 Dec 2026 09:00:00 +0000\r\n\r\nSee the terms\r\n")


class OneEmail(MailSource):
    """A mail server holding one email, OFFER, as 'uid-1', and nothing new."""

    def pages(self, folder, cursor, ignore=()):
        async def none():
            yield Page([], FolderCursor())
        return none()

    async def fetch(self, folder, server_ids):
        return [RawEmail("uid-1", OFFER, len(OFFER))] if "uid-1" in server_ids else []

    @contextlib.asynccontextmanager
    async def mail_source(self, job):
        yield self


def console(qtbot, db):
    profile = admin.save_profile({"name": "Exchange", "incoming_server": "https://mail.example.com/EWS/Exchange.asmx"})
    ann = admin.add_user("Ann Lee", "ann@example.com", tracking_option=codes.TrackingOption.REPLIES_TO_CRM_EMAIL)
    box = admin.add_mailbox("Sales inbox", "ann@example.com", profile)
    admin.map_mailbox(box, ann)
    admin.set_approval(box, True)
    Mailbox.update(incoming_enabled=True).where(Mailbox.id == box.id).execute()
    TrackingDecision.create(mailbox=box, server_id="uid-1", subject="Offer", sender="bo@fabrikam.test",
                            outcome=codes.TrackingOutcome.NOT_A_REPLY, reason="Not tracked: not a reply.")
    UnreadableEmail.create(mailbox=box, server_id="uid-2", reason="it is empty", raw=b"")
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show_page("Errors")
    page = window.stack.currentWidget()
    page.refresh()
    page.tabs.setCurrentIndex(1)
    return window, page.decisions, ann, box


def outcomes(view):
    return {view.model.data(view.model.index(r, 3)) or view.model.record_at(r).server_id:
            view.model.data(view.model.index(r, 4)) for r in range(view.model.rowCount())}


def test_reprocess_waits_for_the_next_sync_and_says_so_in_place(qtbot, db):
    window, view, ann, box = console(qtbot, db)
    assert outcomes(view) == {"Offer": "Not a reply to CRM email", "uid-2": "Unreadable"}  # unreadable ones too
    assert view.reprocess_action in view.table.actions()  # the right-click menu
    view._select(box.id, "uid-2")
    assert "it is empty" in view.detail.text() and view.reprocess_action.isEnabled()
    view.reprocess_action.trigger()
    assert outcomes(view)["uid-2"] == "Waiting to be reprocessed" and not view.reprocess_action.isEnabled()
    assert window.statusBar().currentMessage().startswith(
        "Reprocess asked: mailbox 'Sales inbox' fetches the email again at its next incoming sync")
    assert QApplication.activeModalWidget() is None


def test_reprocess_with_the_engine_running_tracks_it_at_once_and_only_once(qtbot, db):
    window, view, ann, box = console(qtbot, db)
    admin.save_owner(ann, {"tracking_option": codes.TrackingOption.ALL})
    world = World()
    world.script(box, codes.Direction.INCOMING, lambda job: incoming.run(job, OneEmail()))
    view.untracked_only.setChecked(False)
    view._select(box.id, "uid-1")

    async def scenario():
        engine = Engine(bus=events.EventBus(), connector_factory=world.factory)
        window.attach_engine(engine)
        await engine.start(scheduler=False)
        try:
            await view.reprocess_selected()
        finally:
            await engine.stop()

    asyncio.run(scenario())
    [activity] = Activity.select()
    assert activity.subject == "Offer"
    assert outcomes(view)["Offer"] == "Tracked"  # the row, decided again, still chosen
    assert view.selected().server_id == "uid-1" and not view.reprocess_action.isEnabled()
    assert window.statusBar().currentMessage().startswith(
        f"{administrator()} reprocessed the email 'Offer' of mailbox 'Sales inbox': Tracked: user Ann Lee")
