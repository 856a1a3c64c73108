"""The incoming email pipeline: one for every protocol; the connectors below it are MailSource adapters.

Per tracked folder the pipeline loads the folder's cursor, reads pages of raw email from the source,
parses them (off the event loop), hands the readable ones to tracking in a batch, keeps the unreadable
ones (moved to the Undeliverable folder first when the profile asks and the source can), and commits
the folder's new cursor after the page's decisions: a restart repeats nothing and misses nothing.
A source may give an email's headers and body first (`RawEmail.content_later`, Graph's email with
attachments): tracking decides on them, and only the emails it keeps are fetched whole and the page
decided again (`tracking.ContentNeeded`, nothing written before); in a folder where tracking keeps
every email (`tracking.keeps_every_email`) they are fetched whole before deciding. Sources that mark
tracked email on the server (Exchange's category) are told which, once the folder is read; the marks
they still owe from an earlier run are kept as `mark_pending` decisions. Emails an administrator asked to
reprocess (core/admin/reprocess.py) are fetched again first and decided anew, their old decision replaced.
"""
from __future__ import annotations

import contextlib
import logging
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from crmsync_gui.core import codes, messages
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.db import refresh_statistics
from crmsync_gui.core.store.models import (
    FolderSyncState,
    Mailbox,
    ReprocessRequest,
    TrackingDecision,
    UnreadableEmail,
)
from crmsync_gui.core.sync import mime, parsing, trace, tracking
from crmsync_gui.core.sync.mail import CursorExpired, FolderCursor, IncomingEmail, MailSource, Page, RawEmail

log = logging.getLogger(__name__)

SETTLE_ROUNDS = 3  # extra reads of a folder per run to take in our own marks, at most
STATISTICS_AFTER = 1_000  # a run that decided this many emails (a first sync) refreshes the planner's statistics


class MailSourceFactory(Protocol):
    def mail_source(self, job) -> AbstractAsyncContextManager[MailSource]:
        """Open the mailbox for one incoming run; closing it ends the run's session."""


@dataclass
class _Context:
    job: object
    source: MailSource
    settings: object
    address_book: dict = field(default_factory=dict)  # sender/recipient → CRM record, looked up once per run
    arrivals_since: object = None  # see tracking.is_arrival
    newest: tuple | None = None  # (received at, seconds to the CRM) of the newest arrival tracked in this run


async def run(job, connector: MailSourceFactory) -> int:
    """Sync every tracked folder of the job's mailbox; return how many emails were decided or kept now."""
    started = utcnow()
    async with connector.mail_source(job) as source:
        session = _Context(job, source, tracking.organization_settings(),
                           arrivals_since=job.mailbox.incoming_good_run_at or started)
        processed = await _reprocess(session)  # first, so a reprocessed email's mark goes on in this run
        for folder in source.folders(tracking.tracked_folders(job.mailbox)):
            processed += await _sync_folder(session, folder)
        done = {Mailbox.incoming_good_run_at: started}
        if session.newest is not None:  # the Mailboxes page's arrival-to-CRM time of the last tracked arrival
            done[Mailbox.arrival_latency_s] = session.newest[1]
        Mailbox.update(done).where(Mailbox.id == job.mailbox.id).execute()
        job.mailbox.incoming_good_run_at = started
        if processed >= STATISTICS_AFTER:
            refresh_statistics()
        return processed


async def _sync_folder(ctx: _Context, folder: str) -> int:
    job, source = ctx.job, ctx.source
    row, _ = FolderSyncState.get_or_create(mailbox=job.mailbox, folder=folder, direction=codes.Direction.INCOMING)
    cursor = FolderCursor(row.state, row.uid_validity, row.last_uid)
    to_mark = await _owed_marks(ctx, folder) if source.marks_tracked else []
    whole_first = tracking.keeps_every_email(job.mailbox, folder)
    processed, ignore, rounds = 0, [], 0
    while True:
        try:
            # closed at once when a page fails, so the source's download under way ends before its session does
            async with contextlib.aclosing(source.pages(folder, cursor, ignore)) as pages:
                async for page in pages:
                    decided, unreadable, tracked = await _handle_page(ctx, folder, page, whole_first)
                    processed += decided
                    to_mark += tracked
                    cursor = await source.page_handled(folder, page, unreadable)
                    with database_proxy.atomic():
                        row.state, row.uid_validity, row.last_uid = cursor.state, cursor.uid_validity, cursor.last_uid
                        row.updated_at = utcnow()
                        row.save()
        except CursorExpired as expired:
            if cursor == FolderCursor():
                raise expired.error from None
            # The server forgot our place: start over; emails already decided are not tracked twice.
            cursor = FolderCursor()
            continue
        if not to_mark or rounds >= SETTLE_ROUNDS:
            return processed
        # Marks go on once the folder is read, and the next read ignores those changes of ours, so no
        # tracked email is downloaded twice; new mail meanwhile still comes.
        await source.mark_tracked(folder, to_mark)
        _marks_done(job.mailbox, [e.server_id for e in to_mark])
        ignore, to_mark, rounds = [e.server_id for e in to_mark], [], rounds + 1


