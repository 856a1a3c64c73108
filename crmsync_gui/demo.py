"""Demo mode: the Exchange sandbox in this process and a seeded organization that syncs with it.

`crmsync-gui --demo` calls `start_demo()`: a loopback EWS sandbox with generated mailboxes and mail,
a fresh database in a temporary folder with one profile pointing at the sandbox (its CA trusted
explicitly; verification stays on), a CRM user and contacts per mailbox, and the mailboxes mapped,
approved and enabled, so the embedded engine syncs them at once. Some are faulty on purpose, so the
Errors, Alerts and Dashboard pages have something to show within a minute:
one has a wrong password (AuthenticationFailed), one is throttled (ErrorServerBusy), one is not approved.
Qt-free: tests run it headless with the engine.
"""
from __future__ import annotations

import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from crmsync_gui.core import admin, codes
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.db import open_database
from crmsync_gui.core.store.models import Account, Contact, Mailbox

MAILBOXES = 12
ITEMS_PER_MAILBOX = 15


@dataclass
class Demo:
    sandbox: object  # sandbox.SandboxServer
    db_path: Path
    secrets: SecretStore
    folder: tempfile.TemporaryDirectory
    faulty: dict[str, str] = field(default_factory=dict)  # mailbox address -> what is wrong with it

    def stop(self) -> None:
        self.sandbox.stop()
        self.folder.cleanup()


def start_demo(mailboxes: int = MAILBOXES, items: int = ITEMS_PER_MAILBOX) -> Demo:
    from crmsync_gui.sandbox import SandboxServer

    folder = tempfile.TemporaryDirectory(prefix="crmsync-demo-")
    sandbox = SandboxServer()
    sandbox.start()
    people = sandbox.populate(mailboxes, items, seed=7)
    db_path = Path(folder.name) / "demo.db"
    open_database(db_path)
    secrets = SecretStore(Path(folder.name) / "demo.db.secrets.json", use_keyring=False)
    demo = Demo(sandbox, db_path, secrets, folder)
    seed_organization(demo, people)
    return demo


def seed_organization(demo: Demo, people) -> None:
    profile = admin.save_profile({"name": "Sandbox Exchange", "incoming_server": demo.sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": demo.sandbox.ca_file,
                                  "max_concurrent_connections": 10})
    account = Account.create(name="Fabrikam", email="info@fabrikam.example")
    owner = None
    for n, person in enumerate(people):
        # half the users track every email, half only replies to CRM email: the demo then has both
        # tracked activities and "why wasn't this email tracked?" answers to show
        option = codes.TrackingOption.ALL if n % 2 == 0 else codes.TrackingOption.REPLIES_TO_CRM_EMAIL
        user = admin.add_user(person.name, person.email, tracking_option=option)
        owner = owner or user
        for k in range(3):
            Contact.create(first_name=f"Contact {k + 1}", last_name=person.name.split()[-1], owner=user,
                           email=f"contact{k + 1}.{n}@fabrikam.example", company="Fabrikam", account=account)
        admin.copy_templates_to_user(user)
        mailbox = admin.add_mailbox(person.name, person.email, profile, username=person.email)
        password = person.password
        if n == 1:  # a mailbox whose stored password is out of date
            password = "not-the-password"
            demo.faulty[mailbox.email] = "wrong password (AuthenticationFailed)"
        if n == 2:
            demo.sandbox.inject("busy", mailbox=person.email, back_off_ms=0)
            demo.faulty[mailbox.email] = "throttled by the server (ErrorServerBusy)"
        mailbox.secret_ref = demo.secrets.put(password)
        mailbox.act_method = codes.ActMethod.SERVER_SIDE_SYNC
        mailbox.save()
        admin.map_mailbox(mailbox, user)
        if n == 3:
            demo.faulty[mailbox.email] = "address not approved"
        else:
            admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)
    profile.owner = owner
    profile.save()
    admin.add_queue("Support", "support@fabrikam.example")
    _seed_unreachable_branch(demo)


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
