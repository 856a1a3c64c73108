"""Cut-over of an Exchange Online profile from EWS to Microsoft Graph and back (core/admin/cutover.py), end to end:
mailboxes that tracked email and synced appointments, contacts and tasks over EWS (exchangelib, the EWS sandbox)
move to Graph (the Graph sandbox over the same store, one identity platform for both) and back, and the first
sync over each protocol tracks nothing again and creates nothing anywhere."""
import asyncio
from datetime import timedelta

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.admin import cutover as cutover_module
from crmsync_gui.core.admin.cutover import cutover
from crmsync_gui.core.errors import CrmSyncError, ValidationError
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import utcnow
from crmsync_gui.core.store.models import (
    Activity,
    EmailServerProfile,
    FolderSyncState,
    ItemMap,
    Mailbox,
    TrackingDecision,
)
from crmsync_gui.sandbox.graph import GraphServer
from tests.connectors.cutover_world import (
    CLIENT_ID,
    EWS,
    GRAPH,
    SECRET,
    TENANT,
    online_profile,
    server_view,
    store_view,
    sync_all,
    synced_profile,
)


@pytest.fixture(scope="module")
def graph(sandbox):
    with GraphServer.beside(sandbox) as server:
        server.add_app(CLIENT_ID, SECRET, tenant=TENANT)  # with the EWS sandbox too: one tenant, one app
        yield server


@pytest.fixture(autouse=True)
def short_hold(monkeypatch):
    """No engine runs here, so the leases need not be held for the engines to reload the profile."""
    monkeypatch.setattr(cutover_module, "HOLD_S", 0.01)


@pytest.fixture
def secrets(tmp_path):
    return SecretStore(tmp_path / "secrets.json", use_keyring=False)


@pytest.fixture
def synced(db, sandbox, graph, secrets):
    profile, mailboxes = synced_profile(sandbox, graph, secrets)
    assert TrackingDecision.select().count() == 9 and ItemMap.select().count() == 12
    return profile, mailboxes


def test_cut_over_to_graph_and_back_tracks_and_creates_nothing_again(synced, sandbox, graph, secrets):
    profile, mailboxes = synced
    store, server = store_view(), server_view(sandbox, mailboxes)

    dry = asyncio.run(cutover(profile.name, GRAPH, dry_run=True, secrets=secrets))
    assert dry.ready and not dry.applied
    assert [(m.email, m.ids, m.known, m.parity) for m in dry.mailboxes] == [(m.email, 7, 7, 100.0) for m in mailboxes]
    assert all(t.ok for m in dry.mailboxes for t in m.tests) and len(dry.mailboxes[0].tests) == 3
    assert store_view() == store and EmailServerProfile.get_by_id(profile.id).protocol == EWS  # changed nothing

    done = asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets))
    assert done.applied and EmailServerProfile.get_by_id(profile.id).protocol == GRAPH
    assert FolderSyncState.select().count() == 0  # EWS sync states mean nothing to Graph
    sandbox.reset_stats()
    assert sync_all(profile.id) == 0  # the first Graph round: every email already decided, every item mapped
    served = graph.requests_by_operation()
    assert min(served[op] for op in ("message_delta", "contacts_delta", "view_delta", "tasks_delta")) >= 3
    assert sum(sandbox.requests_by_operation().values()) == 0  # read over Graph, not EWS
    activities, contacts, maps, decisions, _cursors = store_view()
    assert (activities, contacts, maps, decisions) == store[:4]  # zero new activities, contacts, duplicates
    assert server_view(sandbox, mailboxes) == server  # zero new Exchange items
    assert FolderSyncState.select().where(FolderSyncState.state.is_null(False)).count() == 3 * 4  # delta links

    back = asyncio.run(cutover(profile.name, EWS, dry_run=False, secrets=secrets))
    assert back.applied and [m.parity for m in back.mailboxes] == [100.0] * 3
    assert EmailServerProfile.get_by_id(profile.id).protocol == EWS
    sandbox.reset_stats()
    assert sync_all(profile.id) == 0
    assert sandbox.requests_by_operation()["SyncFolderItems"] >= 3 * 4  # read over EWS again
    assert store_view()[:4] == store[:4] and server_view(sandbox, mailboxes) == server


def test_a_mailbox_graph_cannot_open_is_listed_with_the_reason_and_nothing_changes(synced, sandbox, graph, secrets):
    profile, mailboxes = synced
    store = store_view()
    graph.inject("http", mailbox=mailboxes[1].email, status=404)  # no Exchange Online mailbox
    try:
        report = asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets))
    finally:
        graph.clear_faults()
    assert not report.applied and not report.ready
    assert [m.ready for m in report.mailboxes] == [True, False, True]
    [failed] = [m for m in report.mailboxes if not m.ready]
    assert "Exchange Online license" in failed.describe() and failed.email == mailboxes[1].email
    assert "Nothing was changed" in report.lines()[-1]
    assert store_view() == store and EmailServerProfile.get_by_id(profile.id).protocol == EWS


