"""`crmsync`: the headless command line (no Qt). Admin commands and, later, the engine service.

Bad input gets one clear line on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import multiprocessing
import os
import secrets
import signal
import sys
import uuid
from collections.abc import Callable

from crmsync_gui import __version__
from crmsync_gui.core import admin, codes, migration
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.migration.report import plan_text, result_text
from crmsync_gui.core.secrets import secret_store_for
from crmsync_gui.core.store.db import (
    close_database,
    default_database_path,
    describe_target,
    known_store_errors,
    open_database,
)
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.service_log import log_to_stdout

EXIT_USAGE = 2
EXIT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage plus error
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _print_table(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, default=str, indent=None))
        return
    if not rows:
        print("(none)")
        return
    headers = list(rows[0])
    widths = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in headers}
    print("  ".join(h.upper().ljust(widths[h]) for h in headers).rstrip())
    for r in rows:
        print("  ".join(str(r[h]).ljust(widths[h]) for h in headers).rstrip())


def _profile_row(p: EmailServerProfile) -> dict:
    exchange = codes.ServerType(p.server_type).is_exchange
    graph = exchange and p.protocol == codes.ExchangeProtocol.GRAPH
    return {"id": p.id, "name": p.name, "type": codes.ServerType(p.server_type).label,
            "protocol": codes.ExchangeProtocol(p.protocol).label if exchange else "-",
            "incoming": (p.graph_url or codes.GRAPH_URL) if graph else p.incoming_server, "outgoing": p.outgoing_server or "-",
            "ssl": "yes" if p.incoming_use_ssl else "no", "max_conn": p.max_concurrent_connections,
            "password": "set" if p.secret_ref else "-"}


def _mailbox_row(m: Mailbox) -> dict:
    owner = m.owner
    return {"id": m.id, "name": m.name, "email": m.email,
            "owner": owner.label if owner else "-",
            "profile": m.profile.name if m.profile_id else "-",
            "approval": codes.Approval(m.approval).label,
            "incoming": codes.DirectionStatus(m.incoming_status).label,
            "outgoing": codes.DirectionStatus(m.outgoing_status).label}


def cmd_init(args) -> int:
    print(f"Database ready at {args.db_label} (schema up to date).")
    print(secret_store_for(args.db_path).describe_backend())
    return 0


def cmd_profiles_add(args) -> int:
    fields = {"name": args.name, "server_type": args.type, "auth_type": args.auth,
              "incoming_server": args.incoming or "", "outgoing_server": args.outgoing or "",
              "incoming_use_ssl": not args.no_ssl, "outgoing_use_ssl": not args.no_ssl,
              "max_concurrent_connections": args.max_connections,
              "min_polling_interval_minutes": args.min_polling, "timeout_ms": args.timeout_ms,
              "username": args.username, "trusted_ca_file": args.ca_file,
              "incoming_starttls": args.starttls, "outgoing_starttls": args.starttls,
              "leave_email_on_server": not args.delete_after_import,
              "move_failed_to_undeliverable": args.move_failed_to_undeliverable,
              "oauth_tenant": args.oauth_tenant, "allow_unencrypted": args.allow_unencrypted} | _graph_fields(args)
    _check_files(args)
    password = _read_password() if args.password_stdin else None
    profile = admin.save_profile(fields, password=password, secrets=secret_store_for(args.db_path))
    print(f"Profile '{profile.name}' saved (id {profile.id}).")
    if args.no_ssl and args.allow_unencrypted:
        print(UNENCRYPTED_WARNING, file=sys.stderr)
    return 0


def cmd_profiles_edit(args) -> int:
    """Change the fields given; every other one keeps its value."""
    profile = admin.find_profile(args.profile)
    given = {"name": args.name, "server_type": args.type, "auth_type": args.auth, "incoming_server": args.incoming,
             "outgoing_server": args.outgoing, "username": args.username, "oauth_tenant": args.oauth_tenant,
             "trusted_ca_file": args.ca_file, "max_concurrent_connections": args.max_connections,
             "min_polling_interval_minutes": args.min_polling, "timeout_ms": args.timeout_ms}
    fields = {k: v for k, v in given.items() if v is not None} | _graph_fields(args)
    if args.allow_unencrypted:
        fields["allow_unencrypted"] = True
    password = _read_password() if args.password_stdin else None
    if not fields and not password:
        raise CrmSyncError("Nothing to change: give the fields to change (see crmsync profiles edit --help).")
    admin.save_profile(fields, profile=profile, password=password, secrets=secret_store_for(args.db_path))
    print(f"Profile '{profile.name}' saved (id {profile.id}).")
    if args.allow_unencrypted:
        print(UNENCRYPTED_WARNING, file=sys.stderr)
    return 0


def _graph_fields(args) -> dict:
    """The Microsoft Graph options given (an empty value clears one)."""
    given = {"protocol": args.protocol, "graph_url": args.graph_url, "oauth_authority": args.authority,
             "certificate_thumbprint": args.cert_thumbprint, "private_key_file": args.private_key_file}
    return {k: v if k == "protocol" else (v or None) for k, v in given.items() if v is not None}


def _check_files(args) -> None:
    """Files the profile names are checked now, not at the first connection hours later."""
    for path, what in ((args.ca_file, "The CA bundle"), (args.private_key_file, "The private key file")):
        if path and not os.path.isfile(path):
            raise CrmSyncError(f"{what} '{path}' does not exist or is not a file; nothing was saved.")


UNENCRYPTED_WARNING = "crmsync: warning: this profile's passwords and email cross the network unencrypted."


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n") if not sys.stdin.isatty() else getpass.getpass()
    if not password:  # an empty line would be saved as the password and fail every sign-in
        raise CrmSyncError("--password-stdin read an empty password; nothing was saved")
    return password


def cmd_profiles_list(args) -> int:
    _print_table([_profile_row(p) for p in EmailServerProfile.select().order_by(EmailServerProfile.name)], args.json)
    return 0


def cmd_profiles_test(args) -> int:
    """Test connection for a saved profile: each direction it serves, for one mailbox, nothing changed."""
    from crmsync_gui.core.sync.connection_check import stored_password, test_connection

    profile = admin.find_profile(args.profile)
    fields = {k: getattr(profile, k) for k in admin.PROFILE_FIELDS if k != "owner"}
    password = stored_password(secret_store_for(args.db_path), profile_secret_ref=profile.secret_ref,
                               username=profile.username, address=args.address)
    results = asyncio.run(test_connection(fields, password=password, address=args.address))
    print(f"Test connection of profile '{profile.name}':")
    for result in results:
        if result.ok:
            print(f"  {result.direction.label}: OK")
        else:
            print(f"  {result.direction.label}: failed ({result.code}) {result.message}\n"
                  f"    What to do: {result.remediation}")
    return 0 if all(r.ok for r in results) else EXIT_FAILED


def cmd_profiles_cutover(args) -> int:
    """Move an Exchange profile to Microsoft Graph, or back to EWS: test, translate ids, switch (admin/cutover.py)."""
    from crmsync_gui.core.admin.cutover import cutover

    to = {"graph": codes.ExchangeProtocol.GRAPH, "ews": codes.ExchangeProtocol.EWS}[args.to]
    report = asyncio.run(cutover(args.profile, to, dry_run=args.dry_run, secrets=secret_store_for(args.db_path)))
    print(json.dumps(report.to_dict()) if args.json else "\n".join(report.lines()))
    return 0 if report.ready else EXIT_FAILED


def cmd_users_add(args) -> int:
    user = admin.add_user(args.name, args.email)
    print(f"User {user.full_name} <{user.email}> added (id {user.id}).")
    return 0


def cmd_users_list(args) -> int:
    rows = [{"id": u.id, "name": u.full_name, "email": u.email,
             "tracking": codes.TrackingOption(u.tracking_option).label,
             "mailbox": (mb.name if (mb := admin.current_mailbox_of(u)) else "-")}
            for u in CrmUser.select().order_by(CrmUser.full_name)]
    _print_table(rows, args.json)
    return 0


def cmd_users_meetings(args) -> int:
    from crmsync_gui.core.store import views

    user = admin.find_user(args.user)
    rows = [{"subject": m.subject, "starts": m.starts_at.isoformat(sep=" ", timespec="minutes"),
             "answers": ", ".join(f"{who}: {answer.label}" for who, answer in m.answers)}
            for m in views.meeting_answers(user.id, **({"limit": args.limit} if args.limit else {}))]
    if not rows and not args.json:
        print(f"{user.full_name} organizes no meeting that is still to come.")
        return 0
    _print_table(rows, args.json)
    return 0


def cmd_queues_add(args) -> int:
    queue = admin.add_queue(args.name, args.email)
    print(f"Queue {queue.name} <{queue.email}> added (id {queue.id}).")
    return 0


def cmd_queues_list(args) -> int:
    rows = [{"id": q.id, "name": q.name, "email": q.email,
             "mailbox": (mb.name if (mb := admin.current_mailbox_of(q)) else "-")}
            for q in CrmQueue.select().order_by(CrmQueue.name)]
    _print_table(rows, args.json)
    return 0


def cmd_mailboxes_add(args) -> int:
    profile = admin.find_profile(args.profile) if args.profile else None
    mailbox = admin.add_mailbox(args.name, args.email, profile)
    print(f"Mailbox '{mailbox.name}' <{mailbox.email}> added (id {mailbox.id}); "
          "its address is pending approval.")
    return 0


def cmd_mailboxes_list(args) -> int:
    _print_table([_mailbox_row(m) for m in Mailbox.select().order_by(Mailbox.name)], args.json)
    return 0


def cmd_mailboxes_map(args) -> int:
    from crmsync_gui.core.admin.exchange_changes import of_ownership
    from crmsync_gui.core.admin.removal import reassignment_of

    mailbox = admin.find_mailbox(args.mailbox)
    owner = admin.find_user(args.user) if args.user else admin.find_queue(args.queue)
    act_syncs = mailbox.act_method == codes.ActMethod.SERVER_SIDE_SYNC
    if args.dry_run or admin.current_mailbox_of(owner) not in (None, mailbox):  # say what else follows first
        for consequence in reassignment_of(mailbox, owner, act_syncs):
            print(f"- {consequence.text()}.")
    if args.dry_run:
        changes = of_ownership(mailbox, owner, act_syncs)
        for line in changes.lines(limit=args.limit):
            print(f"- {line}.")
        if changes.nothing:
            print("- nothing is created or deleted in Exchange.")
        print(f"Dry run: mailbox '{mailbox.name}' was not mapped to {owner.label}; nothing was changed.")
        return 0
    admin.map_mailbox(mailbox, owner, confirm=args.yes)
    print(f"Mailbox '{mailbox.name}' is now mapped to {owner.label}.")
    return 0


def cmd_mailboxes_edit(args) -> int:
    """The mailbox dialog's fields from the command line: every field not given keeps its value."""
    mailbox = admin.find_mailbox(args.mailbox)
    given = {"name": args.name, "email": args.email, "username": args.username,
             "incoming_method": args.incoming_method, "outgoing_method": args.outgoing_method,
             "act_method": args.act_method}
    fields = {k: v for k, v in given.items() if v is not None}
    if args.profile is not None:
        fields["profile"] = admin.find_profile(args.profile) if args.profile else None
    password = _read_password() if args.password_stdin else None
    if not fields and not password:
        raise CrmSyncError("Nothing to change: give the fields to change (see crmsync mailboxes edit --help).")
    admin.save_mailbox(fields, mailbox=mailbox, password=password, secrets=secret_store_for(args.db_path))
    print(f"Mailbox '{mailbox.name}' saved (id {mailbox.id})" + ("; its own password is stored." if password else "."))
    return 0


