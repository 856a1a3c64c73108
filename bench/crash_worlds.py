"""The mailboxes the crash harness (bench/crash_harness.py) kills the engine over: what each gets between two
kills and what each must hold at the end.

Each world keeps a ledger of what it injected; `check` compares the store and the server with it after the
engine's last clean run. The servers are the tests': the EWS sandbox, Dovecot and the SMTP recorder.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.models import Activity, ActivityParty, Contact, ItemMap, Mailbox

Entity = codes.SyncEntity
Status = codes.EmailStatus
KIND = {"contact": Entity.CONTACT, "appointment": Entity.APPOINTMENT, "task": Entity.TASK}
FOLDER = {"contact": "contacts", "appointment": "calendar", "task": "tasks"}
ANCHORS = 2  # records of each kind nobody touches, so a folder never empties (the mass-disappearance guard)


@dataclass
class Servers:
    sandbox: object
    graph: object | None = None
    dovecot: object | None = None
    smtp: object | None = None


@contextmanager
def servers(mail: bool = True):
    """The EWS sandbox with the Graph sandbox over its mailboxes, and (with `mail`) Dovecot with the SMTP server
    when Dovecot can run here."""
    from crmsync_gui.sandbox import SandboxServer
    from tests.connectors.graph_world import graph_sandbox
    from tests.servers import dovecot as dovecot_server
    from tests.servers.smtp import SmtpServer

    with SandboxServer() as sandbox:
        graph = graph_sandbox(sandbox)
        try:
            if not mail or dovecot_server.unavailable_reason():
                yield Servers(sandbox, graph)
                return
            dovecot = dovecot_server.start_dovecot()
            smtp = SmtpServer(dovecot.certs, users={}).start()
            try:
                yield Servers(sandbox, graph, dovecot, smtp)
            finally:
                smtp.stop()
                dovecot.stop()
        finally:
            graph.stop()


def make(found: Servers, db, *, graph: bool = True, ews: int = 1) -> list:
    """A mailbox of each protocol the servers serve (Graph too, unless not `graph`; `ews` mailboxes on the EWS
    sandbox), in the store at `db`."""
    from crmsync_gui.core.secrets import secret_store_for
    from crmsync_gui.core.store.db import close_database, open_database

    open_database(db)
    try:
        worlds = [ExchangeWorld(found.sandbox, secret_store_for(db))]
        worlds += [ExchangeWorld(found.sandbox, secret_store_for(db), f"ann.crash{n}@sandbox.test", name=f"EWS{n}")
                   for n in range(2, ews + 1)]
        if graph:
            worlds.append(ExchangeWorld(found.sandbox, secret_store_for(db), "ann.graph@sandbox.test",
                                        graph=found.graph))
        if found.dovecot is not None:
            worlds += [MailWorld(found, secret_store_for(db), server_type)
                       for server_type in (codes.ServerType.IMAP_SMTP, codes.ServerType.POP3_SMTP)]
        return worlds
    finally:
        close_database()


def _owner(name: str, address: str):
    user = admin.add_user(name, address, tracking_option=codes.TrackingOption.ALL)
    admin.copy_templates_to_user(user)  # "My contacts", "My appointments", "My open tasks"
    return user


def _enable(mailbox, user, act: bool):
    if act:
        mailbox.act_method = codes.ActMethod.SERVER_SIDE_SYNC
        mailbox.save()
    mailbox = admin.map_mailbox(mailbox, user)
    admin.set_approval(mailbox, True)
    return admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)


@dataclass
class Ledger:
    """What a world injected, and what must be true of each at the end."""

    incoming: list[str] = field(default_factory=list)  # Message-IDs that arrived in the mailbox
    outgoing: list[int] = field(default_factory=list)  # CRM email activity ids queued to send
    # (record type, CRM id, its unique name) → "anchor", "synced", "left" (left the filters), "deleted in CRM",
    # "deleted in Outlook"; the name tells the record from a later one SQLite gives the same id
    records: dict[tuple[str, int, str], str] = field(default_factory=dict)
    deleted_items: dict[tuple[str, int, str], str] = field(default_factory=dict)  # deleted in CRM → its item
    from_outlook: list[str] = field(default_factory=list)  # tracked contacts made in Outlook, by email address
    dirty: set[tuple[str, int, str]] = field(default_factory=set)  # edited since the last ACT run that finished

    def synced(self, kind: str | None = None) -> list[tuple[str, int, str]]:
        return [k for k, state in self.records.items() if state == "synced" and (kind is None or k[0] == kind)]


class ExchangeWorld:
    """Ann's mailbox on the EWS sandbox (or, given `graph`, the same mailbox over Microsoft Graph): email in and
    out (to Bob's mailbox there), ACT both ways; what the user does in Outlook goes over EWS."""

    def __init__(self, sandbox, secrets, address: str = "ann.crash@sandbox.test", graph=None, name: str | None = None):
        from crmsync_gui.core.connectors import exchange
        from tests.connectors.exchange_world import Job
        from tests.connectors.graph_world import SECRET, graph_profile_fields

        self.name = name or ("EWS" if graph is None else "Graph")
        self.sandbox, self.address, self.bob = sandbox, address, address.replace("ann", "bob", 1)
        sandbox.add_mailbox(address, "ann-pw", name="Ann")
        sandbox.add_mailbox(self.bob, "bob-pw", name="Bob")
        ews = admin.save_profile({"name": f"EWS of {address}", "incoming_server": sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file})
        profile = ews if graph is None else admin.save_profile(
            {"name": f"Graph of {address}"} | graph_profile_fields(graph), password=SECRET, secrets=secrets)
        self.user = _owner("Ann Lee", address)
        mailbox = admin.add_mailbox("Ann", address, profile, username=address,
                                    secret_ref=secrets.put("ann-pw") if graph is None else None)
        self.mailbox = _enable(mailbox, self.user, act=True)
        self.connector = exchange.ExchangeConnector(ews)
        self.account = self.connector.session.account(Job(self.mailbox, ews, "ann-pw"))
        self.ledger = Ledger()
        self.n = 0
        for _ in range(ANCHORS):
            for kind in KIND:
                self.ledger.records[self._create_in_crm(kind)] = "anchor"

    # ---- between two kills -------------------------------------------------------------------------------

    def inject(self, rng, round_: int) -> None:
        self._settled()
        for _ in range(rng.randint(0, 3)):
            self.n += 1
            message_id = f"<{self.name.lower()}{self.n}.{round_}@fabrikam.test>"
            self.sandbox.add_message(self.address, subject=f"Order {self.n}", body=f"Order {self.n}.",
                                     message_id=message_id)
            self.ledger.incoming.append(message_id)
        for _ in range(rng.randint(0, 2)):
            self.n += 1
            with Activity._meta.database.atomic():  # as the CRM saves an email: a running worker sees it whole
                email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=f"Offer {self.n}",
                                        body="Please find it.", owner_user=self.user,
                                        email_status=Status.PENDING_SEND, direction_outgoing=True)
                ActivityParty.create(activity=email, role=codes.PartyRole.TO, address=self.bob)
            self.ledger.outgoing.append(email.id)
        touched: set = set()
        for _ in range(rng.randint(2, 5)):
            rng.choice([self._crm_create, self._crm_create, self._crm_update, self._crm_delete, self._crm_leave,
                        self._outlook_create, self._outlook_update, self._outlook_delete])(rng, touched)

    def _settled(self) -> None:
        """An ACT run that finished took in every edit made before it started (the harness reads --log-jobs)."""
        if getattr(self, "act_finished", False):
            self.ledger.dirty.clear()
        self.act_finished = False

    def after_run(self, finished: set[tuple[str, str]]) -> None:
        self.act_finished = (str(self.mailbox.id), "act") in finished

    def _create_in_crm(self, kind: str) -> tuple[str, int, str]:
        self.n += 1
        name = f"{'Crash' if kind == 'contact' else kind.title()} {self.n}"
        if kind == "contact":  # half without an email address: no first-sync match key
            record = Contact.create(first_name="", last_name=name, owner=self.user,
                                    email=f"c{self.n}@fabrikam.test" if self.n % 2 else None)
        elif kind == "appointment":  # a start with sub-second precision Exchange does not keep
            start = datetime(2031, 1, 1, 9) + timedelta(hours=self.n, microseconds=250_000)
            record = Activity.create(activity_type=codes.ActivityType.APPOINTMENT, subject=name, owner_user=self.user,
                                     starts_at=start, ends_at=start + timedelta(hours=1))
        else:
            record = Activity.create(activity_type=codes.ActivityType.TASK, subject=name, owner_user=self.user,
                                     due_at=datetime(2031, 2, 1) + timedelta(days=self.n), percent_complete=0)
        return kind, record.id, name

    def _crm_create(self, rng, touched) -> None:
        key = self._create_in_crm(rng.choice(list(KIND)))
        self.ledger.records[key] = "synced"
        touched.add(key)

    def _pick(self, rng, touched, *, clean: bool, paired: bool = False, kinds=tuple(KIND)):
        keys = [k for k in self.ledger.synced() if k[0] in kinds and k not in touched
                and not (clean and k in self.ledger.dirty)]
        if paired:
            mapped = {(m.record_type, m.record_id) for m in ItemMap.select().where(ItemMap.mailbox == self.mailbox.id)}
            keys = [k for k in keys if k[:2] in mapped]
        if not keys:
            return None
        key = rng.choice(keys)
        touched.add(key)
        return key

    def _crm_update(self, rng, touched) -> None:  # may meet an Outlook edit of the same record: a conflict
        key = self._pick(rng, touched, clean=False)
        if key is None:
            return
        kind, record_id, name = key
        if kind == "contact":
            Contact.update(job_title=f"CRM {self.n}", modified_at=datetime.utcnow()).where(
                Contact.id == record_id).execute()
        else:
            Activity.update(subject=f"{name} CRM {self.n}", modified_at=datetime.utcnow()).where(
                Activity.id == record_id).execute()
        self.ledger.dirty.add(key)

    def _crm_delete(self, rng, touched) -> None:
        key = self._pick(rng, touched, clean=True)
        if key is None:
            return
        kind, record_id, _name = key
        mapped = self._map(key)
        if mapped is not None:
            self.ledger.deleted_items[key] = mapped.item_id
        (Contact if kind == "contact" else Activity).delete_by_id(record_id)
        self.ledger.records[key] = "deleted in CRM"

    def _crm_leave(self, rng, touched) -> None:
        """The record no longer matches the owner's filters: its Exchange copy goes, the CRM record stays."""
        key = self._pick(rng, touched, clean=True, kinds=("contact", "task"))
        if key is None:
            return
        kind, record_id, _name = key
        if kind == "contact":
            Contact.update(is_active=False, modified_at=datetime.utcnow()).where(Contact.id == record_id).execute()
        else:
            Activity.update(is_completed=True, modified_at=datetime.utcnow()).where(Activity.id == record_id).execute()
        self.ledger.records[key] = "left"

    def _outlook_create(self, rng, touched) -> None:
        from crmsync_gui.core.connectors._ews_act import TRACKED_CATEGORY

        self.n += 1
        address = f"outlook{self.n}.{self.name.lower()}@northwind.test"
        self.sandbox.add_contact(self.address, given_name="Olu", surname=f"Outlook {self.n}", email=address,
                                 categories=[TRACKED_CATEGORY])
        self.ledger.from_outlook.append(address)

    def _map(self, key):
        return ItemMap.get_or_none(ItemMap.mailbox == self.mailbox.id, ItemMap.record_type == key[0],
                                   ItemMap.record_id == key[1])

    def _item(self, key):
        from crmsync_gui.core.connectors import _ews_act as ews_act

        found = self._map(key)
        return None if found is None else ews_act.folder_of(self.account, KIND[key[0]]).get(id=found.item_id)

    def _outlook_update(self, rng, touched) -> None:
        key = self._pick(rng, touched, clean=False, paired=True)
        item = key and self._item(key)
        if item is None:
            return
        if key[0] == "contact":
            item.company_name = f"Outlook {self.n}"
            item.save(update_fields=["company_name"])
        else:
            item.body = f"Edited in Outlook {self.n}"
            item.save(update_fields=["body"])
        self.ledger.dirty.add(key)

    def _outlook_delete(self, rng, touched) -> None:
        key = self._pick(rng, touched, clean=True, paired=True)
        item = key and self._item(key)
        if item is None:
            return
        item.delete()
        self.ledger.records[key] = "deleted in Outlook"

    # ---- at the end ---------------------------------------------------------------------------------------

    def check(self, figures) -> None:
        where = f"{self.name} {self.address}"
        for message_id in self.ledger.incoming:
            _once(figures, "incoming email", f"{where}: email {message_id} tracked",
                  Activity.select().where(Activity.message_id == message_id,
                                          Activity.direction_outgoing == False).count())  # noqa: E712
        delivered = Counter(i["message_id"] for i in self.sandbox.items(self.bob))
        for email_id in self.ledger.outgoing:
            email = Activity.get_by_id(email_id)
            _once(figures, "outgoing email", f"{where}: CRM email {email_id} delivered", delivered[email.message_id])
            if email.email_status != Status.SENT:
                figures.wrong.append(f"{where}: CRM email {email_id} is {Status(email.email_status).name}: "
                                     f"{email.failure_reason}")
        maps = list(ItemMap.select().where(ItemMap.mailbox == self.mailbox.id))
        pairs = Counter((m.record_type, m.record_id) for m in maps)
        on_server = {kind: self.sandbox.items(self.address, folder) for kind, folder in FOLDER.items()}
        server_ids = {i["id"] for items in on_server.values() for i in items}
        mapped_ids = Counter(m.item_id for m in maps)
        for m in maps:
            if _record(m.record_type, m.record_id) is None or m.item_id not in server_ids:
                figures.wrong.append(f"{where}: orphaned item map row {m.record_type} {m.record_id} → {m.item_id}")
        for kind, items in on_server.items():
            for item in items:
                figures.checked[f"{kind} on Exchange"] += 1
                if mapped_ids[item["id"]] != 1:
                    figures.duplicated.append(f"{where}: {kind} '{item['subject']}' on Exchange is paired "
                                              f"{mapped_ids[item['id']]} times")
        for key, state in self.ledger.records.items():
            kind, record_id, name = key
            exists = _record(kind, record_id, name) is not None
            paired = pairs[(kind, record_id)] if exists else 0  # else the pairs are of a record with its id
            figures.checked[f"{kind} in the CRM"] += 1
            label = f"{where}: {kind} {record_id} '{name}' ({state})"
            if state in ("synced", "anchor"):
                if not exists:
                    figures.lost.append(f"{label} is gone from the CRM")
                else:
                    _once(figures, None, f"{label} paired with an Exchange item", paired)
            elif state == "left":
                if not exists:
                    figures.lost.append(f"{label} is gone from the CRM")
                if paired:
                    figures.wrong.append(f"{label} still has its Exchange copy")
            elif exists:
                figures.wrong.append(f"{label} still in the CRM")
            elif key in self.ledger.deleted_items and self.ledger.deleted_items[key] in server_ids:
                figures.wrong.append(f"{label}: its Exchange item is still there, paired "
                                     f"{mapped_ids[self.ledger.deleted_items[key]]} times")
        for address in self.ledger.from_outlook:
            contacts = list(Contact.select().where(Contact.email == address))
            _once(figures, "contact from Outlook", f"{where}: tracked Outlook contact {address} in the CRM",
                  len(contacts))
            for contact in contacts:
                _once(figures, None, f"{where}: tracked Outlook contact {address} paired", pairs[("contact", contact.id)])

    def close(self) -> None:
        with suppress(Exception):
            asyncio.run(self.connector.close())


