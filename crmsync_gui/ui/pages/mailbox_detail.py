"""The Mailboxes page's detail pane: the selected mailbox's state, each direction, its standing error, its
request budget (Microsoft Graph: as the engine last told it, or as its last job left it), its owner's next
meetings with the attendees' answers, and its latest trace rows."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication

from crmsync_gui.core import codes, events
from crmsync_gui.core.domain.direction import COLUMNS, uses_server_side_sync
from crmsync_gui.core.domain.mailbox_status import LABELS, current_error
from crmsync_gui.core.store import views
from crmsync_gui.core.store.models import Mailbox
from crmsync_gui.core.sync import trace
from crmsync_gui.ui.labels import code_label, engine_message, number, remedy, when

LATEST = 5
translate = QCoreApplication.translate


def latest_budget(m: Mailbox, told: events.RequestBudget | None) -> events.RequestBudget | None:
    """The newer of the budget the engine last told (None: nothing since the console started) and the one
    the mailbox's last job stored."""
    stored = events.RequestBudget(m.id, m.request_budget_used, m.request_budget_limit, m.request_budget_window_s,
                                  at=m.request_budget_at) if m.request_budget_at is not None else None
    return max((b for b in (told, stored) if b is not None), key=lambda b: b.at, default=None)


def mailbox_detail_html(model, m: Mailbox, budget: events.RequestBudget | None = None) -> str:
    """`model` (the page's MailboxTableModel) gives the status and the cells' texts, so both say the same;
    `budget`: the mailbox's request budget (latest_budget) or None."""
    status = model.status_of(m)
    e = escape
    last_error, what_to_do = translate("MailboxDetail", "Last error"), translate("MailboxDetail", "What to do")
    latest_title = translate("MailboxDetail", "Latest errors and warnings")
    all_errors = translate("MailboxDetail", "All errors of this mailbox (Ctrl+L)")
    heading = translate("states", LABELS[status.code]) + (f": {status.why}" if status.why else "")
    who = [m.email, model.display(m, "owner"), model.display(m, "profile")]
    parts = [f"<h3>{e(m.name)} — {e(heading)}</h3>", f"<p>{e(' · '.join(p for p in who if p))}</p>"]
    head = "".join(f"<th align='left'>{e(h)}&nbsp;&nbsp;</th>" for h in (
        translate("MailboxDetail", "Direction"), translate("MailboxDetail", "Method"),
        translate("MailboxDetail", "Enabled"), translate("MailboxDetail", "Last run"),
        translate("MailboxDetail", "Failures in a row"), translate("MailboxDetail", "Next run")))
    rows = []
    for direction, cols in COLUMNS.items():
        synced = uses_server_side_sync(m, direction)
        enabled = synced and getattr(m, cols.enabled)
        run = getattr(m, cols.next_run)
        cells = [code_label(codes.Direction, direction),
                 model.display(m, cols.method),
                 translate("MailboxDetail", "yes") if enabled else translate("MailboxDetail", "no"),
                 code_label(codes.DirectionStatus, getattr(m, cols.status)) if synced else "—",
                 str(getattr(m, cols.transient_failures)) if synced else "—",
                 (when(run) + " UTC" if run else "") if enabled and status.syncs else "—"]
        rows.append("<tr>" + "".join(f"<td>{e(c)}&nbsp;&nbsp;</td>" for c in cells) + "</tr>")
    parts.append(f"<table cellspacing='2'><tr>{head}</tr>{''.join(rows)}</table>")
    if m.arrival is not None:  # how new email arrives, recorded by the last incoming run
        line = translate("MailboxDetail", "New email: {0}.").format(model.display(m, "arrival"))
        if m.arrival_latency_s is not None:
            line += " " + translate("MailboxDetail", "The last tracked email reached the CRM {0} after arriving.").format(
                model.display(m, "arrival_latency_s"))
        parts.append(f"<p>{e(line)}</p>")
    if budget is not None:  # Microsoft Graph's limit per mailbox, counted by the engine's session
        line = translate("MailboxDetail", "Microsoft Graph requests: {0} of {1} in the last {2} minutes "
                         "(at {3} UTC).").format(number(budget.used), number(budget.limit),
                                                f"{budget.window_s / 60:g}", when(budget.at))
        if budget.used >= budget.limit:
            line += " " + translate("MailboxDetail", "The budget is spent: the mailbox waits until requests fall "
                                    "out of the window.")
        parts.append(f"<p>{e(line)}</p>")
    meetings = views.meeting_answers(m.owner_user_id) if m.owner_user_id else []
    if meetings:  # the answers the organizer's calendar got back, as the CRM appointment's parties keep them
        lines = "".join("<li>" + e(translate("MailboxDetail", "{0}, {1} UTC: {2}").format(
            meeting.subject, when(meeting.starts_at), ", ".join(
                f"{who} ({code_label(codes.MeetingResponse, answer)})" for who, answer in meeting.answers))) + "</li>"
            for meeting in meetings)
        title = translate("MailboxDetail", "Next meetings and the attendees’ answers")
        parts.append(f"<p><b>{e(title)}</b></p><ul>{lines}</ul>")
    code = current_error(m, status)
    if code:
        at = f" ({e(when(m.last_error_at))} UTC)" if m.last_error_at else ""
        parts.append(f"<p><b>{e(last_error)}</b>{at}: {e(code)}: "
                     f"{e(m.last_error_message or '')}<br><b>{e(what_to_do)}:</b> "
                     f"{e(remedy(trace.hint_for(code)))}</p>")
    latest = views.trace_page(views.TraceFilter(mailbox_id=m.id), None, LATEST)
    if latest:
        lines = "".join(f"<li>{e(when(last_at))} {e(code_label(codes.TraceLevel, level))} {e(code)}: "
                        f"{e(engine_message(code, args, message or '').splitlines()[0] if message else '')}</li>"
                        for _id, level, code, message, _m, _p, _count, _first, last_at, args in latest)
        parts.append(f"<p><b>{e(latest_title)}</b></p><ul>{lines}</ul>")
    parts.append(f"<p><a href='errors'>{e(all_errors)}</a></p>")
    return "\n".join(parts)