def cmd_mailboxes_enable(args) -> int:
    """Enable (the console's Enable) or --disable every server-side direction of the mailboxes given."""
    boxes = [admin.find_mailbox(key) for key in args.mailboxes]
    for mailbox in boxes:
        admin.set_enabled(mailbox, not args.disable)
    print(f"{len(boxes)} mailboxes {'disabled' if args.disable else 'enabled'}.")
    return 0


def cmd_mailboxes_sync(args) -> int:
    """Sync now, ahead of the schedule (the console's Sync now), with an engine of this process."""
    mailbox = admin.find_mailbox(args.mailbox)
    direction = _parse(codes.Direction, args.direction) if args.direction else None
    results = asyncio.run(_sync_now(args, mailbox.id, direction))
    print(f"Sync now of mailbox '{mailbox.name}':")
    for result in results:
        outcome = f"Success, {result.items} items" if result.ok else f"Failure: {result.code}: {result.message}"
        print(f"  {result.direction.label}: {outcome}")
    return 0 if all(r.ok for r in results) else EXIT_FAILED


async def _sync_now(args, mailbox_id: int, direction):
    from crmsync_gui.core.sync.engine import Engine

    engine = Engine(secrets=secret_store_for(args.db_path))
    await engine.start(scheduler=False)
    try:
        return await engine.sync_now(mailbox_id, direction)
    finally:
        await engine.stop()


