"""Short seeded slices of the hostile-input soak (make soak runs 10,000 of each): nothing crashes or hangs."""
import signal

from bench.hostile_mail import LARGE_ROUTER_FILES, generated, router_files, router_soak, watched
from crmsync_gui.core.sync.mime import UnreadableEmailError, parse_email
from tests.core.router_files import samples


def test_generated_and_mutated_emails_parse_or_are_unreadable_with_a_reason():
    outcomes = {"parsed": 0, "unreadable": 0}
    for n, raw in enumerate(generated(500, seed=7)):
        try:
            mail = parse_email(raw, server_id=str(n))
        except UnreadableEmailError as error:
            assert error.reason and error.raw == raw[:len(error.raw)]
            outcomes["unreadable"] += 1
        else:
            assert "\x00" not in mail.body_text + mail.subject
            outcomes["parsed"] += 1
    assert outcomes["parsed"] > 350 and outcomes["unreadable"] > 0  # the mutations reach both outcomes


def test_generated_and_mutated_email_router_files_are_planned_or_refused_with_a_reason(db, tmp_path):
    samples()
    result = router_soak(router_files(400, seed=7), tmp_path)
    assert (result["crashes"], result["hangs"]) == (0, 0), result
    assert result["planned"] > 10 and result["refused"] > 300  # the mutations reach both outcomes
    assert any("declares a DTD" in reason for reason in result["reasons"])


def test_every_large_hostile_router_shape_is_planned_or_refused_within_the_watchdog(db, tmp_path):
    samples()
    result = router_soak(LARGE_ROUTER_FILES, tmp_path)
    assert (result["inputs"], result["crashes"], result["hangs"]) == (len(LARGE_ROUTER_FILES), 0, 0), result


def test_the_watchdog_puts_back_the_alarm_it_found():
    """pytest-timeout's alarm (pyproject: 120 s) still guards the test after the 2-second watchdogs."""
    outer = signal.getitimer(signal.ITIMER_REAL)[0]
    watched([b"x", b"y"], lambda n, raw: None, ValueError, str, accepted="ok", refused="refused")
    assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= outer
