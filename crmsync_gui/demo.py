"""Demo mode: the Exchange sandbox in this process and a seeded organization that syncs with it.

`crmsync-gui --demo` calls `start_demo()`: a loopback EWS sandbox with generated mailboxes and mail,
and a Microsoft Graph sandbox over the same store; a fresh database in a temporary folder with one
profile pointing at the EWS sandbox and an "Exchange Online" profile over Graph (their CA trusted
explicitly; verification stays on), a CRM user and contacts per mailbox, and the mailboxes mapped,
approved and enabled, so the embedded engine syncs them at once. Some are faulty on purpose, so the
Errors, Alerts and Dashboard pages have something to show within a minute:
one has a wrong password (AuthenticationFailed), one is throttled (ErrorServerBusy), one is not approved.
Qt-free: tests run it headless with the engine.
"""
from __future__ import annotations

import random
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmsync_gui.core import admin, codes
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.db import open_database
from crmsync_gui.core.store.models import Account, Activity, ActivityParty, Contact, Mailbox

MAILBOXES = 12
ITEMS_PER_MAILBOX = 15
ONLINE_MAILBOXES = 2  # on the Exchange Online profile, over Microsoft Graph
ONLINE_DOMAIN = "online.sandbox.test"
ONLINE_APP = ("contoso.test", "5d1e9a3c-demo-4c2b-9f11-crmsync-graph", "demo-graph-secret")  # tenant, app, secret


@dataclass
class Demo:
    sandbox: object  # sandbox.SandboxServer
    db_path: Path
    secrets: SecretStore
    folder: tempfile.TemporaryDirectory
    graph: object = None  # sandbox.graph.GraphServer, over the EWS sandbox's store
    faulty: dict[str, str] = field(default_factory=dict)  # mailbox address -> what is wrong with it
    fixes: dict[str, str] = field(default_factory=dict)  # mailbox address -> how the administrator puts it right

    def stop(self) -> None:
        if self.graph is not None:
            self.graph.stop()
        self.sandbox.stop()
        self.folder.cleanup()


def start_demo(mailboxes: int = MAILBOXES, items: int = ITEMS_PER_MAILBOX) -> Demo:
    from crmsync_gui.sandbox import SandboxServer
    from crmsync_gui.sandbox.generate import populate
    from crmsync_gui.sandbox.graph import GraphServer

    folder = tempfile.TemporaryDirectory(prefix="crmsync-demo-")
    sandbox = SandboxServer()
    sandbox.start()
    people = sandbox.populate(mailboxes, items, seed=7)
    graph = GraphServer.beside(sandbox)
    graph.start()
    tenant, app, secret = ONLINE_APP
    graph.add_app(app, secret, tenant=tenant)
    online = populate(sandbox.store, ONLINE_MAILBOXES, items, seed_value=11, domain=ONLINE_DOMAIN)
    db_path = Path(folder.name) / "demo.db"
    open_database(db_path)
    secrets = SecretStore(Path(folder.name) / "demo.db.secrets.json", use_keyring=False)
    demo = Demo(sandbox, db_path, secrets, folder, graph)
    seed_organization(demo, people)
    _seed_exchange_online(demo, online)
    return demo