def _parse(enum, text: str):
    """A code from the command line, or one line naming the choices."""
    try:
        return enum.parse(text)
    except ValueError as exc:
        raise CrmSyncError(str(exc)) from None


def cmd_owner_edit(args) -> int:
    """A user's or queue's General and Email fields (the tracking option): those not given keep their value."""
    owner = args.find(args.owner)
    given = {"email": args.email, "tracking_option": args.tracking,
             ("full_name" if isinstance(owner, CrmUser) else "name"): args.name}
    fields = {k: v for k, v in given.items() if v is not None}
    if getattr(args, "disabled", None) is not None:
        fields["is_disabled"] = args.disabled
    if not fields:
        raise CrmSyncError(f"Nothing to change: give the fields to change (see crmsync {args.command} edit --help).")
    admin.save_owner(owner, fields)
    print(f"{owner.label[:1].upper()}{owner.label[1:]} saved; incoming email tracked: "
          f"{codes.TrackingOption(owner.tracking_option).label.lower()}.")
    return 0


def cmd_errors_list(args) -> int:
    """The error browser's rows, newest first, each with what to do."""
    from crmsync_gui.core.store import views

    flt = views.TraceFilter(
        level=int(_parse(codes.TraceLevel, args.level)) if args.level else None,
        mailbox_id=admin.find_mailbox(args.mailbox).id if args.mailbox else None,
        profile_id=admin.find_profile(args.profile).id if args.profile else None,
        code=args.code or "", text=args.text or "")
    rows = [{"last_seen": t.last_at, "level": codes.TraceLevel(t.level).label, "code": t.code, "count": t.count,
             "message": t.message, "what_to_do": t.remediation or ""} for t in views.trace_rows(flt, args.limit)]
    if args.json:
        _print_table(rows, True)
    elif not rows:
        print("(none)")
    for r in rows if not args.json else ():
        print(f"{r['last_seen']:%Y-%m-%d %H:%M}  {r['level']}  {r['code']}" + (f" (x{r['count']})" if r["count"] > 1 else ""))
        print(f"  {r['message']}")
        if r["what_to_do"]:
            print(f"  What to do: {r['what_to_do']}")
    return 0


def cmd_alerts_list(args) -> int:
    from crmsync_gui.core.store import views
    from crmsync_gui.core.store.models import Alert

    ids = views.alert_ids(include_acknowledged=args.all)
    alerts = {a.id: a for a in Alert.select().where(Alert.id.in_(ids))}
    _print_table([{"id": i, "raised": f"{alerts[i].created_at:%Y-%m-%d %H:%M}",
                   "acknowledged": "yes" if alerts[i].acknowledged else "no", "message": alerts[i].message}
                  for i in ids], args.json)
    return 0


def cmd_alerts_ack(args) -> int:
    from crmsync_gui.core.admin.alerts import acknowledge_alerts
    from crmsync_gui.core.store import views
    from crmsync_gui.core.store.models import Alert

    if args.all == bool(args.ids):
        raise CrmSyncError("Give the ids of the alerts to acknowledge (see crmsync alerts list), or --all.")
    ids = views.alert_ids() if args.all else args.ids
    unknown = sorted(set(ids) - {a.id for a in Alert.select(Alert.id).where(Alert.id.in_(ids))})
    if unknown:
        raise CrmSyncError(f"No alert has the id {', '.join(map(str, unknown))}; crmsync alerts list shows them. "
                           "Nothing was acknowledged.")
    print(f"{acknowledge_alerts(ids)} alerts acknowledged.")
    return 0


