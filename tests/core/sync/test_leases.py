"""Leases on the mailbox row, taken and released without an event loop (core/sync/leases.py)."""
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta

from crmsync_gui.core import codes
from crmsync_gui.core.store.models import TraceLog
from crmsync_gui.core.sync.leases import Leases, process_alive
from crmsync_gui.core.sync.statements import JobStatements
from tests.core.sync.conftest import add_mailbox, add_profile, reload

D = codes.Direction
NOW = datetime(2026, 3, 1, 9, 0)


def test_a_held_lease_is_refused_to_another_engine_until_it_expires_then_taken_over_and_traced(db):
    mailbox = add_mailbox(add_profile(), "Ann")
    first, second = Leases("hostA:1:a", JobStatements()), Leases("hostB:2:b", JobStatements())
    assert first.take(reload(mailbox), D.INCOMING, NOW, lease_s=60)
    assert not second.take(reload(mailbox), D.INCOMING, NOW + timedelta(seconds=30), lease_s=60)
    assert first.take(reload(mailbox), D.OUTGOING, NOW, lease_s=60)  # the same engine, another direction
    assert reload(mailbox).lock_state == 0b011
    assert second.take(reload(mailbox), D.INCOMING, NOW + timedelta(seconds=61), lease_s=60)
    assert reload(mailbox).lock_host == "hostB:2:b"
    assert TraceLog.get(TraceLog.code == "LeaseTakenOver").message.startswith("Mailbox 'Ann': the lease of engine hostA")
    second.release(mailbox.id, D.INCOMING)
    stored = reload(mailbox)
    assert (stored.lock_host, stored.lock_state, stored.lock_expires) == (None, 0, None)


def test_a_scheduled_job_takes_the_lease_only_while_its_direction_is_still_due(db):
    mailbox = add_mailbox(add_profile(), "Ann", incoming_next_run=NOW + timedelta(minutes=5))
    leases = Leases("hostA:1:a", JobStatements())
    assert not leases.take(reload(mailbox), D.INCOMING, NOW, lease_s=60, scheduled=True)
    assert leases.take(reload(mailbox), D.INCOMING, NOW, lease_s=60)  # Sync now does not wait for the schedule


def test_the_leases_of_a_dead_engine_on_this_host_are_released(db):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"{socket.gethostname()}:{int(ended.stdout)}:dead"
    assert not process_alive(dead)
    gone = add_mailbox(add_profile(), "Ann", lock_host=dead, lock_state=1, lock_expires=NOW + timedelta(hours=1))
    alive = f"{socket.gethostname()}:{1}:init"  # pid 1 always runs
    kept = add_mailbox(gone.profile, "Bob", lock_host=alive, lock_state=1, lock_expires=NOW + timedelta(hours=1))
    assert Leases("me:3:c", JobStatements()).release_dead(NOW) == 1
    assert reload(gone).lock_host is None and reload(kept).lock_host == alive
    assert TraceLog.get(TraceLog.code == "LeaseTakenOver").mailbox_id == gone.id


def test_renewing_extends_every_held_lease_and_names_those_another_engine_took(db):
    profile = add_profile()
    ann, bob = add_mailbox(profile, "Ann"), add_mailbox(profile, "Bob")
    mine, other = Leases("hostA:1:a", JobStatements()), Leases("hostB:2:b", JobStatements())
    assert mine.take(reload(ann), D.INCOMING, NOW, lease_s=60) and mine.take(reload(ann), D.OUTGOING, NOW, lease_s=60)
    assert mine.take(reload(bob), D.INCOMING, NOW, lease_s=60)
    assert mine.renew(NOW + timedelta(seconds=50), lease_s=60) == []
    assert reload(ann).lock_expires == reload(bob).lock_expires == NOW + timedelta(seconds=110)
    assert not other.take(reload(ann), D.INCOMING, NOW + timedelta(seconds=100), lease_s=60), "renewed: still held"
    assert other.take(reload(bob), D.INCOMING, NOW + timedelta(seconds=111), lease_s=60)  # expired: taken over
    assert mine.renew(NOW + timedelta(seconds=112), lease_s=60) == [(bob.id, D.INCOMING)]
    assert reload(bob).lock_host == "hostB:2:b" and reload(bob).lock_expires == NOW + timedelta(seconds=171)
    mine.release(ann.id, D.INCOMING)
    mine.release(ann.id, D.OUTGOING)
    assert reload(ann).lock_host is None


def test_a_lease_not_renewed_in_time_is_expiring(db):
    mailbox = add_mailbox(add_profile(), "Ann")
    leases = Leases("hostA:1:a", JobStatements())
    assert leases.take(reload(mailbox), D.INCOMING, NOW, lease_s=0.3)
    assert leases.expiring(0.1) == []
    time.sleep(0.25)
    assert leases.expiring(0.1) == [(mailbox.id, D.INCOMING)]
    leases.renew(NOW, lease_s=0.3)
    assert leases.expiring(0.1) == [], "renewed"
    leases.release(mailbox.id, D.INCOMING)
    assert leases.expiring(1) == []
