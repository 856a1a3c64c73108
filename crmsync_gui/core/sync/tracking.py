"""Incoming email tracking, the same for Exchange, IMAP and POP3.

`track_email(mailbox, email)` decides whether one email the connector fetched becomes a CRM email
activity, and records the decision (a TrackingDecision row per server item) with a sentence an
administrator can read, so "why wasn't this email tracked?" always has an answer.

The rules, in the order they apply:
1. The mailbox must belong to a user or queue.
2. An email received before "Process email from" (the later of the profile's and the organization's
   date) is ignored.
3. An email whose Message-ID is already tracked for the same owner is a duplicate.
4. Correlation links it to an earlier CRM email, in order: In-Reply-To/References → tracking token
   in the subject → Thread-Index (Exchange ConversationIndex) → smart matching (organization
   option, off by default: same normalized subject and at least 2 shared addresses). The earlier
   email's regarding record is copied.
5. A folder tracking rule tracks everything in its folder (its regarding record wins). Otherwise the
   owner's tracking option decides: All; Replies to CRM email (a correlated email); From CRM leads,
   contacts and accounts; From email-enabled records (also users and queues); None. The "From ..."
   options also track replies, since each option is a superset of the one before, as in the
   original product.

The email activity, its parties, its attachments and the decision are written in one transaction;
a server item already decided is never decided twice, so a re-run after a crash repeats nothing.
Each decision also records whether its email is an arrival (`is_arrival`), which arrival to the CRM counts.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime

import peewee

from crmsync_gui.core import codes
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    Account,
    Activity,
    ActivityParty,
    Attachment,
    Contact,
    CrmQueue,
    CrmUser,
    FolderTrackingRule,
    Lead,
    Mailbox,
    OrganizationSettings,
    TrackingDecision,
)
from crmsync_gui.core.store.rows import Rows
from crmsync_gui.core.sync.mail import Address, IncomingEmail

Outcome = codes.TrackingOutcome

# Exchange ConversationIndex: a 22-byte header, then 5 bytes per reply (MS-OXOMSG 2.2.1.3).
_THREAD_HEADER = 22
_THREAD_CHILD = 5
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Party:
    """A CRM record an address resolved to."""

    party_type: str  # "user", "queue", "contact", "account", "lead"
    party_id: int
    email_enabled: bool


@dataclass(frozen=True)
class Decision:
    """Whether an email is tracked, why, and what it is filed with (decided before anything is written)."""

    outcome: codes.TrackingOutcome
    reason: str
    parent: Activity | None = None  # the CRM email it answers
    correlation: str | None = None  # the rule that found the parent
    regarding: tuple = (None, None)  # (record type, record id) it is filed with

    @property
    def tracked(self) -> bool:
        return self.outcome == codes.TrackingOutcome.TRACKED


@dataclass(frozen=True)
class TrackingResult:
    tracked: bool
    outcome: codes.TrackingOutcome
    reason: str
    activity: Activity | None
    decision: TrackingDecision
    correlation: str | None = None
    already_decided: bool = False  # the server item had been decided by an earlier run


def organization_settings() -> OrganizationSettings:
    return OrganizationSettings.get_or_create(id=1)[0]  # the one row the migrations create


# -- folder tracking rules ---------------------------------------------------------------------

def tracked_folders(mailbox: Mailbox) -> list[str]:
    """The folders a connector syncs for this mailbox: Inbox, then the folder rules' folders."""
    rules = FolderTrackingRule.select().where(FolderTrackingRule.mailbox == mailbox).order_by(FolderTrackingRule.id)
    return ["Inbox"] + [rule.folder for rule in rules if rule.folder.lower() != "inbox"]


# -- resolving addresses -------------------------------------------------------------------------