async def _handle_page(ctx: _Context, folder: str, page: Page, whole_first: bool
                       ) -> tuple[int, set[str], list[RawEmail]]:
    """Track a page: (how many decided or kept now, server ids of the unreadable, emails to mark).
    `whole_first`: tracking keeps every email of the folder, so emails given without their content are fetched
    whole before deciding."""
    job, source = ctx.job, ctx.source
    parsed = await _parse_all(page.emails, folder)
    later = {raw.server_id for raw, _ in parsed if raw.content_later}
    if whole_first and later:
        parsed = await _completed(source, folder, parsed, later)
    while True:
        emails = [(raw, email) for raw, email in parsed if isinstance(email, IncomingEmail)]
        unreadable = [error for _, error in parsed if isinstance(error, mime.UnreadableEmailError)]
        try:  # one transaction, with no await inside: the loop's other jobs share this thread's connection
            results = tracking.track_page(job.mailbox, [email for _, email in emails], settings=ctx.settings,
                                          address_book=ctx.address_book, mark_pending=source.marks_tracked,
                                          arrivals_since=ctx.arrivals_since)
            break
        except tracking.ContentNeeded as needed:  # nothing written: fetch what tracking keeps, decide again
            parsed = await _completed(source, folder, parsed, set(needed.server_ids))
    raws = {email.server_id: raw for raw, email in emails}
    _note_newest(ctx, results)
    decided = len(results)
    tracked = [raws[r.decision.server_id] for r in results if r.tracked] if source.marks_tracked else []
    move = bool(job.profile.move_failed_to_undeliverable) and source.moves_unreadable
    if unreadable and move:  # moved before recorded: a failed move leaves the page to redo
        ids = {error.server_id for error in unreadable}
        await source.move_unreadable(folder, [raw for raw in page.emails if raw.server_id in ids])
    for error in unreadable:
        decided += keep_unreadable(job, error, folder, moved=move)
    return decided, {error.server_id for error in unreadable}, tracked


async def _completed(source: MailSource, folder: str, parsed: list, wanted: set[str]) -> list:
    """The page's parsed emails with those of `wanted` fetched whole and parsed again (off the loop)."""
    whole = await source.complete(folder, [raw for raw, _ in parsed if raw.server_id in wanted])
    again = {raw.server_id: (raw, email) for raw, email in await _parse_all(whole, folder)}
    return [again.get(raw.server_id, (raw, email)) for raw, email in parsed]


def _note_newest(ctx: _Context, results) -> None:
    now = utcnow()
    for result in results:
        received = result.decision.received_at
        if result.tracked and result.decision.arrival and (ctx.newest is None or received > ctx.newest[0]):
            ctx.newest = (received, max(0.0, (now - received).total_seconds()))


async def _parse_all(emails: list[RawEmail], folder: str
                     ) -> list[tuple[RawEmail, IncomingEmail | mime.UnreadableEmailError]]:
    """Each email parsed, in worker processes (core/sync/parsing.py), with what its server knew added."""
    readable = [raw for raw in emails if not raw.fetch_error]
    results = iter(await parsing.parse([(raw.server_id, raw.raw, raw.size) for raw in readable], folder))
    parsed = []
    for raw in emails:
        if raw.fetch_error:  # a protocol error on this email alone: its own unreadable record, the mailbox goes on
            parsed.append((raw, mime.UnreadableEmailError(raw.server_id, raw.fetch_error, raw.raw, raw.size)))
            continue
        email = next(results)
        if isinstance(email, IncomingEmail):
            email.content_later = raw.content_later
            if raw.received_at is not None:  # when it reached this mailbox, more exact than the Date header
                email.received_at = raw.received_at
            if not email.thread_index and raw.thread_index:
                email.thread_index = raw.thread_index
        parsed.append((raw, email))
    return parsed


