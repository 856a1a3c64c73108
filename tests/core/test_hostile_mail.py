"""A short seeded slice of the hostile-email soak (make soak runs 10,000): parsing never crashes."""
from bench.hostile_mail import generated
from crmsync_gui.core.sync.mime import UnreadableEmailError, parse_email


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