def resolve_addresses(addresses, book: dict[str, Party | None]) -> None:
    """Look up every address not yet in `book` with one query per record type (a page of emails at once)."""
    wanted = {a.strip().lower() for a in addresses if a and a.strip()} - set(book)
    if not wanted:
        return
    found: dict[str, Party] = {}
    for party_type, model, active, enabled in reversed(_CANDIDATES()):  # the first type wins: fill it last
        for start in range(0, len(wanted), 500):
            chunk = sorted(wanted)[start:start + 500]
            columns = [model.id, peewee.fn.LOWER(model.email).alias("address")] + ([enabled] if enabled else [])
            query = model.select(*columns).where(peewee.fn.LOWER(model.email).in_(chunk))
            if active is not None:
                query = query.where(active)
            for row in query.order_by(model.id.desc()).dicts():  # the oldest record of a type wins
                flag = True if enabled is None else bool(row[enabled.name])
                found[row["address"]] = Party(party_type, row["id"], flag)
    for address in wanted:
        book[address] = found.get(address)


def _CANDIDATES():  # noqa: N802 (a table, built late so the models are bound)
    return (
        ("user", CrmUser, CrmUser.is_disabled == False, None),  # noqa: E712 (peewee expression)
        ("queue", CrmQueue, None, None),
        ("contact", Contact, Contact.is_active == True, Contact.email_enabled),  # noqa: E712
        ("account", Account, Account.is_active == True, Account.email_enabled),  # noqa: E712
        ("lead", Lead, Lead.is_active == True, Lead.email_enabled),  # noqa: E712
    )


def resolve_address(address: str) -> Party | None:
    """The CRM record with this email address: a user, queue, contact, account or lead, in that order."""
    address = address.strip().lower()
    if not address:
        return None
    for party_type, model, active, enabled in _CANDIDATES():
        columns = [model.id] + ([enabled] if enabled is not None else [])
        query = model.select(*columns).where(peewee.fn.LOWER(model.email) == address)
        if active is not None:
            query = query.where(active)
        row = query.order_by(model.id).first()
        if row is not None:
            return Party(party_type, row.id, True if enabled is None else bool(getattr(row, enabled.name)))
    return None


# -- correlation -----------------------------------------------------------------------------------

def _emails():
    # Only what correlation uses: selecting every column costs more in SQL building than the query itself.
    return (Activity.select(Activity.id, Activity.subject, Activity.regarding_type, Activity.regarding_id)
            .where(Activity.activity_type == codes.ActivityType.EMAIL))


def _email_rows(where: str, params: list, *, also: str = "", tail: str = "") -> list[Activity]:
    """The emails matching `where` (SQL on activity's columns, `{p}` per parameter), with what correlation uses.

    Written as SQL: these run for many emails of a page, and peewee's building of a query costs several
    times what SQLite's running it does."""
    p = database_proxy.obj.param
    sql = (f"SELECT id, subject, regarding_type, regarding_id{also} FROM activity WHERE activity_type = {p} AND "
           + where.format(p=p) + tail)
    return list(Activity.raw(sql, int(codes.ActivityType.EMAIL), *params))


def _one_of(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(['{p}'] * len(values))})"


def _by_message_ids(ids: list[str]) -> Activity | None:
    """The email with the first of `ids` (closest ancestor first) that the CRM has; one query."""
    if not ids:
        return None
    found = {}
    # sorted here, not by ORDER BY id: that would lead SQLite's planner to walk every email by its type
    for row in sorted(_email_rows(_one_of("message_id", ids), ids, also=", message_id"), key=lambda r: r.id):
        found[row.message_id] = row  # the newest email with that Message-ID wins
    return next((found[i] for i in ids if i in found), None)


def token_pattern(settings: OrganizationSettings) -> re.Pattern:
    return re.compile(re.escape(settings.tracking_token_prefix) + r":\d+", re.IGNORECASE)


def find_token(subject: str, settings: OrganizationSettings) -> str | None:
    if not settings.tracking_token_enabled:
        return None
    match = token_pattern(settings).search(subject or "")
    return match.group(0).upper() if match else None


def _by_token(token: str) -> Activity | None:
    # Counters wrap, so a token can repeat over the years: the latest email with it is the one answered.
    return next(iter(_email_rows("UPPER(tracking_token) = {p}", [token], tail=" ORDER BY id DESC LIMIT 1")), None)


def _decode_thread_index(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) >= _THREAD_HEADER else None


def _by_thread_index(value: str | None) -> Activity | None:
    # The ancestors are this index minus one or more 5-byte child blocks; the nearest one wins.
    ancestors = _ancestors(value)
    if not ancestors:
        return None
    found = {}
    for row in sorted(_email_rows(_one_of("thread_index", ancestors), ancestors, also=", thread_index"),
                      key=lambda r: r.id):  # sorted here, as in _by_message_ids
        found[row.thread_index] = row
    return next((found[a] for a in ancestors if a in found), None)


