"""Demo mode end to end, headless: the sandbox, the seeded organization, one engine cycle."""
import asyncio

import pytest

from crmsync_gui.core import codes
from crmsync_gui.core.store.db import close_database
from crmsync_gui.core.store.models import Activity, Alert, Mailbox, TraceLog


@pytest.fixture
def demo():
    from crmsync_gui.demo import start_demo

    started = start_demo(mailboxes=6, items=5)
    yield started
    close_database()
    started.stop()


def test_demo_syncs_and_shows_its_faults(demo):
    from crmsync_gui.core.connectors import load_connectors
    from crmsync_gui.core.sync.engine import Engine

    assert load_connectors() == {}

    async def cycle():
        engine = Engine(secrets=demo.secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    summary = asyncio.run(cycle())
    assert summary.succeeded > 0 and summary.failed > 0
    boxes = {m.email: m for m in Mailbox.select()}
    faulty = {email: boxes[email] for email in demo.faulty}
    healthy = [m for email, m in boxes.items() if email not in demo.faulty]
    assert healthy and all(m.incoming_status == codes.DirectionStatus.SUCCESS for m in healthy)
    wrong_password = next(m for n, m in faulty.items() if "password" in demo.faulty[n])
    assert wrong_password.incoming_status == codes.DirectionStatus.FAILURE and not wrong_password.incoming_enabled
    throttled = next(m for n, m in faulty.items() if "throttled" in demo.faulty[n])
    assert throttled.transient_failure_count > 0 and throttled.incoming_enabled
    unapproved = next(m for n, m in faulty.items() if "approved" in demo.faulty[n])
    assert unapproved.incoming_status == codes.DirectionStatus.NOT_RUN
    assert Activity.select().count() > 0  # the sandbox's mail, tracked
    assert TraceLog.select().where(TraceLog.level == codes.TraceLevel.ERROR).count() > 0
    assert Alert.select().count() == 1  # the unreachable branch profile
    assert "not-the-password" not in "".join(t.message for t in TraceLog.select())


def test_the_demos_exchange_online_profile_syncs_over_graph(demo):
    from crmsync_gui.core.sync.engine import Engine

    async def cycle():
        engine = Engine(secrets=demo.secrets)
        try:
            return await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(cycle())
    online = [m for m in Mailbox.select() if m.profile.protocol == codes.ExchangeProtocol.GRAPH]
    assert len(online) == 2
    assert all((m.incoming_status, m.outgoing_status, m.act_status) == (codes.DirectionStatus.SUCCESS,) * 3
               for m in online), [(m.email, m.last_error_code, m.last_error_message) for m in online]
    assert Activity.select().where(Activity.mailbox.in_(online)).count() > 0
    assert sum(demo.graph.requests_by_operation().values()) > 0


def test_distinct_people_have_distinct_names(demo):
    from crmsync_gui.core.store.models import Contact, CrmUser

    people = [u.full_name for u in CrmUser.select()] + [f"{c.first_name} {c.last_name}" for c in Contact.select()]
    assert len(people) == len(set(people)), sorted(p for p in people if people.count(p) > 1)
    mailboxes = [m.name for m in demo.sandbox.store.mailboxes.values()]
    assert len(mailboxes) == len(set(mailboxes))


def test_generated_mailboxes_are_named_apart_until_every_name_is_taken():
    from crmsync_gui.sandbox.generate import FIRST, LAST, populate
    from crmsync_gui.sandbox.store import Store

    store = Store()
    names = [u.name for u in populate(store, 12, 0, seed_value=7)]  # this seed drew one name twice
    names += [u.name for u in populate(store, 2, 0, seed_value=11, domain="online.sandbox.test")]
    assert len(names) == len(set(names)) == 14
    many = populate(Store(), len(FIRST) * len(LAST) + 5, 0)
    assert len({u.name for u in many}) == len(FIRST) * len(LAST), "then names repeat, and the generator ends"
