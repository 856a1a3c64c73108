"""A mailbox direction (incoming email, outgoing email, ACT): its columns on the Mailbox row, named once,
and which directions of which mailbox use server-side sync, stated once in Python and in SQL form.

    cols = COLUMNS[codes.Direction.INCOMING]
    cols.next_run                       # "incoming_next_run"
    uses_server_side_sync(mailbox, d)   # on a loaded row
    server_side_sync_sql(Mailbox, d)    # the same rule as a peewee WHERE expression
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from crmsync_gui.core import codes

D = codes.Direction


@dataclass(frozen=True)
class DirectionColumns:
    direction: codes.Direction
    name: str  # the columns' prefix and the direction's queue name
    method: str
    server_side: int  # the method code meaning server-side sync
    enabled: str
    status: str
    next_run: str
    transient_failures: str
    idle: str | None  # cycles in a row with nothing to sync (outgoing keeps none)
    lease_bit: int  # this direction's bit in lock_state, set while a worker holds its lease


# written out, not built, so that a search for a column name finds it here
COLUMNS: dict[codes.Direction, DirectionColumns] = {
    D.INCOMING: DirectionColumns(D.INCOMING, "incoming", "incoming_method", codes.IncomingMethod.SERVER_SIDE_SYNC,
                                 "incoming_enabled", "incoming_status", "incoming_next_run",
                                 "incoming_transient_failures", "no_email_count", 1 << D.INCOMING),
    D.OUTGOING: DirectionColumns(D.OUTGOING, "outgoing", "outgoing_method", codes.OutgoingMethod.SERVER_SIDE_SYNC,
                                 "outgoing_enabled", "outgoing_status", "outgoing_next_run",
                                 "outgoing_transient_failures", None, 1 << D.OUTGOING),
    D.ACT: DirectionColumns(D.ACT, "act", "act_method", codes.ActMethod.SERVER_SIDE_SYNC,
                            "act_enabled", "act_status", "act_next_run",
                            "act_transient_failures", "act_idle_count", 1 << D.ACT),
}


def queues_sync(direction: codes.Direction) -> bool:
    """Whether queue mailboxes sync this direction: email yes, ACT never."""
    return direction != D.ACT


def method_is_server_side(mailbox, direction: codes.Direction) -> bool:
    cols = COLUMNS[direction]
    return getattr(mailbox, cols.method) == cols.server_side


def uses_server_side_sync(mailbox, direction: codes.Direction) -> bool:
    """This direction of this mailbox is synced by the engine (its method, and no ACT for queues)."""
    return method_is_server_side(mailbox, direction) and (queues_sync(direction) or mailbox.owner_queue_id is None)


def any_enabled(mailbox) -> bool:
    return any(getattr(mailbox, c.enabled) for c in COLUMNS.values())


def any_enabled_sql(model):
    """`any_enabled` as a WHERE expression over the Mailbox model."""
    return reduce(operator.or_, (getattr(model, c.enabled) for c in COLUMNS.values()))


def server_side_sync_sql(model, direction: codes.Direction):
    """`uses_server_side_sync` as a WHERE expression over the Mailbox model."""
    cols = COLUMNS[direction]
    expression = getattr(model, cols.method) == cols.server_side
    return expression if queues_sync(direction) else expression & model.owner_queue.is_null()
