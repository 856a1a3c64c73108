"""Seeded, realistic mailbox content: threads with replies, contacts, meetings with attendees, tasks,
non-ASCII names and subjects, attachments. The same seed gives the same mailboxes (ids aside)."""
from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from . import seed
from .store import Store

FIRST = ["Anna", "Björn", "Chloé", "Dmitri", "Élodie", "Fatima", "Günther", "Hiroshi", "Inès", "József",
         "Kateřina", "Lars", "María", "Nuno", "Øystein", "Paweł", "Renée", "Søren", "Zoë", "李", "Ahmed", "Olu"]
LAST = ["Andersson", "Brandão", "Čapek", "Dubois", "Eriksen", "Fernández", "Grünewald", "Håkansson", "Ibáñez",
        "Jørgensen", "Kowalski", "López", "Müller", "Novák", "O'Brien", "Petőfi", "Rossi", "Søgaard", "王", "Yılmaz"]
COMPANIES = ["Nordlicht AG", "Café Olé SARL", "Smørrebrød ApS", "Łódź Logistics", "Über Systems GmbH",
             "Contoso Ltd", "Fabrikam Inc", "Tailspin Toys", "Northwind Traders", "Adventure Works"]
TOPICS = ["Quote for Q3 renewal", "Réunion de lancement", "Angebot Nr. 4711", "Lieferung verspätet",
          "Contract draft v2", "Invoice 2026-118", "Pedido urgente", "Demo feedback ✔", "Support ticket #5521",
          "Müller & Söhne: price list", "Kick-off agenda", "Onboarding 日本"]
TASKS = ["Call back about the offer", "Send revised quote", "Prepare demo", "Follow up on invoice",
         "Update CRM record", "Book meeting room", "Review contract"]
LOCATIONS = ["Room Ørsted", "Teams", "Café Central", "HQ 3rd floor", "Zürich office"]


@dataclass
class GeneratedUser:
    email: str
    password: str
    name: str


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = f"{first}.{last}".lower().encode("ascii", "ignore").decode().replace("'", "") or "contact"
    return f"{first} {last}", f"{local}{rng.randint(1, 99)}@{rng.choice(['client.test', 'partner.test'])}"


def populate(store: Store, mailboxes: int, items: int, seed_value: int = 1, domain: str = "sandbox.test",
             start: datetime | None = None) -> list[GeneratedUser]:
    """Add `mailboxes` mailboxes holding about `items` items each; return their sign-in details."""
    rng = random.Random(seed_value)
    start = start or datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    users = []
    for n in range(1, mailboxes + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        user = GeneratedUser(f"user{n}@{domain}", f"pw-{rng.getrandbits(48):012x}", name)
        users.append(user)
        with store.lock:
            store.add(user.email, user.password, user.name)
    for user in users:
        with store.lock:
            _fill(store, user, users, items, rng, start)
    return users


def _fill(store: Store, user: GeneratedUser, users: list[GeneratedUser], count: int, rng: random.Random,
          start: datetime) -> None:
    mailbox = store.get(user.email)
    inbox, sent = mailbox.distinguished("inbox"), mailbox.distinguished("sentitems")
    made = 0
    while made < count:
        roll = rng.random()
        when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        if roll < 0.6:  # a thread: an incoming message and, often, replies back and forth
            peer_name, peer = _person(rng) if rng.random() < 0.7 else (
                (other := rng.choice(users)).name, other.email)
            subject = rng.choice(TOPICS)
            msg_id = email.utils.make_msgid(domain=peer.split("@")[1])
            refs: list[str] = []
            for turn in range(min(rng.choice([1, 1, 2, 3, 4]), count - made)):
                incoming = turn % 2 == 0
                attachments = [("offer.pdf", "application/pdf", b"%PDF-1.4 sandbox " * rng.randint(1, 20))] \
                    if rng.random() < 0.15 else []
                seed.put(mailbox, inbox if incoming else sent, seed.message(
                    subject=subject if turn == 0 else f"RE: {subject}",
                    body=f"{'Hallo' if incoming else 'Hi'} — message {turn + 1} about {subject}.",
                    sender=(peer_name, peer) if incoming else (user.name, user.email),
                    to=[(user.name, user.email)] if incoming else [(peer_name, peer)],
                    is_read=not incoming or rng.random() < 0.5, message_id=msg_id,
                    in_reply_to=refs[-1] if refs else None, references=" ".join(refs) or None,
                    sent=when + timedelta(hours=turn), attachments=attachments,
                    categories=["CRM"] if rng.random() < 0.1 else []))
                refs.append(msg_id)
                msg_id = email.utils.make_msgid(domain=(user.email if turn % 2 else peer).split("@")[1])
                made += 1
        elif roll < 0.75:
            display, address = _person(rng)
            given, _, surname = display.partition(" ")
            seed.put(mailbox, mailbox.distinguished("contacts"), seed.contact(
                given_name=given, surname=surname, email=address, company=rng.choice(COMPANIES),
                job_title=rng.choice(["Buyer", "CEO", "Einkäufer", "Responsable achats"]),
                phone=f"+49 30 {rng.randint(1000000, 9999999)}"))
            made += 1
        elif roll < 0.85:
            seed.put(mailbox, mailbox.distinguished("tasks"), seed.task(
                subject=rng.choice(TASKS), due=when, status=rng.choice(["NotStarted", "InProgress", "Completed"])))
            made += 1
        else:
            guests = [_person(rng) for _ in range(rng.randint(1, 4))]
            seed.put(mailbox, mailbox.distinguished("calendar"), seed.calendar_item(
                subject=rng.choice(TOPICS), start=when, end=when + timedelta(minutes=rng.choice([30, 60, 90])),
                location=rng.choice(LOCATIONS), organizer=(user.name, user.email), attendees=guests,
                daily_occurrences=rng.choice([None, None, None, 5, 10])))
            made += 1