def cmd_mailboxes_approve(args) -> int:
    mailbox = admin.set_approval(admin.find_mailbox(args.mailbox), approved=not args.reject)
    print(f"Mailbox '{mailbox.name}': email address {codes.Approval(mailbox.approval).label.lower()}.")
    return 0


def cmd_delete(args) -> int:
    """Delete a mailbox, profile, user or queue (args.find names the lookup): what follows is printed first,
    and nothing is deleted without --yes."""
    from crmsync_gui.core.admin.removal import delete_record, removal_of

    record = args.find(args.record)
    removal = removal_of(record)
    print(removal.text())
    if not args.yes:
        raise CrmSyncError(f"nothing was deleted; run again with --yes to delete {removal.kind} '{removal.name}'")
    delete_record(record, secrets=secret_store_for(args.db_path))
    print(f"Deleted {removal.kind} '{removal.name}'. Nothing was removed from Exchange or any mail server.")
    return 0


def cmd_mailboxes_unreadable(args) -> int:
    """Emails the server holds that could not be read, with why; --save writes their kept bytes as .eml files."""
    from pathlib import Path

    from crmsync_gui.core.store.models import UnreadableEmail

    mailbox = admin.find_mailbox(args.mailbox)
    rows = list(UnreadableEmail.select().where(UnreadableEmail.mailbox == mailbox).order_by(UnreadableEmail.id))
    if not rows:
        print(f"Mailbox '{mailbox.name}' has no unreadable emails.")
        return 0
    folder = Path(args.save) if args.save else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    for row in rows:
        print(f"{row.found_at:%Y-%m-%d %H:%M}  {row.folder}  {row.server_id}  {row.raw_size:,} bytes\n  {row.reason}")
        if folder:
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{row.id}-{row.server_id}") + ".eml"
            (folder / name).write_bytes(bytes(row.raw or b""))
    if folder:
        print(f"Kept bytes written to {folder}.")
    return 0


def cmd_engine_run(args) -> int:
    from crmsync_gui.core.connectors import load_connectors

    for name, problem in load_connectors().items():
        print(f"crmsync: the {name} connector is not available ({problem}); its profiles will fail.",
              file=sys.stderr)
    return asyncio.run(_run_engine(args))


def _engine_config(args):
    from crmsync_gui.core.sync.engine import EngineConfig

    config = EngineConfig()
    if args.job_deadline is not None:
        for queue in (config.incoming, config.outgoing, config.act, config.async_ops):
            queue.deadline_s = args.job_deadline
    if args.lease is not None:
        config.lease_s = args.lease
    if args.stop_grace is not None:
        config.stop_grace_s = args.stop_grace
    return config


def _print_job_events(event) -> None:
    """--log-jobs: one line a job start and end, for an operator following several workers, and the request
    budget a mailbox has used where its server sets one (Microsoft Graph)."""
    from crmsync_gui.core import events

    if isinstance(event, events.RequestBudget):
        print(f"{event.at:%Y-%m-%dT%H:%M:%S.%f} mailbox {event.mailbox_id} requests in the last "
              f"{event.window_s / 60:.0f} minutes: {event.used:,} of {event.limit:,}", flush=True)
    if isinstance(event, events.JobStarted | events.JobFinished | events.JobFailed):
        outcome = ("started" if isinstance(event, events.JobStarted) else
                   f"finished {event.items} items" if isinstance(event, events.JobFinished) else f"failed {event.code}")
        print(f"{event.at:%Y-%m-%dT%H:%M:%S.%f} mailbox {event.mailbox_id} "
              f"{codes.Direction(event.direction).name.lower()} {outcome}", flush=True)


