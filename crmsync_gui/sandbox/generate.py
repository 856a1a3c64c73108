"""Seeded, realistic mailbox content: threads with replies, contacts, meetings with attendees, tasks,
non-ASCII names and subjects, attachments. The same seed gives the same mailboxes (ids aside)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .soap import xml_time
from .store import Attachment, Item, Store, new_id

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
JOBS = ["Buyer", "CEO", "Einkäufer", "Responsable achats", "購買担当"]
LOCATIONS = ["Room Ørsted", "Teams", "Café Central", "HQ 3rd floor", "Zürich office"]


@dataclass
class GeneratedUser:
    email: str
    password: str
    name: str


_LOCAL = {(f, la): (f"{f}.{la}".lower().encode("ascii", "ignore").decode().replace("'", "").strip(".") or "contact")
          for f in FIRST for la in LAST}


def _pick(rng: random.Random, seq):
    """rng.choice, at a third of the cost (a million items make it count); still fully seeded."""
    return seq[int(rng.random() * len(seq))]


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = _pick(rng, FIRST), _pick(rng, LAST)
    domain = "client.test" if rng.random() < 0.5 else "partner.test"
    return f"{first} {last}", f"{_LOCAL[first, last]}{rng.getrandbits(6)}@{domain}"


def distinct_name(rng: random.Random, taken: set[str]) -> str:
    """A person's name that is not in `taken` (and is added to it): two people never share one, until all
    len(FIRST) × len(LAST) names are taken (a benchmark's thousands of mailboxes), when names repeat."""
    while True:
        name = f"{_pick(rng, FIRST)} {_pick(rng, LAST)}"
        if name not in taken or len(taken) >= len(FIRST) * len(LAST):
            taken.add(name)
            return name


def populate(store: Store, mailboxes: int, items: int, seed_value: int = 1, domain: str = "sandbox.test",
             start: datetime | None = None) -> list[GeneratedUser]:
    """Add `mailboxes` mailboxes holding about `items` items each, each owner named apart from every other
    mailbox's in the store; return their sign-in details."""
    rng = random.Random(seed_value)
    start = start or datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    with store.lock:
        taken = {mailbox.name for mailbox in store.mailboxes.values()}
    users = []
    for n in range(1, mailboxes + 1):
        name = distinct_name(rng, taken)
        user = GeneratedUser(f"user{n}@{domain}", f"pw-{rng.getrandbits(48):012x}", name)
        users.append(user)
        with store.lock:
            store.add(user.email, user.password, user.name)
    filler = _Filler(store, users, rng, start)
    for user in users:
        with store.lock:
            filler.fill(user, items)
    return users


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# escaped once: generation picks from these a million times
_X = {word: _esc(word) for words in (FIRST, LAST, COMPANIES, TOPICS, TASKS, LOCATIONS, JOBS) for word in words}
_X.update({f"RE: {topic}": _esc(f"RE: {topic}") for topic in TOPICS})
assert all(_X[w] == w for w in FIRST + LAST), "names must need no XML escaping"




def _box(name: str, address: str) -> str:
    """Names and addresses are made from the constants above, which hold no XML specials (checked below)."""
    return (f"<t:Mailbox><t:Name>{name}</t:Name><t:EmailAddress>{address}</t:EmailAddress>"
            "<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox>")



class _Filler:
    """Builds one mailbox's items straight into their packed form: lxml trees for a million items
    would cost minutes and gigabytes; these strings go through the same parser on first use."""

    def __init__(self, store: Store, users: list[GeneratedUser], rng: random.Random, start: datetime):
        self.store, self.users, self.rng, self.start = store, users, rng, start
        self.pdf = b"%PDF-1.4 sandbox offer " * 40  # one shared attachment body: content is not the point
        self._times: dict[int, str] = {}  # minute offset -> xml time: a million items share ~50k times
        self._boxes: dict[tuple[str, str], str] = {}

    def time(self, minute: int) -> str:
        text = self._times.get(minute)
        if text is None:
            text = self._times[minute] = xml_time(self.start + timedelta(minutes=minute))
        return text

    def box(self, who: tuple[str, str]) -> str:
        text = self._boxes.get(who)
        if text is None:
            text = self._boxes[who] = _box(*who)
        return text

    def put(self, mailbox, folder, element: str, inner: str, minute: int) -> Item:
        item = Item(new_id("AAMkI", mailbox.tag), element, folder.id, packed=inner.encode(),
                    when=self.start + timedelta(minutes=minute))
        return mailbox.put_item(item, folder)

    def fill(self, user: GeneratedUser, count: int) -> None:
        rng, mailbox = self.rng, self.store.get(user.email)
        made = 0
        while made < count:
            roll = rng.random()
            when = int(rng.random() * 60 * 24 * 30)  # minutes after start
            if roll < 0.6:
                made += self.thread(mailbox, user, when, count - made)
            elif roll < 0.75:
                self.contact(mailbox, when)
                made += 1
            elif roll < 0.85:
                self.put(mailbox, mailbox.distinguished("tasks"), "Task",
                         f"<t:Subject>{_X[_pick(rng, TASKS)]}</t:Subject><t:DueDate>{self.time(when)}</t:DueDate>"
                         f"<t:Status>{_pick(rng, ['NotStarted', 'InProgress', 'Completed'])}</t:Status>", when)
                made += 1
            else:
                self.meeting(mailbox, user, when)
                made += 1

    def thread(self, mailbox, user: GeneratedUser, when: int, room: int) -> int:
        """An incoming message and, often, replies back and forth (In-Reply-To, References kept)."""
        rng = self.rng
        if rng.random() < 0.7:
            peer_name, peer = _person(rng)
        else:
            other = _pick(rng, self.users)
            peer_name, peer = other.name, other.email
        subject = _pick(rng, TOPICS)
        refs: list[str] = []
        turns = min(_pick(rng, [1, 1, 2, 3, 4]), room)
        me, them = (user.name, user.email), (peer_name, peer)
        my_domain, their_domain = user.email.split("@")[1], peer.split("@")[1]
        for turn in range(turns):
            incoming = turn % 2 == 0
            # escaped already (&lt; &gt;): ids and references go into the XML as they are
            msg_id = f"&lt;{rng.getrandbits(64):016x}.{turn}@{their_domain if incoming else my_domain}&gt;"
            sender, to = (them, me) if incoming else (me, them)
            sent = when + 60 * turn
            inner = (f"<t:Subject>{_X[subject if turn == 0 else 'RE: ' + subject]}</t:Subject>"
                     f"<t:Body BodyType=\"Text\">{'Hallo' if incoming else 'Hi'} — message {turn + 1} about "
                     f"{_X[subject]}.</t:Body>")
            if rng.random() < 0.1:
                inner += "<t:Categories><t:String>CRM</t:String></t:Categories>"
            if refs:
                inner += f"<t:InReplyTo>{refs[-1]}</t:InReplyTo>"
            inner += (f"<t:DateTimeSent>{self.time(sent)}</t:DateTimeSent><t:From>{self.box(sender)}</t:From>"
                      f"<t:ToRecipients>{self.box(to)}</t:ToRecipients>"
                      f"<t:InternetMessageId>{msg_id}</t:InternetMessageId>"
                      f"<t:IsRead>{'false' if incoming and rng.random() < 0.5 else 'true'}</t:IsRead>")
            if refs:
                inner += f"<t:References>{' '.join(refs)}</t:References>"
            folder = mailbox.distinguished("inbox" if incoming else "sentitems")
            item = self.put(mailbox, folder, "Message", inner, sent)
            if rng.random() < 0.15:
                item.attachments.append(Attachment(new_id("AAMkA", mailbox.tag), "offer.pdf", "application/pdf",
                                                   self.pdf, modified=item.created))
            refs.append(msg_id)
        return turns

    def contact(self, mailbox, when: int) -> None:
        rng = self.rng
        display, address = _person(rng)
        given, _, surname = display.partition(" ")
        self.put(mailbox, mailbox.distinguished("contacts"), "Contact",
                 f"<t:FileAs>{display}</t:FileAs><t:DisplayName>{display}</t:DisplayName>"
                 f"<t:GivenName>{given}</t:GivenName><t:CompanyName>{_X[_pick(rng, COMPANIES)]}"
                 f"</t:CompanyName><t:EmailAddresses><t:Entry Key=\"EmailAddress1\">{address}</t:Entry>"
                 f"</t:EmailAddresses><t:PhoneNumbers><t:Entry Key=\"BusinessPhone\">+49 30 "
                 f"{rng.randint(1000000, 9999999)}</t:Entry></t:PhoneNumbers>"
                 f"<t:JobTitle>{_X[_pick(rng, JOBS)]}</t:JobTitle><t:Surname>{surname}</t:Surname>", when)

    def meeting(self, mailbox, user: GeneratedUser, when: int) -> None:
        rng = self.rng
        guests = "".join(f"<t:Attendee>{self.box(_person(rng))}</t:Attendee>" for _ in range(_pick(rng, (1, 2, 3, 4))))
        end = when + _pick(rng, [30, 60, 90])
        inner = (f"<t:Subject>{_X[_pick(rng, TOPICS)]}</t:Subject>"
                 f"<t:UID>{rng.getrandbits(96):024x}@sandbox.test</t:UID>"
                 f"<t:Start>{self.time(when)}</t:Start><t:End>{self.time(end)}</t:End>"
                 f"<t:Location>{_X[_pick(rng, LOCATIONS)]}</t:Location>"
                 f"<t:Organizer>{self.box((user.name, user.email))}</t:Organizer>"
                 f"<t:RequiredAttendees>{guests}</t:RequiredAttendees>")
        occurrences = _pick(rng, [None, None, None, 5, 10])
        if occurrences:
            inner += ("<t:Recurrence><t:DailyRecurrence><t:Interval>1</t:Interval></t:DailyRecurrence>"
                      f"<t:NumberedRecurrence><t:StartDate>{self.time(when)[:10]}</t:StartDate>"
                      f"<t:NumberOfOccurrences>{occurrences}</t:NumberOfOccurrences></t:NumberedRecurrence>"
                      "</t:Recurrence>")
        self.put(mailbox, mailbox.distinguished("calendar"), "CalendarItem", inner, when)