def seed_organization(demo: Demo, people) -> None:
    from crmsync_gui.sandbox.generate import distinct_name

    # every contact a person of their own, named apart from each other and from the mailboxes' owners
    rng, taken = random.Random(7), {mailbox.name for mailbox in demo.sandbox.store.mailboxes.values()}
    profile = admin.save_profile({"name": "Sandbox Exchange", "incoming_server": demo.sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": demo.sandbox.ca_file,
                                  "max_concurrent_connections": 10})
    account = Account.create(name="Fabrikam", email="info@fabrikam.example")
    owner = None
    users = []
    for n, person in enumerate(people):
        # half the users track every email, half only replies to CRM email: the demo then has both
        # tracked activities and "why wasn't this email tracked?" answers to show
        option = codes.TrackingOption.ALL if n % 2 == 0 else codes.TrackingOption.REPLIES_TO_CRM_EMAIL
        user = admin.add_user(person.name, person.email, tracking_option=option)
        owner = owner or user
        users.append(user)
        for k in range(3):
            first_name, last_name = distinct_name(rng, taken).split(" ", 1)
            Contact.create(first_name=first_name, last_name=last_name, owner=user,
                           email=f"contact{k + 1}.{n}@fabrikam.example", company="Fabrikam", account=account)
        admin.copy_templates_to_user(user)
        mailbox = admin.add_mailbox(person.name, person.email, profile, username=person.email)
        password = person.password
        if n == 1:  # a mailbox whose stored password is out of date
            password = "not-the-password"
            demo.faulty[mailbox.email] = "wrong password (AuthenticationFailed)"
            demo.fixes[mailbox.email] = (f"Mailboxes → select {person.name} → Edit…: Password {person.password}, "
                                         "OK, then Test & Enable")
        if n == 2:
            demo.sandbox.inject("busy", mailbox=person.email, back_off_ms=0)
            demo.faulty[mailbox.email] = "throttled by the server (ErrorServerBusy)"
            demo.fixes[mailbox.email] = "nothing to do: it backs off and retries by itself"
        mailbox.secret_ref = demo.secrets.put(password)
        mailbox.act_method = codes.ActMethod.SERVER_SIDE_SYNC
        mailbox.save()
        admin.map_mailbox(mailbox, user)
        if n == 3:
            demo.faulty[mailbox.email] = "address not approved"
            demo.fixes[mailbox.email] = f"Mailboxes → select {person.name} → Approve, then Test & Enable"
        else:
            admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)
    profile.owner = owner
    profile.save()
    if len(users) > 4:  # the last user's mailbox works (the faulty ones are the second to the fourth)
        _seed_meeting(users[0], [users[-1].email, "contact1.0@fabrikam.example"])
    admin.add_queue("Support", "support@fabrikam.example")
    _seed_unreachable_branch(demo)


def _seed_meeting(organizer, attendees: list[str]) -> None:
    """A CRM meeting in two days: the organizer's sync sends the invitation to the attendees (a CRM user whose
    own mailbox syncs gets it in the sandbox, and it is not a second appointment there)."""
    start = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=2)
    meeting = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject="Fabrikam quarterly review",
                              owner_user=organizer, starts_at=start, ends_at=start + timedelta(hours=1),
                              location="Meeting room 2")
    for address in attendees:
        ActivityParty.create(activity=meeting, role=int(codes.PartyRole.REQUIRED), address=address)


def _seed_exchange_online(demo: Demo, people) -> None:
    """An Exchange Online profile over Microsoft Graph (app-only sign-in with a client secret), its mailboxes
    syncing email both ways and appointments, contacts and tasks."""
    tenant, app, secret = ONLINE_APP
    profile = admin.save_profile({"name": "Exchange Online (Microsoft Graph)",
                                  "server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID,
                                  "protocol": codes.ExchangeProtocol.GRAPH, "auth_type": codes.AuthType.OAUTH,
                                  "username": app, "oauth_tenant": tenant, "oauth_authority": demo.graph.url,
                                  "graph_url": demo.graph.graph_url, "trusted_ca_file": demo.graph.ca_file},
                                 password=secret, secrets=demo.secrets)
    for person in people:
        user = admin.add_user(person.name, person.email, tracking_option=codes.TrackingOption.ALL)
        admin.copy_templates_to_user(user)
        mailbox = admin.add_mailbox(person.name, person.email, profile)
        mailbox.act_method = codes.ActMethod.SERVER_SIDE_SYNC
        mailbox.save()
        admin.map_mailbox(mailbox, user)
        admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)


def _seed_unreachable_branch(demo: Demo) -> None:
    """A second profile whose server does not answer (a closed loopback port): its mailboxes all fail,
    so the engine raises the profile alert."""
    with socket.socket() as probe:  # a port nothing listens on: connection refused, like a server down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    branch = admin.save_profile({"name": "Branch office Exchange (down)", "auth_type": codes.AuthType.BASIC,
                                 "incoming_server": f"https://127.0.0.1:{port}/EWS/Exchange.asmx",
                                 "timeout_ms": 5_000})
    for n in range(2):
        mailbox = admin.add_mailbox(f"Branch {n + 1}", f"branch{n + 1}@fabrikam.example", branch,
                                    username=f"branch{n + 1}@fabrikam.example")
        mailbox.secret_ref = demo.secrets.put("branch-password")
        mailbox.save()
        admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)
        demo.faulty[mailbox.email] = "its server does not answer (profile alert)"
        demo.fixes[mailbox.email] = "none in the demo: the branch server stays down (the profile is paused)"