async def _run_engine(args) -> int:
    from crmsync_gui.core.sync.engine import Engine

    engine = Engine(secrets=secret_store_for(args.db_path), config=_engine_config(args))
    if args.log_jobs:
        engine.bus.subscribe(_print_job_events)
    if args.once:
        try:
            summary = await engine.run_once()
        finally:
            await engine.stop()
        print(f"Engine cycle done: {summary.line()}")
        return 0
    log_to_stdout()  # a service's log, with the trace codes; journald's form under systemd
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    await engine.start()
    print(f"Engine running as {engine.worker_id}; stop it with Ctrl+C or SIGTERM.", flush=True)
    waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(engine.halted.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    handed_back = await engine.stop()
    if engine.fault is not None:  # the database failed: one sentence and a failing exit, by main()
        raise engine.fault
    print(f"Engine stopped: {engine.summary.line()}"
          + (f" {_count(handed_back, 'job', 'jobs')} stopped and handed back: synced again from where "
             f"{'it' if handed_back == 1 else 'they'} stopped." if handed_back else ""))
    # Everything is committed and every lease released. A request still under way in a connector's thread (a job
    # stopped while waiting for its server) would keep the process alive until the server answers: end without it.
    close_database()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _worker_row(w, now) -> dict:
    return {"worker": w.worker_id, "host": w.host, "pid": w.pid, "version": w.version,
            "started": f"{w.started_at:%Y-%m-%d %H:%M:%S}", "heartbeat": _ago(now - w.heartbeat_at),
            "state": w.state, "jobs": w.jobs_running, "mailboxes_last_hour": w.mailboxes_last_hour}


def _ago(delta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago" if seconds < 7200 else \
        f"{seconds // 3600} h ago"


def cmd_engine_workers(args) -> int:
    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.sync.workers import list_workers

    now = utcnow()
    _print_table([_worker_row(w, now) for w in list_workers(now)], args.json)
    return 0


def cmd_engine_status(args) -> int:
    """For monitoring: one line, and exit 1 when no worker is alive."""
    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.sync.workers import list_workers

    now = utcnow()
    workers = list_workers(now)
    alive = [w for w in workers if w.alive]
    if not alive:
        last = max(workers, key=lambda w: w.heartbeat_at, default=None)
        print(f"No sync engine worker is alive: the last heartbeat came {_ago(now - last.heartbeat_at)} from "
              f"{last.worker_id}." if last else "No sync engine worker is running on this database.")
        return EXIT_FAILED
    lost = len(workers) - len(alive)
    print(f"{_count(len(alive), 'worker', 'workers')} alive, "
          f"{_count(sum(w.jobs_running for w in alive), 'job', 'jobs')} running, "
          f"{_count(sum(w.mailboxes_last_hour for w in alive), 'mailbox', 'mailboxes')} synced in the last hour"
          + (f"; {lost} lost." if lost else "."))
    return 0


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def cmd_mailboxes_test(args) -> int:
    mailbox = admin.find_mailbox(args.mailbox)
    results = asyncio.run(_test_and_enable(args, mailbox.id))
    print(f"Test & Enable of mailbox '{mailbox.name}':")
    for direction, result in results.items():
        outcome = "Success, enabled" if result.ok else f"Failure: {result.message}"
        print(f"  {direction.label}: {outcome}")
    return 0 if all(r.ok for r in results.values()) else EXIT_FAILED


async def _test_and_enable(args, mailbox_id: int):
    from crmsync_gui.core.sync.engine import Engine

    engine = Engine(secrets=secret_store_for(args.db_path))
    await engine.start(scheduler=False)
    try:
        return await engine.test_and_enable(mailbox_id)
    finally:
        await engine.stop()


def cmd_mailboxes_reenable(args) -> int:
    from crmsync_gui.core.sync.services import reenable_mailboxes

    profile_id = admin.find_profile(args.profile).id if args.profile else None
    count = reenable_mailboxes(profile_id=profile_id, error_code=args.error)
    print(f"{count} mailboxes re-enabled.")
    return 0


def cmd_sandbox_serve(args) -> int:
    from crmsync_gui.sandbox import SandboxServer  # aiohttp and lxml only when the sandbox is asked for

    server = SandboxServer(port=args.port, tls=not args.plain_http)
    users = server.populate(args.mailboxes, args.items, args.seed)
    for address in args.impersonator or []:
        server.grant_impersonation(address)
    for spec in args.fault or []:
        try:
            server.inject(**_fault_spec(spec))
        except (TypeError, ValueError) as exc:
            raise CrmSyncError(f"fault '{spec}': {exc}") from None
    # The servers' threads inherit a mask that blocks the stop signals, so SIGINT and SIGTERM always reach the
    # main thread's sigwait below (a SIGINT the kernel gave a server thread left Event.wait asleep for good).
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        return _serve(server, users, args)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _serve(server, users, args) -> int:
    from crmsync_gui.sandbox.graph.server import DEFAULT_TENANT

    try:
        server.start()
    except OSError as exc:
        raise CrmSyncError(f"the sandbox cannot listen on port {args.port}: {exc.strerror or exc}") from None
    with server, _graph_beside(server, args.graph_fault) as graph:
        client_id, client_secret = str(uuid.uuid4()), secrets.token_urlsafe(24)
        graph.add_app(client_id, client_secret)
        print(json.dumps({"url": server.url, "ca_file": server.ca_file,
                          "users": [{"email": u.email, "password": u.password, "name": u.name} for u in users],
                          "graph_url": graph.graph_url, "token_url": graph.token_url(), "tenant": DEFAULT_TENANT,
                          "client_id": client_id, "client_secret": client_secret, "graph_ca_file": graph.ca_file},
                         ensure_ascii=False), flush=True)
        signal.sigwait(_STOP_SIGNALS)
    return 0


def _graph_beside(server, fault_specs):
    """Microsoft Graph over the EWS sandbox's mailboxes (one store, two protocols), with its scripted faults."""
    from crmsync_gui.sandbox.graph import GraphServer

    graph = GraphServer.beside(server)
    for spec in fault_specs or []:
        try:
            graph.inject(**_fault_spec(spec))
        except (TypeError, ValueError) as exc:
            raise CrmSyncError(f"graph fault '{spec}': {exc}") from None
    return graph


def _fault_spec(spec: str) -> dict:
    """'busy,mailbox=user1@sandbox.test,operation=FindItem,back_off_ms=0' -> inject() arguments."""
    kind, *pairs = spec.split(",")
    fields = {"kind": kind}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CrmSyncError(f"fault '{spec}': '{pair}' is not key=value (e.g. busy,operation=FindItem,times=2)")
        fields[key] = int(value) if key in ("times", "back_off_ms", "status", "size") else (
            float(value) if key == "seconds" else value)
    return fields


def cmd_migrate(args) -> int:
    plan = migration.plan_migration(args.paths)
    if args.dry_run:
        hint = "Run again without --dry-run to migrate."
        print(json.dumps(plan.to_dict(), default=str) if args.json else plan_text(plan, apply_hint=hint))
        return 0
    result = migration.apply_plan(plan, confirm=args.yes)
    print(json.dumps(result.to_dict(), default=str) if args.json else result_text(result))
    return 0


def _port(text: str) -> int:
    if not (text.isdigit() and int(text) <= 65535):
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crmsync", description="Server-side synchronization between a CRM and mail servers.")
    parser.add_argument("--db", metavar="PATH", help=f"database file or postgresql:// URL "
                                                     f"(default {default_database_path()})")
    parser.add_argument("--version", action="version", version=f"crmsync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(parent, name: str, func: Callable, help_text: str):
        p = parent.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def profile_sign_in_options(p):
        p.add_argument("--username", help="account the profile signs in with (impersonation); with OAuth, the app's "
                                          "application (client) ID")
        p.add_argument("--oauth-tenant", metavar="TENANT",
                       help="OAuth (Exchange Online): tenant ID or domain (with EWS, also another identity provider's "
                            "token URL)")
        p.add_argument("--ca-file", help="trusted CA bundle for a server with a private certificate")
        p.add_argument("--password-stdin", action="store_true",
                       help="read the password (with OAuth, the client secret) from standard input")
        p.add_argument("--protocol", help="Exchange: ews or graph (Microsoft Graph; the default for a new "
                                          "Exchange Online hybrid profile)")
        p.add_argument("--graph-url", metavar="URL", help=f"Microsoft Graph's address (default {codes.GRAPH_URL}; "
                                                          "a national cloud's)")
        p.add_argument("--authority", metavar="URL", help="the Microsoft identity platform's address (default "
                                                          f"{codes.GRAPH_AUTHORITY})")
        p.add_argument("--cert-thumbprint", metavar="HEX", help="Microsoft Graph: sign in with a certificate, its "
                                                               "SHA-1 thumbprint (instead of a client secret)")
        p.add_argument("--private-key-file", metavar="PATH",
                       help="the certificate's private key (PEM); only its path is stored")

    def listing(parent, func):
        p = command(parent, "list", func, "list them")
        p.add_argument("--json", action="store_true", help="one JSON array instead of a table")

    def deleting(parent, kind: str, find: Callable):
        p = command(parent, "delete", cmd_delete, f"delete a {kind}: says what follows, deletes only with --yes")
        p.add_argument("record", metavar="NAME", help=f"{kind} name, address or id")
        p.add_argument("--yes", action="store_true", help="confirm the deletion")
        p.set_defaults(find=find)

    def owner_editing(parent, kind: str, find: Callable):
        p = command(parent, "edit", cmd_owner_edit, f"change a {kind}'s name, address or tracking option "
                                                    "(the others are kept)")
        p.add_argument("owner", metavar="NAME", help=f"{kind} name, address or id")
        p.add_argument("--name")
        p.add_argument("--email")
        p.add_argument("--tracking", metavar="OPTION", help="which incoming email is tracked: all, "
                       "replies-to-crm-email, from-crm-records, from-email-enabled-records, none (or 0-4)")
        if kind == "user":
            state = p.add_mutually_exclusive_group()
            state.add_argument("--disable", dest="disabled", action="store_const", const=True)
            state.add_argument("--enable", dest="disabled", action="store_const", const=False)
        p.set_defaults(find=find)

    command(sub, "init", cmd_init, "create or upgrade the database").set_defaults(creates_db=True)

    profiles = sub.add_parser("profiles", help="email server profiles").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(profiles, "add", cmd_profiles_add, "add an email server profile")
    p.add_argument("--name", required=True)
    p.add_argument("--type", default="exchange", help="exchange, pop3/smtp, imap/smtp, ... or the code 0-4")
    p.add_argument("--auth", default="auto-detect", help="auto-detect, negotiate, ntlm, basic, oauth or 0-4")
    p.add_argument("--incoming", help="EWS URL, or POP3/IMAP host[:port] (not for Microsoft Graph)")
    p.add_argument("--outgoing", help="SMTP host[:port] (POP3 and IMAP profiles)")
    p.add_argument("--no-ssl", action="store_true", help="turn SSL off (on by default)")
    p.add_argument("--allow-unencrypted", action="store_true",
                   help="with --no-ssl, allow connecting to a host other than this computer without encryption "
                        "(passwords and email cross the network readable)")
    p.add_argument("--starttls", action="store_true",
                   help="POP3/IMAP/SMTP: upgrade a plain connection (ports 110/143/587) instead of connecting over SSL")
    p.add_argument("--delete-after-import", action="store_true",
                   help="POP3: delete each email from the server once imported (left there by default)")
    p.add_argument("--move-failed-to-undeliverable", action="store_true",
                   help="Exchange/IMAP: move email that cannot be read to Inbox/Undeliverable")
    p.add_argument("--max-connections", type=int, default=codes.DEFAULT_MAX_CONNECTIONS)
    p.add_argument("--min-polling", type=int, default=0, metavar="MINUTES")
    p.add_argument("--timeout-ms", type=int, default=60_000)
    profile_sign_in_options(p)
    p = command(profiles, "edit", cmd_profiles_edit, "change some fields of a profile (the others are kept)")
    p.add_argument("profile", metavar="NAME")
    p.add_argument("--name", help="a new name")
    p.add_argument("--type", help="exchange, pop3/smtp, imap/smtp, ... or the code 0-4")
    p.add_argument("--auth", help="auto-detect, negotiate, ntlm, basic, oauth or 0-4")
    p.add_argument("--incoming", help="EWS URL, or POP3/IMAP host[:port]")
    p.add_argument("--outgoing", help="SMTP host[:port]")
    p.add_argument("--max-connections", type=int)
    p.add_argument("--min-polling", type=int, metavar="MINUTES")
    p.add_argument("--timeout-ms", type=int)
    p.add_argument("--allow-unencrypted", action="store_true",
                   help="let a profile with SSL off connect to a host other than this computer (passwords and "
                        "email cross the network readable)")
    profile_sign_in_options(p)
    listing(profiles, cmd_profiles_list)
    deleting(profiles, "profile", admin.find_profile)
    p = command(profiles, "test", cmd_profiles_test, "test connection: sign in for each direction, change nothing")
    p.add_argument("profile", metavar="NAME")
    p.add_argument("--address", help="mailbox to sign in to (default: the profile's --username account); "
                   "without --username, a mailbox's own stored password is used")
    p = command(profiles, "cutover", cmd_profiles_cutover,
                "move an Exchange profile to Microsoft Graph (or back to EWS) without re-tracking or duplicating "
                "anything: every mailbox is tested first, item ids are translated; --dry-run changes nothing")
    p.add_argument("profile", metavar="NAME")
    p.add_argument("--to", required=True, choices=("graph", "ews"), help="the protocol to move to (ews: roll back)")
    p.add_argument("--dry-run", action="store_true", help="test and count only; change nothing")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")

    users = sub.add_parser("users", help="CRM users").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(users, "add", cmd_users_add, "add a CRM user")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    listing(users, cmd_users_list)
    deleting(users, "user", admin.find_user)
    p = command(users, "meetings", cmd_users_meetings,
                "the user's next meetings and each attendee's answer (the console's mailbox detail pane)")
    p.add_argument("user", metavar="USER", help="user address, name or id")
    p.add_argument("--limit", type=int, help="how many meetings at most (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    owner_editing(users, "user", admin.find_user)

    queues = sub.add_parser("queues", help="CRM queues").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(queues, "add", cmd_queues_add, "add a CRM queue")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    listing(queues, cmd_queues_list)
    deleting(queues, "queue", admin.find_queue)
    owner_editing(queues, "queue", admin.find_queue)

    mailboxes = sub.add_parser("mailboxes", help="mailboxes").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(mailboxes, "add", cmd_mailboxes_add, "add a mailbox")
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--profile", help="email server profile name or id")
    listing(mailboxes, cmd_mailboxes_list)
    deleting(mailboxes, "mailbox", admin.find_mailbox)
    p = command(mailboxes, "map", cmd_mailboxes_map, "map a mailbox to its user or queue")
    p.add_argument("mailbox", help="mailbox name, address or id")
    owner = p.add_mutually_exclusive_group(required=True)
    owner.add_argument("--user", help="user address, name or id")
    owner.add_argument("--queue", help="queue address, name or id")
    p.add_argument("--yes", action="store_true", help="confirm breaking the owner's current mapping")
    p.add_argument("--dry-run", action="store_true",
                   help="list what the next sync would create and delete in Exchange, and change nothing")
    p.add_argument("--limit", type=int, default=10, help="names listed per kind of record in a dry run")
    p = command(mailboxes, "edit", cmd_mailboxes_edit, "change some fields of a mailbox (the others are kept)")
    p.add_argument("mailbox", help="mailbox name, address or id")
    p.add_argument("--name")
    p.add_argument("--email")
    p.add_argument("--profile", help="email server profile name or id ('' for none)")
    p.add_argument("--username", help="the mailbox's own sign-in (instead of the profile's account)")
    p.add_argument("--password-stdin", action="store_true", help="read the mailbox's own password from stdin")
    p.add_argument("--incoming-method", metavar="METHOD", help="none, server-side-sync, email-router, ... or 0-3")
    p.add_argument("--outgoing-method", metavar="METHOD", help="none, server-side-sync, email-router, ... or 0-3")
    p.add_argument("--act-method", metavar="METHOD", help="appointments, contacts and tasks: none, "
                                                          "server-side-sync, ... or 0-2")
    p = command(mailboxes, "enable", cmd_mailboxes_enable,
                "enable (or --disable) every server-side direction of mailboxes, without testing")
    p.add_argument("mailboxes", nargs="+", metavar="MAILBOX", help="mailbox names, addresses or ids")
    p.add_argument("--disable", action="store_true")
    p = command(mailboxes, "sync", cmd_mailboxes_sync, "Sync now: sync a mailbox ahead of its schedule")
    p.add_argument("mailbox", help="mailbox name, address or id")
    p.add_argument("--direction", help="incoming, outgoing or act (default: every direction that may sync)")
    p = command(mailboxes, "approve", cmd_mailboxes_approve, "approve (or --reject) a mailbox's email address")
    p.add_argument("mailbox")
    p.add_argument("--reject", action="store_true")
    p = command(mailboxes, "test", cmd_mailboxes_test,
                "Test & Enable: test each server-side sync direction against the server, enable what passed")
    p.add_argument("mailbox", help="mailbox name, address or id")
    p = command(mailboxes, "unreadable", cmd_mailboxes_unreadable,
                "list the emails of a mailbox that could not be read (malformed, huge), with why")
    p.add_argument("mailbox", help="mailbox name, address or id")
    p.add_argument("--save", metavar="DIR", help="write each one's kept bytes to DIR as an .eml file")
    p = command(mailboxes, "reenable", cmd_mailboxes_reenable,
                "re-enable the directions disabled after failures (all, or of one profile or error code)")
    p.add_argument("--profile", help="only this profile's mailboxes (name or id)")
    p.add_argument("--error", metavar="CODE", help="only mailboxes whose last error has this trace code")

    errors = sub.add_parser("errors", help="the trace log (the console's Errors page)").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(errors, "list", cmd_errors_list, "list errors and warnings, newest first, each with what to do")
    p.add_argument("--level", help="at least this level: error, warning or information")
    p.add_argument("--mailbox", help="of this mailbox (name, address or id)")
    p.add_argument("--profile", help="of this profile (name or id)")
    p.add_argument("--code", help="codes starting with this, e.g. Auth")
    p.add_argument("--text", help="text in the message")
    p.add_argument("--limit", type=int, default=50, help="at most this many rows (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON array instead of text")

    alerts = sub.add_parser("alerts", help="alerts (the console's Alerts page)").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(alerts, "list", cmd_alerts_list, "list the alerts not yet acknowledged, newest first")
    p.add_argument("--all", action="store_true", help="the acknowledged ones too")
    p.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    p = command(alerts, "ack", cmd_alerts_ack, "acknowledge alerts")
    p.add_argument("ids", nargs="*", type=int, metavar="ID")
    p.add_argument("--all", action="store_true", help="every alert not yet acknowledged")

    engine = sub.add_parser("engine", help="the sync engine").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = command(engine, "run", cmd_engine_run, "run the sync engine until SIGINT/SIGTERM")
    p.add_argument("--once", action="store_true", help="run one cycle of every due mailbox, print a summary, exit")
    p.add_argument("--job-deadline", type=_positive_seconds, metavar="SECONDS",
                   help="stop any job running longer (default: 600 incoming, 300 outgoing, 900 ACT)")
    p.add_argument("--lease", type=_positive_seconds, metavar="SECONDS",
                   help="a mailbox's lease lasts this long (default 60), renewed every few seconds while its job "
                        "runs; with several workers, a stopped worker's mailboxes are taken over after it")
    p.add_argument("--stop-grace", type=_positive_seconds, metavar="SECONDS",
                   help="on SIGTERM, running jobs get this long to finish (default 10); the rest are stopped and "
                        "handed back, and the process ends within a few seconds more")
    p.add_argument("--log-jobs", action="store_true", help="print a line as each job starts and ends")
    p = command(engine, "workers", cmd_engine_workers,
                "list the engine workers on this database: running, or lost (no heartbeat for a lease period)")
    p.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    command(engine, "status", cmd_engine_status, "one line on the engine workers; exits 1 when none is alive")

    sandbox = sub.add_parser("sandbox", help="the loopback Exchange (EWS) sandbox").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    p = sandbox.add_parser("serve", aliases=["run"], help="serve generated mailboxes until interrupted",
                           description="Serve an EWS sandbox on 127.0.0.1 with generated mailboxes; print one JSON "
                                       "line (url, ca_file, users; Microsoft Graph over the same mailboxes: graph_url, "
                                       "token_url, tenant, client_id, client_secret, graph_ca_file) when ready.")
    p.set_defaults(func=cmd_sandbox_serve, needs_db=False)
    p.add_argument("--port", type=_port, default=0, help="port (default: a free one)")
    p.add_argument("--mailboxes", type=int, default=3)
    p.add_argument("--items", type=int, default=50, help="items per mailbox")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--plain-http", action="store_true", help="HTTP instead of HTTPS")
    p.add_argument("--impersonator", action="append", metavar="ADDRESS",
                   help="let this mailbox's account act for every mailbox (ExchangeImpersonation), as a service "
                        "account, e.g. user1@sandbox.test")
    p.add_argument("--fault", action="append", metavar="KIND,key=value,...",
                   help="inject a fault, e.g. busy,operation=FindItem,back_off_ms=0 or delay,seconds=2")
    p.add_argument("--graph-fault", action="append", metavar="KIND,key=value,...",
                   help="inject a Graph fault, e.g. http,status=503,operation=message_delta,back_off_ms=2000")
    p = command(sub, "migrate-email-router", cmd_migrate,
                "migrate Email Router configurations; --dry-run only shows the plan")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a router's configuration folder (or one of its files), or a folder of router folders")
    p.add_argument("--dry-run", action="store_true", help="only show the plan; change nothing")
    p.add_argument("--yes", action="store_true",
                   help="confirm remapping users or queues that already have another mailbox")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.set_defaults(creates_db=True)  # a new installation's first command, as init is
    return parser


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the packaged command's parsing workers start by running it
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is not None and not args.db.strip():  # not silently the default database
        parser.error("--db is empty; give a database file or postgresql:// URL, or leave --db out")
    args.db_path = args.db or default_database_path()
    args.db_label = describe_target(args.db_path)  # no password from a postgresql:// URL on screen
    try:
        if not getattr(args, "needs_db", True):
            return args.func(args)
        # only `init`, a migration into a new database and the default database create one: a --db path
        # mistyped for another command is refused, not a new empty database the command then reports on
        open_database(args.db_path, create=args.db is None or getattr(args, "creates_db", False))
        with known_store_errors("The command could not finish"):
            return args.func(args)
    except CrmSyncError as exc:
        print(f"crmsync: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("crmsync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`crmsync ... | head`): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        close_database()


if __name__ == "__main__":
    sys.exit(main())