async def _reprocess(ctx: _Context) -> int:
    """Decide again the emails an administrator asked to reprocess (core/admin/reprocess.py): each fetched from
    the server anew, parsed, and tracked under today's rules; return how many. Each one's new decision, the removal
    of its old one and of its request, and its trace row are one transaction: a run that fails before leaves the
    request for the next."""
    mailbox = ctx.job.mailbox
    asked = list(ReprocessRequest.select().where(ReprocessRequest.mailbox == mailbox).order_by(ReprocessRequest.id))
    for folder in sorted({request.folder for request in asked}):
        here = [request for request in asked if request.folder == folder]
        found = await ctx.source.fetch(folder, [request.server_id for request in here])
        parsed = {raw.server_id: email for raw, email in await _parse_all(found, folder)}
        for request in here:
            _decide_again(ctx, request, parsed.get(request.server_id))
    return len(asked)


def _decide_again(ctx: _Context, request: ReprocessRequest, email) -> None:
    """One reprocessed email's new decision (`email`: parsed, unreadable, or None when the server no longer
    has it), with the trace row saying who asked and what came of it."""
    job, mailbox = ctx.job, ctx.job.mailbox
    with database_proxy.atomic():
        old = TrackingDecision.get_or_none(TrackingDecision.mailbox == mailbox,
                                           TrackingDecision.server_id == request.server_id)
        args = {"who": request.requested_by, "subject": (old.subject if old else "") or request.server_id,
                "mailbox": mailbox.name}
        if old is not None and old.outcome == codes.TrackingOutcome.TRACKED and old.activity_id is not None:
            code, args["outcome"] = "EmailReprocessed", old.reason  # tracked meanwhile: never a second activity
        elif email is None:
            code, args["folder"] = "ReprocessedEmailGone", request.folder
        else:
            TrackingDecision.delete().where(TrackingDecision.mailbox == mailbox,
                                            TrackingDecision.server_id == request.server_id).execute()
            UnreadableEmail.delete().where(UnreadableEmail.mailbox == mailbox,
                                           UnreadableEmail.server_id == request.server_id).execute()
            if isinstance(email, mime.UnreadableEmailError):
                keep_unreadable(job, email, request.folder)
                code, args["reason"] = "ReprocessedEmailUnreadable", str(email)
            else:
                [result] = tracking.track_page(mailbox, [email], settings=ctx.settings,
                                               address_book=ctx.address_book, mark_pending=ctx.source.marks_tracked)
                args["subject"] = result.decision.subject or args["subject"]
                code, args["outcome"] = "EmailReprocessed", result.reason
        request.delete_instance()
        trace.record(code, messages.render(code, args), at=utcnow(), mailbox_id=mailbox.id, item=request.server_id,
                     args=args)


async def _owed_marks(ctx: _Context, folder: str) -> list[RawEmail]:
    """Emails tracked by an earlier run that stopped before their mark went on: marked in this run.

    Costs nothing when none is owed (one query of the store), so an idle cycle stays one request."""
    mailbox = ctx.job.mailbox
    owed = [server_id for (server_id,) in TrackingDecision.select(TrackingDecision.server_id).where(
        TrackingDecision.mailbox == mailbox, TrackingDecision.folder == folder,
        TrackingDecision.mark_pending == True).tuples()]  # noqa: E712 (peewee)
    if not owed:
        return []
    found = await ctx.source.still_there(folder, owed)
    _marks_done(mailbox, sorted(set(owed) - {e.server_id for e in found}))  # deleted meanwhile: nothing owed
    log.info("%s: %d tracked emails in %s still get their mark", mailbox.email, len(found), folder)
    return found


def _marks_done(mailbox, server_ids: list[str]) -> None:
    for start in range(0, len(server_ids), 500):  # stay under SQLite's bound-parameter limit
        TrackingDecision.update(mark_pending=False).where(
            TrackingDecision.mailbox == mailbox,
            TrackingDecision.server_id.in_(server_ids[start:start + 500])).execute()


def keep_unreadable(job, error: mime.UnreadableEmailError, folder: str, *, moved: bool = False) -> bool:
    """Record an email that could not be read, with its first bytes, in the error browser too; True when new.

    `moved`: it has just been moved to the Undeliverable folder, as the profile asks."""
    with database_proxy.atomic():
        _, created = UnreadableEmail.get_or_create(
            mailbox=job.mailbox, folder=folder, server_id=error.server_id,
            defaults={"reason": str(error), "raw": error.raw, "raw_size": error.raw_size})
        if created:
            where = (f" It was moved from {folder} to {codes.UNDELIVERABLE_FOLDER}, as the profile asks."
                     if moved else "")
            trace.record("EmailUnreadable", f"Mailbox '{job.mailbox.name}': {error}{where}", at=utcnow(),
                         mailbox_id=job.mailbox.id, item=trace.unreadable_item(folder, error.server_id))
    if created:
        log.warning("Mailbox %s: %s", job.mailbox.email, error)
    return created