def normalized_subject(subject: str, settings: OrganizationSettings) -> str:
    text = token_pattern(settings).sub("", subject or "")
    return " ".join(_REPLY_PREFIX.sub("", text).split()).lower()


def _addresses(email: IncomingEmail) -> set[str]:
    found = {a.address for a in [*email.to, *email.cc, *email.bcc] if a.address}
    if email.sender:
        found.add(email.sender.address)
    return found


def _by_smart_matching(email: IncomingEmail, settings: OrganizationSettings) -> Activity | None:
    subject = normalized_subject(email.subject, settings)
    if not subject:
        return None
    ours = _addresses(email)
    candidates = (_emails().where(Activity.subject.contains(subject))
                  .order_by(Activity.id.desc()).limit(200))
    for candidate in candidates:
        if normalized_subject(candidate.subject, settings) != subject:
            continue
        theirs = {p.address.lower() for p in candidate.parties}
        if len(ours & theirs) >= 2:
            return candidate
    return None


@dataclass
class KnownKeys:
    """Which of a batch's Message-IDs, tokens and Thread-Index ancestors the CRM has at all.

    Made with three queries for a page of emails (`known_keys`), it lets tracking skip the lookups
    that would find nothing, which is most of them; a hit still runs the exact query.
    """

    message_ids: set[str]
    tokens: set[str]
    thread_indexes: set[str]
    decided: set[str]  # server ids with a decision already

    def add(self, message_id: str | None, token: str | None, thread_index: str | None) -> None:
        """An email tracked within the batch can be answered by a later one of the same batch."""
        for value, known in ((message_id, self.message_ids), (token, self.tokens),
                             (thread_index, self.thread_indexes)):
            if value:
                known.add(value.upper() if known is self.tokens else value)


def _ancestors(thread_index: str | None) -> list[str]:
    raw = _decode_thread_index(thread_index)
    if raw is None:
        return []
    return [base64.b64encode(raw[:length]).decode()
            for length in range(len(raw) - _THREAD_CHILD, _THREAD_HEADER - 1, -_THREAD_CHILD)]


def known_keys(mailbox: Mailbox, emails: list[IncomingEmail], settings: OrganizationSettings,
               address_book: dict | None = None) -> KnownKeys:
    """Prepare a batch: which keys exist at all, which items were decided; fill `address_book` for it."""
    if address_book is not None:
        resolve_addresses([a.address for e in emails for a in (e.sender, *e.to, *e.cc, *e.bcc) if a], address_book)
    ids = {i for e in emails for i in (e.message_id, e.in_reply_to, *e.references) if i}
    tokens = {t for t in (find_token(e.subject, settings) for e in emails) if t}
    indexes = {a for e in emails for a in _ancestors(e.thread_index)}

    def present(column, values):
        found = set()
        values = list(values)
        for start in range(0, len(values), 500):  # stay under SQLite's bound-parameter limit
            query = (Activity.select(column).where(Activity.activity_type == codes.ActivityType.EMAIL,
                                                   column.in_(values[start:start + 500])).distinct())
            found.update(v for (v,) in query.tuples())
        return found

    return KnownKeys(present(Activity.message_id, ids), present(peewee.fn.UPPER(Activity.tracking_token), tokens),
                     present(Activity.thread_index, indexes),
                     decided_items(mailbox, [e.server_id for e in emails]))


def correlate(email: IncomingEmail, settings: OrganizationSettings,
              known: KnownKeys | None = None) -> tuple[Activity | None, str | None]:
    """The earlier CRM email this one answers, and the rule that found it."""
    def maybe(values):
        return known is None or any(v in known.message_ids for v in values)

    if email.in_reply_to and maybe([email.in_reply_to]):
        found = _by_message_ids([email.in_reply_to])
        if found:
            return found, "In-Reply-To"
    if email.references and maybe(email.references):
        found = _by_message_ids(list(reversed(email.references)))
        if found:
            return found, "References"
    token = find_token(email.subject, settings)
    if token and (known is None or token in known.tokens):
        found = _by_token(token)
        if found:
            return found, "Tracking token"
    if known is None or any(a in known.thread_indexes for a in _ancestors(email.thread_index)):
        found = _by_thread_index(email.thread_index)
        if found:
            return found, "Thread-Index"
    if settings.smart_matching_enabled:
        found = _by_smart_matching(email, settings)
        if found:
            return found, "Smart matching"
    return None, None


