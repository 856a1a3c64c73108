"""Results in place: Test & Enable and Sync now report in a panel under the table (not a modal box), with a
progress bar and Cancel; a failed row opens the mailbox's errors; routine confirmations go to the status bar."""
import asyncio
from dataclasses import dataclass
from types import SimpleNamespace

from PySide6.QtWidgets import QApplication

from crmsync_gui.core import admin, codes
from crmsync_gui.ui.pages.mailboxes import MailboxesPage

D = codes.Direction


@dataclass
class Result:  # the shape the engine's answers have
    direction: int
    ok: bool
    code: str = ""
    message: str = ""


def run(page, title, call):
    """The page's run on an event loop, as the console's qasync loop runs it."""
    async def scenario():
        return await page._run_on_engine(title, call)
    return asyncio.run(scenario())


def page_with(qtbot, db, names):
    for name in names:
        admin.add_mailbox(name, f"{name.lower()}@contoso.com")
    page = MailboxesPage()
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    page.attach_engine(SimpleNamespace(state="running"))  # only its state is read; the call is the test's
    page.table.selectAll()
    return page


def test_results_panel_counts_rows_and_links_failures(qtbot, db):
    page = page_with(qtbot, db, ["Ann", "Bob"])
    ids = page.selected_ids()

    async def call(mailbox_id):
        await asyncio.sleep(0)
        assert page.results.isVisible() and page.progress.isVisible()
        assert QApplication.activeModalWidget() is None  # nothing blocks the window meanwhile
        if mailbox_id == ids[0]:
            return [Result(D.INCOMING, True), Result(D.OUTGOING, False, "AuthFailed", "refused")]
        return {D.INCOMING: Result(D.INCOMING, True)}

    lines = run(page, "Test & Enable", call)
    assert page.results.summary.text() == "2 passed, 1 failed"
    assert page.results.rows.topLevelItemCount() == 3 and not page.progress.isVisible()
    assert page.report.text() == "Test & Enable finished for 2 mailboxes."
    assert "Ann, outgoing email: AuthFailed: refused" in lines
    failed = next(page.results.rows.topLevelItem(i) for i in range(3)
                  if page.results.rows.topLevelItem(i).text(2) == "AuthFailed: refused")
    with qtbot.waitSignal(page.open_page) as signal:
        page.results.rows.itemActivated.emit(failed, 0)
    assert signal.args == ["Errors", {"mailbox_id": ids[0]}]


def test_cancel_starts_no_more_mailboxes(qtbot, db, monkeypatch):
    from crmsync_gui.ui.pages import mailboxes

    monkeypatch.setattr(mailboxes, "ENGINE_CALLS_AT_ONCE", 1)
    page = page_with(qtbot, db, ["Ann", "Bob", "Cy"])
    called = []

    async def call(mailbox_id):
        called.append(mailbox_id)
        page.results.cancel.click()  # while the first one runs
        return [Result(D.INCOMING, True)]

    run(page, "Sync now", call)
    assert len(called) == 1
    assert page.results.text() == "Sync now cancelled after 1 of 3 mailboxes; the others were not started."


def test_routine_confirmations_go_to_the_status_bar(qtbot, db):
    page = page_with(qtbot, db, ["Ann", "Bob"])
    with qtbot.waitSignal(page.status_message) as signal:
        page.actions["approve"].trigger()
    assert signal.args == ["2 mailboxes approved."]
    with qtbot.waitSignal(page.status_message) as signal:
        page.actions["reenable"].trigger()
    assert signal.args == ["0 mailboxes were re-enabled."] and QApplication.activeModalWidget() is None
