"""The statements every mailbox job runs, written once as SQL.

peewee builds the SQL of a query anew on every call, which costs more than SQLite running it; these
run several times per job (10,000 mailboxes make that the engine's main cost), so they are built once.
"""
from __future__ import annotations

from datetime import datetime

from crmsync_gui.core import codes
from crmsync_gui.core.domain.direction import COLUMNS
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import Mailbox, SyncedHour

D = codes.Direction


class JobStatements:
    """Load a mailbox, take, renew and release a direction's lease (compare-and-set), record a success and
    count what it synced in the hour."""

    def __init__(self):
        db = database_proxy.obj
        p = db.param
        table = Mailbox._meta.table_name
        self._db = db
        self._select = Mailbox.select().where(Mailbox.id == 0).sql()[0]
        # a scheduled job also checks that the direction is still due: another worker may have synced it
        # and released the lease between this worker reading the row and taking the lease
        self._take = {(has_host, due): f"UPDATE {table} SET lock_host = {p}, lock_state = {p}, lock_expires = {p} "
                                       f"WHERE id = {p} AND lock_state = {p} AND "
                                       + (f"lock_host = {p}" if has_host else "lock_host IS NULL")
                                       + (f" AND ({due} IS NULL OR {due} <= {p})" if due else "")
                      for has_host in (True, False) for due in (None, *(c.next_run for c in COLUMNS.values()))}
        self._release = (f"UPDATE {table} SET lock_state = lock_state & {p} WHERE id = {p} AND lock_host = {p}",
                         f"UPDATE {table} SET lock_host = NULL, lock_expires = NULL "
                         f"WHERE id = {p} AND lock_host = {p} AND lock_state = 0")
        # a success clears the mailbox's last error unless another direction still stands failed by it;
        # last_error_at stays: when the mailbox last failed (alerts and the breaker count by it)
        self._renew = f"UPDATE {table} SET lock_expires = {p} WHERE lock_host = {p} AND lock_state <> 0"
        self._success = {}
        for direction, c in COLUMNS.items():
            idle = f", {c.idle} = {p}" if c.idle else ""
            others_failed = " OR ".join(f"{o.status} = {int(codes.DirectionStatus.FAILURE)}"
                                        for d, o in COLUMNS.items() if d != direction)
            kept = {column: f"{column} = CASE WHEN {others_failed} THEN {column} END"
                    for column in ("last_error_code", "last_error_message")}
            self._success[direction] = (
                f"UPDATE {table} SET {c.status} = {p}, {c.transient_failures} = 0, last_sync_at = {p}, "
                f"{c.next_run} = {p}, transient_failure_count = {p}{idle}, {kept['last_error_code']}, "
                f"{kept['last_error_message']} WHERE id = {p}")

        hours = SyncedHour._meta.table_name
        self._synced = (f"INSERT INTO {hours} (hour, direction, items) VALUES ({p}, {p}, {p}) "
                        f"ON CONFLICT (hour, direction) DO UPDATE SET items = {hours}.items + excluded.items")

    def mailbox(self, mailbox_id: int) -> Mailbox | None:
        return next(iter(Mailbox.raw(self._select, mailbox_id)), None)

    def take_lease(self, mailbox_id, worker_id, state, expires, *, seen_host, seen_state,
                   due: tuple[codes.Direction, datetime] | None = None) -> bool:
        """Compare-and-set; with `due` (direction, now) only while that direction is still due."""
        params = [worker_id, state, _db_time(expires), mailbox_id, seen_state]
        if seen_host is not None:
            params.append(seen_host)
        if due is not None:
            params.append(_db_time(due[1]))
        sql = self._take[seen_host is not None, COLUMNS[due[0]].next_run if due is not None else None]
        return self._db.execute_sql(sql, params).rowcount == 1

    def release_lease(self, mailbox_id, direction, worker_id) -> None:
        with self._db.atomic():
            self._db.execute_sql(self._release[0], [~COLUMNS[direction].lease_bit, mailbox_id, worker_id])
            self._db.execute_sql(self._release[1], [mailbox_id, worker_id])

    def renew_leases(self, worker_id, expires) -> int:
        """Extend the worker's held leases; returns how many mailbox rows it still holds."""
        return self._db.execute_sql(self._renew, [_db_time(expires), worker_id]).rowcount

    def record_success(self, mailbox_id, direction, *, now, next_run, idle, highest_failures) -> None:
        params = [int(codes.DirectionStatus.SUCCESS), _db_time(now), _db_time(next_run), highest_failures]
        if COLUMNS[direction].idle:
            params.append(idle)
        params.append(mailbox_id)
        self._db.execute_sql(self._success[direction], params)


    def count_synced(self, direction, *, now: datetime, items: int) -> None:
        """Add a job's items to its direction's count for the hour under way (one upsert)."""
        hour = now.replace(minute=0, second=0, microsecond=0)
        self._db.execute_sql(self._synced, [_db_time(hour), int(direction), items])


def _db_time(value: datetime) -> object:
    return Mailbox.last_sync_at.db_value(value)