def test_a_profile_that_cannot_move_says_why_in_one_sentence(db, sandbox, graph, secrets):
    profile = online_profile(sandbox, graph, secrets)
    with pytest.raises(CrmSyncError, match="already syncs over Exchange Web Services"):
        asyncio.run(cutover(profile.name, EWS, dry_run=True, secrets=secrets))
    basic = admin.save_profile({"name": "On premises", "incoming_server": sandbox.url,
                                "auth_type": codes.AuthType.BASIC})
    with pytest.raises(ValidationError, match="OAuth"):
        asyncio.run(cutover(basic.name, GRAPH, dry_run=True, secrets=secrets))
    imap = admin.save_profile({"name": "Mail", "server_type": codes.ServerType.IMAP_SMTP,
                               "incoming_server": "imap.example.com", "outgoing_server": "smtp.example.com"})
    with pytest.raises(CrmSyncError, match="only Exchange profiles"):
        asyncio.run(cutover(imap.name, GRAPH, dry_run=True, secrets=secrets))


def test_the_command_line_dry_run_and_bad_input(db, tmp_path, sandbox, graph):
    from crmsync_gui.core.secrets import secret_store_for
    from tests.core.test_cli import crmsync

    path = tmp_path / "crm.db"
    profile, mailboxes = synced_profile(sandbox, graph, secret_store_for(str(path)), names=("eve",))
    before = store_view()
    result = crmsync(path, "profiles", "cutover", profile.name, "--to", "graph", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Dry run of the cut-over of profile '{profile.name}' to Microsoft Graph: 1 mailboxes, 1 ready.",
        f"  {mailboxes[0].email}: ready, 7 of 7 items known over both protocols (100%)",
        "Nothing was changed (dry run)."]
    assert store_view() == before and EmailServerProfile.get_by_id(profile.id).protocol == EWS
    missing = crmsync(path, "profiles", "cutover", "No such profile", "--to", "graph")
    assert missing.returncode == 1 and len(missing.stderr.strip().splitlines()) == 1
    assert "Traceback" not in missing.stderr and "No such profile" in missing.stderr
    assert crmsync(path, "profiles", "cutover", profile.name, "--to", "exchange").returncode == 2


def test_every_id_is_replaced_by_the_one_graph_gives(synced, monkeypatch, secrets):
    """The sandbox's EWS and REST ids are one string; a stand-in translation (REST ids prefixed) shows the
    cut-over writes what translateExchangeIds answers into the item map and the tracking decisions."""
    from crmsync_gui.core.connectors.graph import GraphConnector

    profile, _mailboxes = synced
    real = GraphConnector.translate_ids

    async def prefixed(self, job, ids, *, to):
        known = await real(self, job, ids, to=to)
        return {old: f"rest-{new}" for old, new in known.items()}

    monkeypatch.setattr(GraphConnector, "translate_ids", prefixed)
    assert asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets)).applied
    assert {m.item_id[:5] for m in ItemMap.select()} == {"rest-"}
    assert {d.server_id[:5] for d in TrackingDecision.select()} == {"rest-"}


def test_a_mapped_item_gone_from_the_server_waits_for_its_delete(synced, sandbox, secrets):
    profile, mailboxes = synced
    doomed = ItemMap.get(mailbox=mailboxes[0], record_type="task")
    with sandbox.store.lock:  # deleted in Outlook since the last sync
        box = sandbox.store.get(mailboxes[0].email)
        box.remove_item(box.items[doomed.item_id])
    report = asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets))
    assert not report.applied and [m.ready for m in report.mailboxes] == [False, True, True]
    assert "1 synced appointments, contacts or tasks are no longer on the server" in report.mailboxes[0].describe()
    sync_all(profile.id)  # the EWS sync carries the delete to the CRM
    assert asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets)).applied


def test_a_mailbox_syncing_now_stops_the_cut_over_and_the_leases_are_given_back(synced, sandbox, secrets):
    profile, mailboxes = synced
    store = store_view()
    Mailbox.update(lock_host="engine-1", lock_state=1, lock_expires=utcnow() + timedelta(minutes=5)).where(
        Mailbox.id == mailboxes[2].id).execute()  # an engine is syncing its incoming email
    with pytest.raises(CrmSyncError, match="are syncing now; nothing was changed"):
        asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets))
    assert store_view() == store and EmailServerProfile.get_by_id(profile.id).protocol == EWS
    assert [m.lock_host for m in Mailbox.select().order_by(Mailbox.id)] == [None, None, "engine-1"]
    Mailbox.update(lock_host=None, lock_state=0, lock_expires=None).where(Mailbox.id == mailboxes[2].id).execute()
    assert asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets)).applied
    assert {(m.lock_host, m.lock_state) for m in Mailbox.select()} == {(None, 0)}


def test_a_series_made_over_ews_reads_over_graph_as_the_crm_has_it(synced, sandbox, graph, secrets):
    """Its cancelled and moved occurrences, written over EWS, read over Graph as the CRM's: a change to the
    series after the cut-over writes the change alone (no occurrence cancelled or moved again)."""
    profile, mailboxes = synced
    assert asyncio.run(cutover(profile.name, GRAPH, dry_run=False, secrets=secrets)).applied
    assert sync_all(profile.id) == 0
    review = Activity.get(Activity.subject == "Weekly review", Activity.owner_user == mailboxes[0].owner_user)
    review.location = "Room 4"
    review.save()
    graph.stats.reset()
    assert sync_all(profile.id) == 1
    served = graph.requests_by_operation()
    assert served["patch_event"] == 1 and "delete_event" not in served and "instances" not in served
    assert sync_all(profile.id) == 0
