"""Mailboxes of an Exchange Online profile that tracked email and synced appointments, contacts and tasks over
EWS, for the cut-over tests: the EWS sandbox, a Graph sandbox beside it (its store, its CA, one identity platform
for both protocols) and an app both know; `sync_all` runs each mailbox's incoming and ACT sync as the engine does."""
from __future__ import annotations

import asyncio
import itertools
import json
from datetime import datetime

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY
from crmsync_gui.core.store.models import (
    Activity,
    ActivityParty,
    Contact,
    EmailServerProfile,
    FolderSyncState,
    ItemMap,
    Mailbox,
    TrackingDecision,
)
from crmsync_gui.core.sync import act, incoming
from crmsync_gui.core.sync.connector import connector_for
from tests.connectors.corpus import email
from tests.connectors.exchange_world import Job

TENANT, CLIENT_ID, SECRET = "fabrikam.test", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "cut-over-secret"
GRAPH, EWS = codes.ExchangeProtocol.GRAPH, codes.ExchangeProtocol.EWS
FOLDERS = ("inbox", "contacts", "calendar", "tasks")
_numbers = itertools.count(1)


def online_profile(sandbox, graph, secrets) -> EmailServerProfile:
    """An Exchange Online profile on EWS, signing in as the app that Graph knows too."""
    return admin.save_profile({
        "name": f"Fabrikam online {next(_numbers)}", "server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID,
        "protocol": EWS, "auth_type": codes.AuthType.OAUTH, "username": CLIENT_ID, "oauth_tenant": TENANT,
        "oauth_authority": graph.url, "graph_url": graph.graph_url, "incoming_server": sandbox.url,
        "trusted_ca_file": sandbox.ca_file}, password=SECRET, secrets=secrets)


def add_mailbox(sandbox, profile, name: str) -> Mailbox:
    address = f"{name}{next(_numbers)}@fabrikam.test"
    sandbox.add_mailbox(address, "unused", name=name.title())
    user = admin.add_user(name.title(), address)
    user.tracking_option = codes.TrackingOption.ALL
    user.save()
    admin.copy_templates_to_user(user)
    mailbox = admin.map_mailbox(admin.add_mailbox(name.title(), address, profile), user)
    Mailbox.update(act_method=codes.ActMethod.SERVER_SIDE_SYNC).where(Mailbox.id == mailbox.id).execute()
    return Mailbox.get_by_id(mailbox.id)


def seed(sandbox, mailbox: Mailbox) -> None:
    """Email to track, CRM records to sync out, an Outlook contact tracked by the user, a series (a meeting with
one occurrence cancelled and one moved)."""
    address, user = mailbox.email, mailbox.owner_user
    for n in range(3):
        sandbox.add_message(address, mime=email(f"Order {n}", sender="buyer@contoso.test", to=address))
    Contact.create(first_name="Bo", last_name="Berg", email=f"bo@{mailbox.id}.test", owner=user)
    review = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Weekly review", owner_user=user,
                             starts_at=datetime(2027, 3, 1, 9), ends_at=datetime(2027, 3, 1, 10),
                             recurrence=json.dumps({"pattern": "weekly", "days_of_week": ["monday"], "occurrences": 8,
                                                    "cancelled": ["2027-03-08"], "moved": {"2027-03-15": {
                                                        "starts_at": "2027-03-16T09:00:00",
                                                        "ends_at": "2027-03-16T10:00:00"}}}))
    ActivityParty.create(activity=review, role=int(codes.PartyRole.REQUIRED), address="dana@fabrikam.test")
    Activity.create(activity_type=codes.ActivityType.TASK, subject="Send quote", owner_user=user,
                    due_at=datetime(2027, 3, 2), percent_complete=20)
    sandbox.add_contact(address, given_name="Lee", surname="Lead", email=f"lee@{mailbox.id}.test",
                        categories=[TRACKED_CATEGORY])


def sync_all(profile_id: int) -> int:
    """An incoming and an ACT run of every mailbox over the profile's protocol now, as the engine runs them."""
    profile = EmailServerProfile.get_by_id(profile_id)
    connector = connector_for(profile).connector

    async def run():
        done = 0
        try:
            for mailbox in Mailbox.select().where(Mailbox.profile == profile).order_by(Mailbox.id):
                job = Job(mailbox, profile, SECRET)
                done += await incoming.run(job, connector) + await act.run(job, connector)
        finally:
            await connector.close()
        return done

    return asyncio.run(run())


def store_view() -> tuple:
    """What the store knows: its records, item map, decisions and cursors."""
    return (sorted((a.id, a.activity_type, a.subject) for a in Activity.select()),
            sorted((c.id, c.email) for c in Contact.select()),
            sorted((m.mailbox_id, m.record_type, m.record_id, m.item_id, m.change_key) for m in ItemMap.select()),
            sorted((d.mailbox_id, d.server_id, d.outcome) for d in TrackingDecision.select()),
            sorted((s.mailbox_id, s.folder, s.direction, s.state) for s in FolderSyncState.select()))


def server_view(sandbox, mailboxes) -> dict:
    return {(m.email, folder): sorted(i["id"] for i in sandbox.items(m.email, folder))
            for m in mailboxes for folder in FOLDERS}




def synced_profile(sandbox, graph, secrets, names=("ann", "bob", "cy")) -> tuple[EmailServerProfile, list[Mailbox]]:
    """Mailboxes that synced over EWS until there was nothing left to do."""
    profile = online_profile(sandbox, graph, secrets)
    mailboxes = [add_mailbox(sandbox, profile, name) for name in names]
    for mailbox in mailboxes:
        seed(sandbox, mailbox)
    assert sync_all(profile.id) > 0
    assert sync_all(profile.id) == 0  # settled
    return profile, mailboxes
