"""A mailbox direction's columns and the server-side sync rule, in its Python and its SQL form."""
import itertools

import pytest

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain.direction import (
    COLUMNS,
    any_enabled,
    any_enabled_sql,
    server_side_sync_sql,
    uses_server_side_sync,
)
from crmsync_gui.core.store.models import Mailbox

D = codes.Direction


def test_every_named_column_is_a_mailbox_column_and_each_direction_has_its_own_lease_bit():
    fields = set(Mailbox._meta.fields)
    for direction, cols in COLUMNS.items():
        named = [cols.method, cols.enabled, cols.status, cols.next_run, cols.transient_failures]
        assert set(named) <= fields, direction
        assert cols.idle is None or cols.idle in fields
    assert sorted(c.lease_bit for c in COLUMNS.values()) == [1, 2, 4]
    assert COLUMNS[D.OUTGOING].idle is None


def test_queues_never_sync_act_but_do_sync_email():
    queue_box = Mailbox(incoming_method=codes.IncomingMethod.SERVER_SIDE_SYNC,
                        outgoing_method=codes.OutgoingMethod.SERVER_SIDE_SYNC,
                        act_method=codes.ActMethod.SERVER_SIDE_SYNC, owner_queue=7)
    assert [d for d in D if uses_server_side_sync(queue_box, d)] == [D.INCOMING, D.OUTGOING]
    user_box = Mailbox(incoming_method=codes.IncomingMethod.OUTLOOK, outgoing_method=codes.OutgoingMethod.NONE,
                       act_method=codes.ActMethod.SERVER_SIDE_SYNC)
    assert [d for d in D if uses_server_side_sync(user_box, d)] == [D.ACT]


@pytest.mark.every_database
def test_the_sql_form_selects_exactly_the_mailboxes_the_python_form_accepts(db):
    methods = itertools.product(codes.IncomingMethod, codes.OutgoingMethod, codes.ActMethod, (None, "user", "queue"))
    for n, (incoming, outgoing, act, owner) in enumerate(methods):
        box = admin.add_mailbox(f"Box {n}", f"box{n}@example.com", incoming_method=incoming,
                                outgoing_method=outgoing, act_method=act)
        if owner == "user":
            admin.map_mailbox(box, admin.add_user(f"User {n}", f"user{n}@example.com"))
        elif owner == "queue":
            admin.map_mailbox(box, admin.add_queue(f"Queue {n}", f"queue{n}@example.com"))
    for direction in D:
        by_sql = {m.id for m in Mailbox.select().where(server_side_sync_sql(Mailbox, direction))}
        by_python = {m.id for m in Mailbox.select() if uses_server_side_sync(m, direction)}
        assert by_sql == by_python, direction
        assert by_sql and len(by_sql) < Mailbox.select().count(), direction  # the rule tells rows apart


@pytest.mark.every_database
def test_any_enabled_in_sql_matches_its_python_form(db):
    for n, flags in enumerate(itertools.product((False, True), repeat=3)):
        admin.add_mailbox(f"Box {n}", f"box{n}@example.com",
                          **{c.enabled: on for c, on in zip(COLUMNS.values(), flags, strict=True)})
    by_sql = {m.id for m in Mailbox.select().where(any_enabled_sql(Mailbox))}
    assert by_sql == {m.id for m in Mailbox.select() if any_enabled(m)}
    assert len(by_sql) == 7  # all but the one with every direction off