class MailWorld:
    """A mailbox on Dovecot over IMAP or POP3, sending through the SMTP server: email in and out."""

    def __init__(self, found: Servers, secrets, server_type: codes.ServerType):
        from tests.connectors.conftest import make_account

        self.name = "IMAP" if server_type == codes.ServerType.IMAP_SMTP else "POP3"
        self.smtp = found.smtp
        self.account = make_account(None, found.dovecot, found.smtp, server_type)
        mailbox = self.account.mailbox
        mailbox.secret_ref = secrets.put(self.account.password)
        mailbox.save()
        self.user = self.account.user
        admin.copy_templates_to_user(self.user)
        self.mailbox = _enable(mailbox, self.user, act=False)
        self.ledger = Ledger()
        self.n = 0

    def inject(self, rng, round_: int) -> None:
        raws = []
        for _ in range(rng.randint(0, 3)):
            self.n += 1
            message_id = f"<{self.name.lower()}{self.n}.{round_}@fabrikam.test>"
            raws.append(f"From: Bo <bo@fabrikam.test>\r\nTo: {self.account.login}\r\nSubject: Order {self.n}\r\n"
                        f"Message-ID: {message_id}\r\nDate: Fri, 04 Dec 2026 10:00:00 +0000\r\n\r\n"
                        f"Order {self.n}.\r\n".encode())
            self.ledger.incoming.append(message_id)
        if raws:
            self.account.append(*raws)
        for _ in range(rng.randint(0, 2)):
            self.n += 1
            with Activity._meta.database.atomic():  # as the CRM saves an email: a running worker sees it whole
                email = Activity.create(activity_type=codes.ActivityType.EMAIL, subject=f"Offer {self.n}",
                                        body="Please find it.", owner_user=self.user,
                                        email_status=Status.PENDING_SEND, direction_outgoing=True)
                ActivityParty.create(activity=email, role=codes.PartyRole.TO, address="bob@fabrikam.test")
            self.ledger.outgoing.append(email.id)

    def after_run(self, finished) -> None:
        pass

    def check(self, figures) -> None:
        where = f"{self.name} {self.account.login}"
        for message_id in self.ledger.incoming:
            _once(figures, "incoming email", f"{where}: email {message_id} tracked",
                  Activity.select().where(Activity.message_id == message_id,
                                          Activity.direction_outgoing == False).count())  # noqa: E712
        delivered = Counter(r.message["Message-ID"] for r in self.smtp.received)
        for email_id in self.ledger.outgoing:
            email = Activity.get_by_id(email_id)
            label = f"{where}: CRM email {email_id} delivered"
            figures.checked["outgoing email"] += 1
            if email.email_status == Status.FAILED and (email.failure_reason or "").startswith("Not resent"):
                figures.uncertain_smtp += 1  # the administrator is told to check; never sent twice
                if delivered[email.message_id] > 1:
                    figures.duplicated.append(f"{label} {delivered[email.message_id]} times")
                continue
            _once(figures, None, label, delivered[email.message_id])
            if email.email_status != Status.SENT:
                figures.wrong.append(f"{where}: CRM email {email_id} is {Status(email.email_status).name}: "
                                     f"{email.failure_reason}")

    def close(self) -> None:
        pass


def _record(kind: str, record_id: int, name: str | None = None):
    """The CRM record of this kind with this id (and, given, this unique name), or None."""
    if kind == "contact":
        return Contact.get_or_none(Contact.id == record_id, *([Contact.last_name == name] if name else []))
    activity_type = codes.ActivityType.APPOINTMENT if kind == "appointment" else codes.ActivityType.TASK
    record = Activity.get_or_none(Activity.id == record_id, Activity.activity_type == activity_type)
    if record is None or (name and record.subject != name and not record.subject.startswith(f"{name} ")):
        return None
    return record


def _once(figures, what: str | None, label: str, count: int) -> None:
    if what:
        figures.checked[what] += 1
    if count == 0:
        figures.lost.append(f"{label} 0 times")
    elif count > 1:
        figures.duplicated.append(f"{label} {count} times")