# -- the decision ----------------------------------------------------------------------------------

def _process_from(mailbox: Mailbox, settings: OrganizationSettings) -> datetime | None:
    dates = [d for d in (settings.process_email_from,
                         mailbox.profile.process_email_from if mailbox.profile_id else None) if d]
    return max(dates) if dates else None


def _owner_column(mailbox: Mailbox) -> tuple[str, int]:
    if mailbox.owner_user_id:
        return "owner_user_id", mailbox.owner_user_id
    return "owner_queue_id", mailbox.owner_queue_id


def _sender_text(email: IncomingEmail) -> str:
    return email.sender.address if email.sender else "an unknown sender"


def _option_refusal(option: codes.TrackingOption, sender: Party | None, owner_label: str,
                    email: IncomingEmail) -> Decision | None:
    """Why the owner's option refuses an uncorrelated email; None when it accepts it."""
    how = f"{owner_label} tracks '{option.label}'"
    change = "Change the tracking option in the user's or queue's settings, or track the email by hand."
    if option == codes.TrackingOption.ALL:
        return None
    if option == codes.TrackingOption.NONE:
        return Decision(Outcome.OPTION_NONE, f"Not tracked: {how}, so no incoming email is tracked. {change}")
    if option == codes.TrackingOption.REPLIES_TO_CRM_EMAIL:
        return Decision(Outcome.NOT_A_REPLY, (
            f"Not tracked: {how} and this email answers no CRM email (no match by In-Reply-To/References, "
            f"tracking token, Thread-Index or smart matching). {change}"))
    if option == codes.TrackingOption.FROM_CRM_RECORDS:
        if sender and sender.party_type in ("contact", "account", "lead"):
            return None
        return Decision(Outcome.SENDER_NOT_CRM_RECORD, (
            f"Not tracked: {how} and the sender {_sender_text(email)} is not an active CRM lead, contact or "
            f"account, and the email answers no CRM email. Add the sender as a contact or lead, or {change[0].lower()}"
            f"{change[1:]}"))
    if sender and sender.email_enabled:
        return None
    return Decision(Outcome.SENDER_NOT_EMAIL_ENABLED, (
        f"Not tracked: {how} and the sender {_sender_text(email)} matches no email-enabled CRM record "
        f"(user, queue, contact, account or lead), and the email answers no CRM email. {change}"))


def _decide(mailbox, email, settings, address_book, known) -> Decision:
    """The decision for one email, without writing anything."""
    owner = mailbox.owner
    if owner is None:
        return Decision(Outcome.NO_OWNER, f"Not tracked: mailbox {mailbox.name} is not mapped to a user or queue. "
                        "Map it, then its new email is tracked.")
    process_from = _process_from(mailbox, settings)
    if process_from and email.received_at and email.received_at < process_from:
        return Decision(Outcome.BEFORE_PROCESS_FROM,
                        f"Not tracked: received {email.received_at:%Y-%m-%d %H:%M} UTC, before the 'Process email "
                        f"from' date {process_from:%Y-%m-%d %H:%M} UTC set on the profile or organization.")
    if email.message_id and (known is None or email.message_id in known.message_ids):
        column, owner_id = _owner_column(mailbox)
        earlier = next(iter(_email_rows(f"message_id = {{p}} AND {column} = {{p}}", [email.message_id, owner_id],
                                        tail=" LIMIT 1")), None)
        if earlier:
            return Decision(Outcome.DUPLICATE, f"Not tracked again: {owner.label} already has this email "
                            f"(Message-ID {email.message_id}) as CRM email #{earlier.id}.")
    parent, rule_name = correlate(email, settings, known)
    regarding = (parent.regarding_type, parent.regarding_id) if parent else (None, None)
    folder_rule = (FolderTrackingRule.select()
                   .where(FolderTrackingRule.mailbox == mailbox,
                          peewee.fn.LOWER(FolderTrackingRule.folder) == (email.folder or "").lower())
                   .first()) if (email.folder or "").lower() != "inbox" else None
    if folder_rule:
        if folder_rule.regarding_type:
            regarding = (folder_rule.regarding_type, folder_rule.regarding_id)
        return Decision(Outcome.TRACKED, f"Tracked: it is in the tracked folder '{folder_rule.folder}'.", parent,
                        rule_name, regarding)
    if parent:
        return Decision(Outcome.TRACKED, f"Tracked: it answers CRM email #{parent.id} (matched by {rule_name}).",
                        parent, rule_name, regarding)
    sender = None
    if email.sender:
        if email.sender.address not in address_book:
            address_book[email.sender.address] = resolve_address(email.sender.address)
        sender = address_book[email.sender.address]
    option = codes.TrackingOption(owner.tracking_option)
    refusal = _option_refusal(option, sender, owner.label, email)
    if refusal:
        return refusal
    why = "all email is tracked" if option == codes.TrackingOption.ALL else f"the sender is a CRM {sender.party_type}"
    return Decision(Outcome.TRACKED, f"Tracked: {owner.label} tracks '{option.label}' and {why}.", regarding=regarding)


