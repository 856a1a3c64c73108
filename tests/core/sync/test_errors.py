"""Errors on a fake clock: permanent disables at once, 10 transient in a row count as permanent,
an outage pauses the profile (circuit breaker) instead of disabling, ErrorServerBusy back-off,
job deadlines, alerts, trace collation and bulk re-enable."""
import asyncio

import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.store.models import Activity, ActivityParty, Alert, EmailServerProfile, TraceLog
from crmsync_gui.core.sync import trace
from crmsync_gui.core.sync.engine import EngineConfig, QueueConfig
from crmsync_gui.core.sync.services import reenable_mailboxes
from tests.core.sync.conftest import add_mailbox, add_profile, add_user, reload

pytestmark = pytest.mark.every_database  # the same tests on SQLite and PostgreSQL

D = codes.Direction


def timeout():
    return TransientError("Timeout", "The server did not answer within 60 s.")


def run_cycles(make_engine, clock, cycles, step_s, between=None, config=None):
    async def scenario():
        engine = await make_engine(config)
        try:
            for i in range(cycles):
                await engine.run_once()
                if between:
                    between(i, engine)
                clock.advance(step_s)
        finally:
            await engine.stop()
    asyncio.run(scenario())


def test_permanent_error_disables_the_direction_at_once_with_a_remedy(db, world, clock, make_engine, recorder):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann", outgoing=True)
    world.script(mailbox, D.INCOMING, PermanentError("AuthenticationFailed", "The server refused the password."))
    run_cycles(make_engine, clock, 1, 60)
    row = reload(mailbox)
    assert not row.incoming_enabled and row.outgoing_enabled, "only the failing direction is disabled"
    assert row.incoming_status == codes.DirectionStatus.FAILURE and row.incoming_next_run is None
    assert row.last_error_code == "AuthenticationFailed" and "refused the password" in row.last_error_message
    log = TraceLog.get(TraceLog.code == "AuthenticationFailed")
    assert log.level == codes.TraceLevel.ERROR and log.mailbox_id == mailbox.id and log.profile_id == profile.id
    assert "password" in log.remediation and "Test & Enable" in log.remediation
    disabled = recorder.of(events.MailboxDisabled)
    assert [(e.mailbox_id, e.direction, e.code) for e in disabled] == [(mailbox.id, D.INCOMING, "AuthenticationFailed")]
    failed = recorder.of(events.JobFailed)
    assert len(failed) == 1 and not failed[0].transient and failed[0].duration_s >= 0


def test_ten_transient_failures_in_a_row_count_as_permanent(db, world, clock, make_engine, recorder):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    add_mailbox(profile, "Bob"), add_mailbox(profile, "Cyd")  # healthy: not an outage
    world.script(mailbox, D.INCOMING, *[timeout() for _ in range(10)])
    seen = []
    run_cycles(make_engine, clock, 100, 30,
               between=lambda i, e: seen.append((reload(mailbox).incoming_transient_failures, reload(mailbox).incoming_enabled)))
    counts = [c for c, _enabled in seen]
    assert max(counts) == 9 and all(enabled for c, enabled in seen if c)  # enabled through nine failures
    row = reload(mailbox)
    assert not row.incoming_enabled and row.last_error_code == "TooManyTransientFailures"
    assert "10 times in a row" in row.last_error_message and "did not answer" in row.last_error_message
    assert [e.code for e in recorder.of(events.MailboxDisabled)] == ["TooManyTransientFailures"]
    timeouts = TraceLog.get(TraceLog.code == "Timeout")
    assert timeouts.count == 9 and timeouts.level == codes.TraceLevel.WARNING  # collated into one row
    assert timeouts.first_at < timeouts.last_at
    assert not EmailServerProfile.get_by_id(profile.id).paused_at


def test_a_success_resets_the_transient_count(db, world, clock, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, *[timeout() for _ in range(9)], 1, *[timeout() for _ in range(9)])
    run_cycles(make_engine, clock, 200, 30)
    assert reload(mailbox).incoming_enabled


