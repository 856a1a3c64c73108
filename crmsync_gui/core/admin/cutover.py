"""Cut-over of an Exchange profile from EWS to Microsoft Graph, or back (a rollback), without re-reading or
duplicating anything. `crmsync profiles cutover` and the console's cut-over dialog both call `cutover`.

1. Test every mailbox of the profile over the target protocol, each direction it syncs; a failure is listed
   with its reason and remedy, and then nothing changes.
2. Translate every server item id the store holds for each mailbox (item map, tracking decisions, unreadable
   email) with Graph's translateExchangeIds (EWS id ↔ Graph REST id): the parity count is how many of them
   the server knows over both protocols.
3. Unless a dry run, and only when every mailbox passed and no mapped appointment, contact or task is gone
   from the server, one transaction that first takes every mailbox's leases (as an engine does; refused while
   one syncs, or when one synced since step 2): the ids replaced, each mailbox's folder cursors cleared (an EWS
   SyncState means nothing to Graph, nor a delta link to EWS), the profile's protocol switched. Tracking
   decisions and the item map are kept, so the first read over the new protocol decides every email it
   lists as already decided and matches every ACT item to its record: nothing is tracked again, nothing
   created twice. A tracking decision for email deleted since stays as it is (the history of what was done).
   The leases are held a few seconds more, until every engine has reloaded the profile, then released.
"""
from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS, uses_server_side_sync
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import CrmSyncError, ValidationError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import (
    EmailServerProfile,
    FolderSyncState,
    ItemMap,
    Mailbox,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import trace
from crmsync_gui.core.sync.connection_check import DirectionTest, test_direction
from crmsync_gui.core.sync.job import request_timeout_s, secret_ref_of

Protocol = codes.ExchangeProtocol
MAX_PARALLEL = 8  # mailboxes tested and translated at once (each also within the profile's connection cap)
# The cut-over holds the mailboxes' leases this long after switching: engines reload profiles every scheduler
# pass (a second), so no job that began with the old protocol's profile can start in the meantime.
HOLD_S = 5.0
ALL_DIRECTIONS = sum(COLUMNS[d].lease_bit for d in codes.Direction)


@dataclass
class MailboxCutover:
    """One mailbox's outcome: its test over the target protocol and its ids' parity."""

    mailbox_id: int
    email: str
    tests: list[DirectionTest] = field(default_factory=list)
    ids: int = 0  # server item ids the store holds for the mailbox
    known: int = 0  # of them, known over both protocols
    gone_mapped: int = 0  # mapped ACT items the server no longer has (a delete EWS has not reported yet)
    error: str = ""  # why its ids could not be translated
    counted: bool = False  # its ids were translated (not when a test failed)

    @property
    def ready(self) -> bool:
        return all(t.ok for t in self.tests) and not self.error and not self.gone_mapped

    @property
    def parity(self) -> float | None:
        """Percent of its ids known over both protocols; None when not counted."""
        if not self.counted:
            return None
        return 100.0 if not self.ids else round(100 * self.known / self.ids, 1)

    def problems(self) -> list[str]:
        """Why the mailbox cannot move yet, a sentence each, then what to do (each remedy once)."""
        failed = [t for t in self.tests if not t.ok]
        lines = [f"{t.direction.label}: {t.message}" for t in failed]
        if self.error:
            lines.append(self.error)
        if self.gone_mapped:
            lines.append(f"{self.gone_mapped} synced appointments, contacts or tasks are no longer on the server; "
                         "let one more ACT sync over the current protocol carry their deletes, then try again.")
        lines += [f"What to do: {remedy}" for remedy in dict.fromkeys(t.remediation for t in failed if t.remediation)]
        return lines

    def describe(self) -> str:
        if self.ready:
            return f"{self.email}: ready, {self.known} of {self.ids} items known over both protocols ({self.parity:g}%)"
        return f"{self.email}: NOT READY: " + " ".join(self.problems())


@dataclass
class CutoverReport:
    profile: str
    to: codes.ExchangeProtocol
    dry_run: bool
    mailboxes: list[MailboxCutover]
    applied: bool = False
    blocked: str = ""  # why a cut-over that was asked for was not applied

    @property
    def ready(self) -> bool:
        return all(m.ready for m in self.mailboxes)

    def to_dict(self) -> dict:
        return {"profile": self.profile, "to": self.to.name.lower(), "dry_run": self.dry_run, "applied": self.applied,
                "ready": self.ready, "blocked": self.blocked, "mailboxes": [
                    {"email": m.email, "ready": m.ready, "ids": m.ids, "known": m.known, "parity": m.parity,
                     "gone_mapped": m.gone_mapped, "error": m.error,
                     "failed": [{"direction": t.direction.name.lower(), "code": t.code, "message": t.message,
                                 "remediation": t.remediation} for t in m.tests if not t.ok]}
                    for m in self.mailboxes]}

    def lines(self) -> list[str]:
        verb = "Dry run of the cut-over" if self.dry_run else "Cut-over"
        head = [f"{verb} of profile '{self.profile}' to {self.to.label}: {len(self.mailboxes)} mailboxes, "
                f"{sum(m.ready for m in self.mailboxes)} ready."]
        tail = ["Applied: the profile now syncs over " + self.to.label + "." if self.applied else
                self.blocked or "Nothing was changed (dry run)."]
        return head + [f"  {m.describe()}" for m in self.mailboxes] + [tail[0]]


class _CutoverJob:
    """A connector.Job for one mailbox of the profile, outside the engine: no rows written."""

    def __init__(self, mailbox: Mailbox, profile, password: str | None, direction: codes.Direction, slots):
        self.mailbox, self.profile, self.password, self.direction = mailbox, profile, password, direction
        self.username = profile.username or mailbox.username or mailbox.email
        self.timeout_s = request_timeout_s(profile)
        self._slots = slots

    @asynccontextmanager
    async def connection(self):
        async with self._slots:  # the profile's connection cap, across the mailboxes done at once
            yield

    def publish(self, event) -> None:
        pass

    def __repr__(self) -> str:  # never show the password
        return f"<CutoverJob {self.mailbox.email} {self.direction.name.lower()}>"


def _as(profile: EmailServerProfile, protocol: codes.ExchangeProtocol) -> EmailServerProfile:
    """The profile as it would be over `protocol` (unsaved)."""
    copy = EmailServerProfile(**{name: getattr(profile, name) for name in EmailServerProfile._meta.fields})
    copy.protocol = int(protocol)
    return copy


def _check(profile: EmailServerProfile, to: codes.ExchangeProtocol) -> None:
    if not codes.ServerType(profile.server_type).is_exchange:
        raise CrmSyncError(f"Profile '{profile.name}' is a {codes.ServerType(profile.server_type).label} profile; "
                           "only Exchange profiles can move between EWS and Microsoft Graph.")
    if Protocol(profile.protocol or Protocol.EWS) == to:
        raise CrmSyncError(f"Profile '{profile.name}' already syncs over {to.label}; nothing to do.")
    fields = {name: getattr(profile, name) for name in EmailServerProfile._meta.fields if name not in ("id", "owner")}
    problems = validate_profile(fields | {"protocol": int(to)})
    if problems:
        raise ValidationError({k: f"{v} (needed over {to.label})" for k, v in problems.items()})


def _server_ids(mailbox) -> tuple[list[str], set[str]]:
    """Every server item id the store holds for the mailbox, and which of them are ACT item map rows."""
    mapped = {m.item_id for m in ItemMap.select(ItemMap.item_id).where(ItemMap.mailbox == mailbox)}
    decided = {d.server_id for d in TrackingDecision.select(TrackingDecision.server_id)
               .where(TrackingDecision.mailbox == mailbox)}
    unreadable = {u.server_id for u in UnreadableEmail.select(UnreadableEmail.server_id)
                  .where(UnreadableEmail.mailbox == mailbox)}
    return sorted(mapped | decided | unreadable), mapped


async def _one(mailbox: Mailbox, password, to, slots, ids, mapped, *, target, translator) -> tuple[MailboxCutover,
                                                                                                      dict]:
    """`target` and `translator`: (connector, profile) over the target protocol and over Graph."""
    result = MailboxCutover(mailbox.id, mailbox.email, ids=len(ids))
    connector, profile = target
    for direction in codes.Direction:
        if uses_server_side_sync(mailbox, direction):
            result.tests.append(await test_direction(connector, _CutoverJob(mailbox, profile, password, direction,
                                                                             slots)))
    translated: dict[str, str] = {}
    if ids and all(t.ok for t in result.tests):  # a mailbox that cannot move is not counted
        connector, profile = translator
        try:
            translated = await connector.translate_ids(_CutoverJob(mailbox, profile, password, codes.Direction.ACT,
                                                                   slots), ids, to=to)
        except CrmSyncError as error:
            result.error = f"Its item ids could not be translated: {error}"
    result.counted = all(t.ok for t in result.tests) and not result.error
    result.known = len(translated)
    result.gone_mapped = len(mapped - set(translated)) if result.counted else 0
    return result, translated


async def cutover(profile_key: str, to: codes.ExchangeProtocol, *, dry_run: bool, secrets,
                  on_mailbox: Callable[[MailboxCutover], None] | None = None) -> CutoverReport:
    """Test, translate and (unless `dry_run`, and only when every mailbox is ready) switch the profile's protocol.

    Raises CrmSyncError (ValidationError) when the profile cannot move to `to` at all; per-mailbox problems
    come back in the report. `on_mailbox` hears each mailbox's outcome as it is known."""
    from crmsync_gui.core.admin.lookup import find_profile
    from crmsync_gui.core.connectors import load_connectors
    from crmsync_gui.core.sync.connector import connector_for

    to = Protocol(to)
    profile = find_profile(profile_key)
    _check(profile, to)
    load_connectors()
    target_profile, graph_profile = _as(profile, to), _as(profile, Protocol.GRAPH)
    target = connector_for(target_profile).connector
    translator = target if to == Protocol.GRAPH else connector_for(graph_profile).connector
    mailboxes = list(Mailbox.select().where(Mailbox.profile == profile).order_by(Mailbox.email))
    slots = asyncio.Semaphore(max(1, int(profile.max_concurrent_connections or 1)))
    parallel = asyncio.Semaphore(MAX_PARALLEL)
    held = {m.id: _server_ids(m) for m in mailboxes}  # read before the first request: the store's view

    async def one(mailbox):
        async with parallel:
            ref = secret_ref_of(mailbox, profile)
            outcome = await _one(mailbox, secrets.get(ref) if ref else None, to, slots, *held[mailbox.id],
                                 target=(target, target_profile), translator=(translator, graph_profile))
        if on_mailbox is not None:
            on_mailbox(outcome[0])
        return outcome

    try:
        outcomes = await asyncio.gather(*(one(m) for m in mailboxes))
    finally:
        await target.close()
        if translator is not target:
            await translator.close()
    report = CutoverReport(profile.name, to, dry_run, [o[0] for o in outcomes])
    if dry_run:
        return report
    if not report.ready:
        report.blocked = "Nothing was changed: every mailbox must be ready first."
        return report
    holder = f"cutover:{socket.gethostname()}:{os.getpid()}"
    _apply(profile, to, {o[0].mailbox_id: o[1] for o in outcomes}, held, holder)
    report.applied = True
    try:
        await asyncio.sleep(HOLD_S)  # every engine reloads its profiles meanwhile, so no job runs the old protocol
    finally:
        _release(profile, holder)
    return report


def _apply(profile: EmailServerProfile, to: codes.ExchangeProtocol, translated: dict[int, dict[str, str]],
           held: dict[int, tuple[list[str], set[str]]], holder: str) -> None:
    now = utcnow()
    with database_proxy.atomic():
        # Every mailbox's leases first, as an engine takes them (only where none is held): no sync runs from now
        # until the engines have the new protocol, and on SQLite a lease taken meanwhile waits for this commit.
        taken = (Mailbox.update(lock_host=holder, lock_state=ALL_DIRECTIONS, lock_expires=now + timedelta(
            seconds=HOLD_S + 60)).where(Mailbox.profile == profile, (Mailbox.lock_state == 0)
                                        | Mailbox.lock_expires.is_null() | (Mailbox.lock_expires < now))
                 .execute())
        if taken != len(translated):
            raise CrmSyncError(f"Mailboxes of profile '{profile.name}' are syncing now; nothing was changed. Try "
                               "again when their runs end (a minute or two).")
        for mailbox_id, (ids, _mapped) in held.items():
            now_held = _server_ids(mailbox_id)[0]
            if set(now_held) - set(ids):
                raise CrmSyncError(f"Mailbox {Mailbox.get_by_id(mailbox_id).email} synced while the cut-over was "
                                   "testing; nothing was changed. Run the cut-over again.")
        for mailbox_id, ids in translated.items():
            for old, new in ids.items():
                if old == new:
                    continue
                ItemMap.update(item_id=new).where(ItemMap.mailbox == mailbox_id, ItemMap.item_id == old).execute()
                TrackingDecision.update(server_id=new).where(TrackingDecision.mailbox == mailbox_id,
                                                             TrackingDecision.server_id == old).execute()
                UnreadableEmail.update(server_id=new).where(UnreadableEmail.mailbox == mailbox_id,
                                                            UnreadableEmail.server_id == old).execute()
            FolderSyncState.delete().where(FolderSyncState.mailbox == mailbox_id).execute()
        EmailServerProfile.update(protocol=int(to)).where(EmailServerProfile.id == profile.id).execute()
        trace.record("ProfileCutOver", f"Profile '{profile.name}' moved to {to.label}: "
                     f"{sum(len(ids) for ids in translated.values())} item ids translated in "
                     f"{len(translated)} mailboxes; tracking decisions and the item map kept.", at=now,
                     level=codes.TraceLevel.INFORMATION, profile_id=profile.id, remediation="No action needed.")


def _release(profile: EmailServerProfile, holder: str) -> None:
    Mailbox.update(lock_host=None, lock_state=0, lock_expires=None).where(
        Mailbox.profile == profile, Mailbox.lock_host == holder).execute()