def keeps_every_email(mailbox: Mailbox, folder: str) -> bool:
    """Whether tracking keeps every email of the folder it has not decided (bar duplicates and email before
    "Process email from"): the owner tracks all email, or the folder has a tracking rule. Its emails are then
    fetched whole before they are decided, not after (ContentNeeded), which would decide each page twice."""
    owner = mailbox.owner
    if owner is None:
        return False
    if codes.TrackingOption(owner.tracking_option) == codes.TrackingOption.ALL:
        return True
    return (folder or "").lower() != "inbox" and FolderTrackingRule.select().where(
        FolderTrackingRule.mailbox == mailbox,
        peewee.fn.LOWER(FolderTrackingRule.folder) == folder.lower()).exists()


class ContentNeeded(Exception):
    """Emails tracking keeps arrived without their content (IncomingEmail.content_later): nothing was written.
    Fetch the whole of `server_ids` and track the page again; its other decisions come out the same."""

    def __init__(self, server_ids: list[str]):
        super().__init__(f"{len(server_ids)} tracked emails need their content")
        self.server_ids = server_ids


class _Page:
    """The rows of a batch of decisions, written together when the batch ends.

    A tracked email's activity is one prepared INSERT (its id is read back); the parties, attachments and
    decisions of every email go in a few multi-row INSERTs. An email whose lookups could find an email
    tracked earlier in the same batch has the batch written first, so what it finds is what one-by-one
    tracking finds.
    """

    def __init__(self, mailbox: Mailbox, settings: OrganizationSettings, resolved: dict[str, Party | None],
                 mark_pending: bool, arrivals_since: datetime | None = None):
        self._mailbox, self._settings, self._resolved, self._mark_pending = mailbox, settings, resolved, mark_pending
        self._arrivals_since = arrivals_since
        self._activities, self._parties = Rows(Activity), Rows(ActivityParty)
        self._attachments, self._decisions = Rows(Attachment), Rows(TrackingDecision)
        self._waiting: list[tuple[IncomingEmail, Decision, dict | None]] = []
        self.content_needed: list[str] = []  # tracked emails whose content is still on the server
        self._keys: set[str] = set()  # Message-IDs, tokens and Thread-Indexes of the tracked emails waiting

    def needs_writing_before(self, email: IncomingEmail) -> bool:
        """Whether deciding `email` may look up an email of this batch that is not written yet."""
        if not self._keys:
            return False
        if self._settings.smart_matching_enabled:
            return True
        token = find_token(email.subject, self._settings)
        wanted = {email.message_id, email.in_reply_to, token, *email.references, *_ancestors(email.thread_index)}
        return not self._keys.isdisjoint(wanted - {None})

    def add(self, email: IncomingEmail, decided: Decision, known: KnownKeys | None) -> None:
        if decided.tracked and email.content_later:
            self.content_needed.append(email.server_id)
        activity = self._activity_row(email, decided.regarding) if decided.tracked else None
        if activity is not None:
            keys = (activity["message_id"], activity["tracking_token"], activity["thread_index"])
            self._keys.update(k for k in keys if k)
            if known is not None:
                known.add(*keys)
        self._waiting.append((email, decided, activity))

    def write(self) -> list[TrackingResult]:
        """Write what waits; return a result per email, in the order they were added."""
        parties, attachments, decisions, results = [], [], [], []
        for email, decided, values in self._waiting:
            activity = None
            if values is not None:
                activity = Activity(__no_default__=True, id=self._activities.add(values), **values)
                activity._dirty.clear()
                parties += self._party_rows(activity.id, email)
                attachments += self._attachment_rows(activity.id, email)
            decision = self._decisions.row({
                "mailbox": self._mailbox.id, "server_id": email.server_id, "folder": email.folder or "Inbox",
                "message_id": email.message_id, "subject": (email.subject or "")[:255],
                "sender": email.sender.address if email.sender else None, "received_at": email.received_at,
                "outcome": int(decided.outcome), "reason": decided.reason, "activity": activity.id if activity else None,
                "correlated_with": decided.parent.id if decided.parent else None, "correlation": decided.correlation,
                "decided_at": utcnow(), "mark_pending": self._mark_pending and decided.tracked,
                "arrival": is_arrival(email.received_at, self._arrivals_since)})
            decisions.append(decision)
            decision = TrackingDecision(__no_default__=True, **decision)
            decision._dirty.clear()
            results.append(TrackingResult(decided.tracked, decided.outcome, decided.reason, activity, decision,
                                          decided.correlation))
        self._parties.add_many(parties)
        self._attachments.add_many(attachments)
        self._decisions.add_many(decisions)
        self._waiting, self._keys = [], set()
        return results

    def _activity_row(self, email: IncomingEmail, regarding: tuple) -> dict:
        mailbox = self._mailbox
        return self._activities.row({
            "activity_type": int(codes.ActivityType.EMAIL), "subject": email.subject[:255],
            "body": email.body_html or email.body_text, "owner_user": mailbox.owner_user_id,
            "owner_queue": mailbox.owner_queue_id, "regarding_type": regarding[0], "regarding_id": regarding[1],
            "email_status": int(codes.EmailStatus.RECEIVED), "direction_outgoing": False,
            "message_id": email.message_id, "in_reply_to": email.in_reply_to,
            "references": " ".join(email.references) or None, "thread_index": email.thread_index,
            "tracking_token": find_token(email.subject, self._settings), "mailbox": mailbox.id,
            "sent_on": email.sent_at or email.received_at})

    def _party_rows(self, activity_id: int, email: IncomingEmail) -> list[dict]:
        roles = [(codes.PartyRole.FROM, [email.sender] if email.sender else []), (codes.PartyRole.TO, email.to),
                 (codes.PartyRole.CC, email.cc), (codes.PartyRole.BCC, email.bcc)]
        return [self._parties.row(_party_row(activity_id, role, address, self._resolved))
                for role, addresses in roles for address in addresses]

    def _attachment_rows(self, activity_id: int, email: IncomingEmail) -> list[dict]:
        rows = []
        for attachment in email.attachments:
            fetched = attachment.size is None or bool(attachment.content) or attachment.size == 0
            size = len(attachment.content) if fetched else attachment.size
            kept = fetched and size <= self._settings.max_attachment_bytes
            rows.append(self._attachments.row({
                "activity": activity_id, "file_name": attachment.file_name[:255], "mime_type": attachment.mime_type,
                "size": size, "content": attachment.content if kept else None,
                "not_kept": None if kept else f"not kept: over {_amount(self._settings.max_attachment_bytes)}"}))
        return rows


