"""Screenshots of every console page and dialog, on a seeded sample organization.

Run `make screenshots` (starts Xvfb when there is no display), or directly:
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/take.py [OUT_DIR]
PNG files land in docs/screenshots/. The database is a temporary one; nothing else is touched.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def seed() -> None:
    """A small organization: profiles, users, queues, mailboxes in every state, traces, alerts."""
    from crmsync_gui.core import admin, codes
    from crmsync_gui.core.domain import sync_filters
    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.store.models import Account, Activity, Alert, Contact, Mailbox, TraceLog

    rnd = random.Random(7)
    now = utcnow()
    owner = admin.add_user("Giulia Rossi", "giulia.rossi@contoso.com")
    exchange = admin.save_profile({"name": "Contoso Exchange", "incoming_server": "https://mail.contoso.com/EWS/Exchange.asmx",
                                   "username": "svc-crmsync", "max_concurrent_connections": 20, "owner": owner})
    imap = admin.save_profile({"name": "Branch IMAP", "server_type": codes.ServerType.IMAP_SMTP,
                               "incoming_server": "imap.branch.contoso.com:993",
                               "outgoing_server": "smtp.branch.contoso.com:465"})
    names = ["Marco Bianchi", "Sara Verdi", "Luca Neri", "Anna Gallo", "Paolo Conti", "Elena Ricci", "Davide Marino",
             "Chiara Greco", "Matteo Bruno", "Francesca Costa", "Andrea Fontana", "Laura Moretti"]
    users = [owner] + [admin.add_user(n, n.lower().replace(" ", ".") + "@contoso.com") for n in names]
    queues = [admin.add_queue("Support", "support@contoso.com"), admin.add_queue("Sales", "sales@contoso.com")]
    account = Account.create(name="Fabrikam S.p.A.", email="info@fabrikam.example")
    for i, user in enumerate(users):
        for j in range(3):
            Contact.create(first_name=f"Contact{j}", last_name=user.full_name.split()[1], owner=user,
                           email=f"c{i}{j}@fabrikam.example", company="Fabrikam" if j else "Northwind",
                           is_active=j != 2, account=account)
        sync_filters.copy_templates_to_user(user)
    boxes = []
    for i, owner_record in enumerate(users + queues):
        profile = imap if i in (4, 5) else exchange
        box = admin.add_mailbox(owner_record.full_name if hasattr(owner_record, "full_name") else owner_record.name,
                                owner_record.email, profile)
        admin.map_mailbox(box, owner_record)
        boxes.append(box)
    state_of = ["idle", "idle", "idle", "error", "backing off", "idle", "syncing", "disabled", "paused", "idle",
                "idle", "error", "idle", "idle", "idle"]
    for box, state in zip(boxes, state_of, strict=False):
        box.act_method = codes.ActMethod.SERVER_SIDE_SYNC if box.owner_user_id else codes.ActMethod.NONE
        box.save()
        if state != "paused":
            admin.set_approval(box, True)
        if state != "disabled":
            admin.set_enabled(box, True)
        box = Mailbox.get_by_id(box.id)
        box.last_sync_at = now - timedelta(minutes=rnd.randint(1, 9))
        box.incoming_status = box.outgoing_status = codes.DirectionStatus.SUCCESS
        box.incoming_next_run = now + timedelta(seconds=rnd.randint(20, 700))
        if state == "error":
            box.incoming_status = codes.DirectionStatus.FAILURE
            box.last_error_code, box.last_error_at = "AuthFailed", now - timedelta(minutes=3)
            box.last_error_message = ("The server refused the password for this mailbox. "
                                      "Enter the current password in the mailbox or its profile, then Test & Enable.")
        if state == "backing off":
            box.transient_failure_count = 3
            box.last_error_code, box.last_error_at = "ServerBusy", now - timedelta(minutes=1)
            box.last_error_message = "The server is busy (ErrorServerBusy); retrying in 2 minutes."
        if state == "syncing":
            box.lock_state, box.lock_host, box.lock_expires = 1, "worker-1", now + timedelta(minutes=5)
        box.save()
    for hour in range(24):
        for _ in range(rnd.randint(5, 40)):
            Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Re: offer", owner_user=rnd.choice(users),
                            email_status=codes.EmailStatus.RECEIVED, created_at=now - timedelta(hours=hour, minutes=rnd.randint(0, 59)))
    Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Quote 2026-114", owner_user=users[1],
                    email_status=codes.EmailStatus.PENDING_SEND)
    failed = Activity.create(activity_type=codes.ActivityType.EMAIL, subject="Contract draft", owner_user=users[3],
                             email_status=codes.EmailStatus.FAILED, regarding_type="account", regarding_id=account.id,
                             failure_reason="The recipient address legal@fabrikam.example does not exist (550 5.1.1).")
    kinds = [(codes.TraceLevel.ERROR, "AuthFailed", "The server refused the password for {box}. Enter the current "
              "password in the mailbox or its profile, then run Test & Enable."),
             (codes.TraceLevel.WARNING, "ServerBusy", "Exchange answered ErrorServerBusy for {box}; the mailbox "
              "backs off and retries."),
             (codes.TraceLevel.WARNING, "NotTracked", "An email from newsletter@example.org to {box} was not tracked: "
              "the sender is not a CRM lead, contact or account."),
             (codes.TraceLevel.INFORMATION, "TestPassed", "Test & Enable passed for {box}: incoming and outgoing enabled."),
             (codes.TraceLevel.ERROR, "RecipientRejected", "The email 'Contract draft' from {box} was refused: "
              "550 5.1.1 legal@fabrikam.example does not exist. Correct the address and send again.")]
    for n in range(400):
        level, code, text = rnd.choice(kinds)
        box = rnd.choice(boxes)
        at = now - timedelta(minutes=n * 3 + rnd.randint(0, 2))
        TraceLog.create(level=level, code=code, message=text.format(box=box.name), mailbox=box, profile=box.profile_id,
                        activity=failed if code == "RecipientRejected" else None, collation_key=f"k{n}",
                        count=rnd.randint(1, 6), first_at=at - timedelta(minutes=10), last_at=at)
    Alert.create(level=codes.TraceLevel.ERROR, profile=imap, created_at=now - timedelta(minutes=20),
                 message="More than half of the mailboxes of profile Branch IMAP failed in the last hour "
                         "(2 of 2). Check the server and the profile's credentials.")
    Alert.create(level=codes.TraceLevel.WARNING, mailbox=boxes[4], created_at=now - timedelta(hours=2),
                 message="Mailbox Anna Gallo keeps failing with ServerBusy; it will be disabled after 10 failures.")
    Alert.create(level=codes.TraceLevel.WARNING, profile=exchange, created_at=now - timedelta(days=1), acknowledged=True,
                 message="The certificate of mail.contoso.com expires in 14 days.")


def main(out: Path) -> int:
    os.environ.setdefault("CRMSYNC_SECRETS", "file")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from crmsync_gui.core import events
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.core.store.models import Mailbox, TraceLog
    from crmsync_gui.ui.dialogs.catalog import sample_dialogs
    from crmsync_gui.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("crmsync-screenshots")
    tmp = Path(tempfile.mkdtemp(prefix="crmsync-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    open_database(tmp / "demo.db")
    seed()
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(str(tmp / "demo.db"), "")
    bus = events.EventBus()
    window.attach_bus(bus)
    window.resize(1400, 860)
    window.show()

    def settle(rounds: int = 8) -> None:
        for _ in range(rounds):
            app.processEvents()

    for event in (events.EngineStateChanged("running"),
                  *[events.MailboxChanged(m.id) for m in Mailbox.select().limit(6)],
                  *[events.TraceLogged(trace_id=t.id, level=t.level, code=t.code, message=t.message)
                    for t in TraceLog.select().order_by(TraceLog.last_at.desc()).limit(4)]):
        bus.publish(event)
    saved = []
    for row, page in enumerate(window.pages):
        window.navigation.setCurrentRow(row)
        page.refresh()
        if page.title == "Errors":
            page.table.selectRow(1)
        if page.title in ("Mailboxes", "Users & queues", "Email server profiles", "Alerts"):
            page.table.selectRow(3 if page.title == "Mailboxes" else 0)
        settle()
        path = out / f"page-{page.objectName().removeprefix('page-').removesuffix('Page').lower()}.png"
        window.grab().save(str(path))
        saved.append(path)
    with sample_dialogs(window) as dialogs:
        for name, dialog in dialogs:
            dialog.show()
            settle()
            if name in ("user", "queue"):
                for tab in range(dialog.tabs.count()):
                    dialog.tabs.setCurrentIndex(tab)
                    if dialog.tabs.tabText(tab) == "Synchronization":
                        for editor in dialog.filter_editors.values():
                            editor.preview()
                    settle()
                    path = out / f"dialog-{name}-{dialog.tabs.tabText(tab).lower()}.png"
                    dialog.grab().save(str(path))
                    saved.append(path)
            else:
                path = out / f"dialog-{name}.png"
                dialog.grab().save(str(path))
                saved.append(path)
            dialog.close()
    window.close()
    close_database()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
