"""The cut-over dialog on the console's qasync loop: a dry run lists each mailbox with its parity and changes
nothing, then the cut-over moves the profile to Microsoft Graph; a mailbox that cannot move keeps Cut over off."""
import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.admin import cutover as cutover_module
from crmsync_gui.core.store.models import EmailServerProfile
from crmsync_gui.sandbox.graph import GraphServer
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.cutover_dialog import CutoverDialog
from crmsync_gui.ui.pages.profiles import ProfilesPage
from tests.connectors.conftest import sandbox  # noqa: F401 (fixture)
from tests.connectors.cutover_world import CLIENT_ID, SECRET, TENANT, store_view, synced_profile
from tests.ui.test_profile_test_connection import on_qasync


@pytest.fixture(scope="module")
def graph(sandbox):  # noqa: F811
    with GraphServer.beside(sandbox) as server:
        server.add_app(CLIENT_ID, SECRET, tenant=TENANT)
        yield server


@pytest.fixture(autouse=True)
def short_hold(monkeypatch):
    """No engine runs here, so the leases need not be held for the engines to reload the profile."""
    monkeypatch.setattr(cutover_module, "HOLD_S", 0.01)


def cells(dialog) -> list[list[str]]:
    return [[dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
            for r in range(dialog.table.rowCount())]


def test_dry_run_first_then_the_cut_over(qtbot, qapp, db, sandbox, graph, tmp_path):  # noqa: F811
    profile, mailboxes = synced_profile(sandbox, graph, secret_store(), names=("ann", "bob"))
    page = ProfilesPage()
    qtbot.addWidget(page)
    page.refresh()
    page.select_id(profile.id)
    assert page.actions["cutover"].isEnabled()
    dialog = CutoverDialog(profile, page)
    qtbot.addWidget(dialog)
    assert "Microsoft Graph" in dialog.windowTitle() and not dialog.apply_button.isEnabled()
    before = store_view()

    report = on_qasync(qapp, lambda: dialog.start(dry_run=True))
    assert report.ready and cells(dialog) == [[m.email, "7 of 7 (100%)", "ready"] for m in mailboxes]
    assert "nothing was changed" in dialog.summary.text() and dialog.apply_button.isEnabled()
    assert store_view() == before
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.grab().save(str(tmp_path / "cutover-dry-run.png"))

    report = on_qasync(qapp, lambda: dialog.start(dry_run=False))
    assert report.applied and dialog.summary.text().startswith("Done: profile")
    assert EmailServerProfile.get_by_id(profile.id).protocol == codes.ExchangeProtocol.GRAPH
    assert not dialog.apply_button.isEnabled() and not dialog.dry_run_button.isEnabled()


def test_a_mailbox_that_cannot_move_keeps_the_cut_over_off(qtbot, qapp, db, sandbox, graph):  # noqa: F811
    profile, mailboxes = synced_profile(sandbox, graph, secret_store(), names=("dee",))
    dialog = CutoverDialog(profile)
    qtbot.addWidget(dialog)
    graph.inject("http", mailbox=mailboxes[0].email, status=403)  # the app lacks the permissions
    try:
        report = on_qasync(qapp, lambda: dialog.start(dry_run=True))
    finally:
        graph.clear_faults()
    assert not report.ready and not dialog.apply_button.isEnabled()
    [[email, counted, reason]] = cells(dialog)
    assert (email, counted) == (mailboxes[0].email, "not counted") and "API permissions" in reason
    assert "not ready; nothing was changed" in dialog.summary.text()