def _amount(size: int) -> str:
    """A byte count as an administrator reads it: 5 MB, 2.5 MB, 900 bytes."""
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _party_row(activity_id: int, role: codes.PartyRole, address: Address, resolved: dict) -> dict:
    if address.address not in resolved:
        resolved[address.address] = resolve_address(address.address)
    party = resolved[address.address]
    return {"activity": activity_id, "role": int(role), "address": address.address,
            "display_name": address.name or None, "party_type": party.party_type if party else None,
            "party_id": party.party_id if party else None}


def is_arrival(received_at: datetime | None, since: datetime | None) -> bool:
    """Whether an email is new to its mailbox, so its time to the CRM is an arrival's (the dashboard's chart,
    the Mailboxes page). `since`: when the mailbox's previous good incoming run began, or this run when there
    was none (a first sync). Email already there before it (a first sync's history) waited for the mailbox to
    be enabled, not for the sync. Servers give received times to the second: that second counts whole."""
    return received_at is not None and since is not None and received_at >= since.replace(microsecond=0)


def _earlier_result(earlier: TrackingDecision) -> TrackingResult:
    return TrackingResult(earlier.outcome == Outcome.TRACKED, Outcome(earlier.outcome), earlier.reason,
                          earlier.activity, earlier, earlier.correlation, already_decided=True)