def test_an_outage_pauses_the_profile_and_it_resumes_alone(db, world, clock, make_engine, recorder):
    profile = add_profile()
    other = add_profile("Fabrikam")
    boxes = [add_mailbox(profile, f"M{i}", outgoing=True) for i in range(6)]
    elsewhere = add_mailbox(other, "Else")
    outage = {"start": 60, "end": 60 + 10 * 60}  # a 10-minute outage, in seconds from the start
    states = []

    def step(i, engine):
        t = i * 15
        if outage["start"] <= t < outage["end"]:
            world.down[profile.id] = TransientError("ConnectionFailed", "Connection refused.")
        else:
            world.down.pop(profile.id, None)
        states.append((t, bool(engine.paused_profiles()), sum(reload(b).incoming_enabled for b in boxes)))

    run_cycles(make_engine, clock, 60, 15, between=step)  # 15 minutes in 15 s steps
    assert all(enabled == len(boxes) for _t, _paused, enabled in states), "no mailbox disabled by the outage"
    paused_at = [t for t, paused, _ in states if paused]
    # paused at the first cycle that met the outage (the mailboxes run every 5 minutes)
    assert paused_at and outage["start"] < paused_at[0] <= outage["start"] + 5 * 60
    resumed = recorder.of(events.ProfileResumed)
    assert len(recorder.of(events.ProfilePaused)) == 1 and len(resumed) == 1
    # resumed by a probe within one cycle (5 minutes) after the outage ended
    assert outage["end"] <= max(paused_at) + 15 <= outage["end"] + 5 * 60
    # while paused the profile's mailboxes were not hammered: only probes ran
    calls_during = [e for e in recorder.of(events.JobStarted) if e.mailbox_id != elsewhere.id]
    assert len(calls_during) < 6 * 3 * 3
    # after resuming, every mailbox synced again and the outage left no failure count
    last_resume = resumed[0].at
    synced_after = {e.mailbox_id for e in recorder.of(events.JobFinished) if e.at >= last_resume}
    assert {b.id for b in boxes} <= synced_after
    assert all(reload(b).incoming_transient_failures == 0 for b in boxes)
    assert EmailServerProfile.get_by_id(profile.id).paused_at is None
    assert TraceLog.get(TraceLog.code == "ProfilePaused").profile_id == profile.id
    assert reload(elsewhere).incoming_enabled and reload(elsewhere).last_error_code is None


def test_server_busy_back_off_is_honoured_for_the_whole_server(db, world, clock, make_engine):
    profile = add_profile()
    first, second = add_mailbox(profile, "Ann"), add_mailbox(profile, "Bob")
    world.script(first, D.INCOMING, TransientError("ErrorServerBusy", "The server is busy.", retry_after_s=120))
    world.scripts[(second.id, D.INCOMING)].append(0)

    async def scenario():
        engine = await make_engine(EngineConfig(incoming=QueueConfig(1, 60)))
        try:
            await engine.run_once()  # Ann fails busy; Bob runs after it in the one worker
            world.calls.clear()
            for b in (first, second):  # make both due again
                b.__class__.update(incoming_next_run=clock.now()).where(b.__class__.id == b.id).execute()
            clock.advance(60)
            assert (await engine.run_once()).jobs == 0, "the server asked for 120 s"
            clock.advance(61)
            assert (await engine.run_once()).jobs == 2
        finally:
            await engine.stop()

    asyncio.run(scenario())


def test_a_job_over_its_deadline_is_stopped_as_transient(db, world, clock, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")

    async def hang(job):
        await asyncio.sleep(30)

    world.script(mailbox, D.INCOMING, hang)
    run_cycles(make_engine, clock, 1, 1, config=EngineConfig(incoming=QueueConfig(2, 0.2)))
    row = reload(mailbox)
    assert row.last_error_code == "JobDeadline" and row.incoming_enabled and row.incoming_transient_failures == 1
    assert world.open_connections[profile.id] == 0, "the connection slot was given back"


def test_alert_when_over_half_of_a_profiles_mailboxes_fail_within_an_hour(db, world, clock, make_engine, recorder):
    owner = add_user("Olga")
    profile = add_profile(owner=owner)
    home = add_profile("Home")
    owner_box = add_mailbox(home, "Olga", outgoing=True, owner=owner)
    boxes = [add_mailbox(profile, f"M{i}") for i in range(4)]
    denied = PermanentError("AccessDenied", "No impersonation right.")
    world.script(boxes[0], D.INCOMING, denied)
    world.script(boxes[1], D.INCOMING, denied)

    async def scenario():
        engine = await make_engine()
        try:
            await engine.run_once()
            assert Alert.select().count() == 0, "2 of 4 is not more than half"
            clock.advance(30 * 60)
            world.script(boxes[2], D.INCOMING, denied)
            await engine.run_once()  # 3 of 4 within the hour: alert, and its email is sent
            await engine.run_once()
            world.script(boxes[3], D.INCOMING, denied)
            clock.advance(20 * 60)
            await engine.run_once()  # still within the hour of the first alert: no second one
        finally:
            await engine.stop()

    asyncio.run(scenario())
    alert = Alert.get()
    assert Alert.select().count() == 1 and alert.profile_id == profile.id and "3 of 4" in alert.message
    assert [e.alert_id for e in recorder.of(events.AlertRaised)] == [alert.id]
    email = Activity.get_by_id(alert.emailed_activity_id)
    assert email.email_status == codes.EmailStatus.SENT and email.mailbox_id == owner_box.id
    to = ActivityParty.get((ActivityParty.activity == email) & (ActivityParty.role == codes.PartyRole.TO))
    assert to.address == owner.email
    assert (owner_box.id, D.OUTGOING, "sync") in world.calls


def test_alert_without_an_outgoing_path_is_stored_and_says_why_not_emailed(db, world, clock, make_engine):
    profile = add_profile()
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, D.INCOMING, PermanentError("MailboxNotFound", "No such mailbox."))
    run_cycles(make_engine, clock, 1, 1)
    assert Alert.get().emailed_activity_id is None
    assert "no owner" in TraceLog.get(TraceLog.code == "AlertNotEmailed").message