def track_email(mailbox: Mailbox, email: IncomingEmail, *, settings: OrganizationSettings | None = None,
                address_book: dict[str, Party | None] | None = None, known: KnownKeys | None = None,
                mark_pending: bool = False) -> TrackingResult:
    """Decide and record whether one incoming email is tracked; create the email activity when it is.

    `address_book` caches address → CRM record and `known` (from `known_keys`) spares the lookups
    that would find nothing. `mark_pending`: the connector marks tracked items on the server later
    (Exchange's category), so the decision records that the mark is owed until the connector clears it.
    A page of emails goes through `track_page` instead: one transaction and a few statements for all.
    """
    settings = settings or organization_settings()
    address_book = {} if address_book is None else address_book
    with database_proxy.atomic():
        earlier = None
        if known is None or email.server_id in known.decided:  # a batch knows which were decided
            earlier = TrackingDecision.get_or_none(mailbox=mailbox, server_id=email.server_id)
        if earlier is not None:
            return _earlier_result(earlier)
        page = _Page(mailbox, settings, address_book, mark_pending)
        page.add(email, _decide(mailbox, email, settings, address_book, known), known)
        if page.content_needed:
            raise ContentNeeded(page.content_needed)
        return page.write()[0]


def track_page(mailbox: Mailbox, emails: list[IncomingEmail], *, settings: OrganizationSettings,
               address_book: dict[str, Party | None], mark_pending: bool = False,
               arrivals_since: datetime | None = None) -> list[TrackingResult]:
    """Decide and record a page of emails in one transaction; return the results of those decided now.

    The same decisions as `track_email` on each in turn (an email may answer one tracked earlier in
    the page); items decided by an earlier run are left out, and so is a repeat of one in the page.
    Raises ContentNeeded, writing nothing, when it keeps emails whose content is still on the server.
    `arrivals_since`: see is_arrival (None: no email is an arrival).
    """
    with database_proxy.atomic():
        known = known_keys(mailbox, emails, settings, address_book)
        page = _Page(mailbox, settings, address_book, mark_pending, arrivals_since)
        results = []
        for email in emails:
            if email.server_id in known.decided:
                continue
            known.decided.add(email.server_id)
            if page.needs_writing_before(email):
                results += page.write()
            page.add(email, _decide(mailbox, email, settings, address_book, known), known)
        if page.content_needed:
            raise ContentNeeded(page.content_needed)  # the transaction rolls back what the page wrote
        return results + page.write()


def decided_items(mailbox: Mailbox, server_ids: list[str]) -> set[str]:
    """Which of these server items have a decision already (one query for a page of items)."""
    if not server_ids:
        return set()
    query = TrackingDecision.select(TrackingDecision.server_id).where(TrackingDecision.mailbox == mailbox,
                                                                      TrackingDecision.server_id.in_(server_ids))
    return {server_id for (server_id,) in query.tuples()}


def why_not_tracked(mailbox: Mailbox, *, message_id: str | None = None, server_id: str | None = None) -> str | None:
    """The recorded reason for an email of this mailbox, by Message-ID or server id; None if never seen."""
    query = TrackingDecision.select().where(TrackingDecision.mailbox == mailbox)
    if server_id is not None:
        query = query.where(TrackingDecision.server_id == server_id)
    elif message_id is not None:
        query = query.where(TrackingDecision.message_id == message_id)
    else:
        raise ValueError("give a message_id or a server_id")
    decision = query.order_by(TrackingDecision.id.desc()).first()
    return decision.reason if decision else None