def test_every_catalogued_code_has_a_remedy_and_unknown_errors_get_one_too():
    assert all(entry.remediation.strip() for entry in trace.CATALOGUE.values())
    assert trace.hint_for("SomeNewConnectorCode", action="Restart the relay.") == "Restart the relay."
    assert trace.hint_for("SomeNewConnectorCode", transient=True) == trace.TRANSIENT_HINT
    assert trace.hint_for("SomeNewConnectorCode", transient=False) == trace.PERMANENT_HINT


def test_trace_collation_and_retention(db, clock):
    t0 = clock.now()
    for i in range(3):
        trace.record("Timeout", f"try {i}", at=clock.advance(60), mailbox_id=None)
    trace.record("Timeout", "other profile", at=clock.now(), profile_id=None, activity_id=None, mailbox_id=None,
                 level=codes.TraceLevel.WARNING)
    row = TraceLog.get(TraceLog.code == "Timeout")
    assert TraceLog.select().count() == 1 and row.count == 4 and row.message == "other profile"
    assert (row.last_at - row.first_at).total_seconds() == 120 and row.first_at > t0
    clock.advance(31 * 86400)
    trace.record("ProfileResumed", "fresh", at=clock.now())
    assert trace.prune(clock.now()) == 1
    assert [r.code for r in TraceLog.select()] == ["ProfileResumed"]


def test_bulk_reenable_by_profile_and_by_error(db, world, clock, make_engine):
    contoso, fabrikam = add_profile(), add_profile("Fabrikam")
    a, b, c = add_mailbox(contoso, "A"), add_mailbox(contoso, "B"), add_mailbox(fabrikam, "C")
    world.script(a, D.INCOMING, PermanentError("AccessDenied", "No right."))
    world.script(b, D.INCOMING, PermanentError("MailboxNotFound", "Gone."))
    world.script(c, D.INCOMING, PermanentError("AccessDenied", "No right."))
    run_cycles(make_engine, clock, 1, 1)
    assert not any(reload(m).incoming_enabled for m in (a, b, c))
    assert reenable_mailboxes(error_code="AccessDenied", profile_id=contoso.id, now=clock.now()) == 1
    assert [reload(m).incoming_enabled for m in (a, b, c)] == [True, False, False]
    assert reenable_mailboxes(error_code="AccessDenied", now=clock.now()) == 1
    assert reenable_mailboxes(profile_id=contoso.id, now=clock.now()) == 1
    assert all(reload(m).incoming_enabled and reload(m).incoming_next_run == clock.now() for m in (a, b, c))
    assert TraceLog.select().where(TraceLog.code == "MailboxesReenabled").count() == 2  # collated per profile


def test_workers_sharing_a_database_pause_an_outage_seen_in_part_by_each(db, world, clock, make_engine):
    """Two engines each see half of a profile's mailboxes fail: together more than half failed, so the profile
    pauses (in both engines) instead of each counting failures until its mailboxes are disabled; when one
    engine's probe finds the server back, both resume."""
    profile = add_profile()
    boxes = [add_mailbox(profile, f"M{i}") for i in range(4)]
    world.down[profile.id] = TransientError("ConnectionFailed", "Connection refused.")

    async def scenario():
        first, second = await make_engine(), await make_engine()
        await first.start(scheduler=False)
        await second.start(scheduler=False)
        try:
            for engine, mine in ((first, boxes[:2]), (second, boxes[2:])):
                for box in mine:
                    await engine.sync_now(box.id, D.INCOMING)
            first._pass()  # the first engine's next look at the database
            paused = first.paused_profiles(), second.paused_profiles()
            world.down.pop(profile.id)  # the server is back: the first engine's probe finds it ...
            clock.advance(31)
            first._pass()
            await first.drain()
            second._pass()  # ... and the second engine resumes with it
            return paused, (first.paused_profiles(), second.paused_profiles())
        finally:
            await first.stop()
            await second.stop()

    paused, resumed = asyncio.run(scenario())
    assert paused == ([profile.id], [profile.id]) and resumed == ([], [])
    assert EmailServerProfile.get_by_id(profile.id).paused_at is None
    assert all(reload(b).incoming_enabled for b in boxes)
