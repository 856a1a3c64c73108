"""The CRM's recurrence pattern: what it accepts, and the sentence it gives for what it refuses."""
import json
from datetime import date, datetime

import pytest

from crmsync_gui.core.domain.recurrence import Recurrence, RecurrenceError


def test_a_pattern_reads_back_as_the_same_canonical_json():
    text = '{"occurrences": 10, "pattern": "weekly", "days_of_week": ["Thursday", "monday"], "interval": 2}'
    rule = Recurrence.from_json(text)
    assert rule.days_of_week == ("monday", "thursday")
    assert json.loads(rule.to_json()) == {"pattern": "weekly", "interval": 2, "days_of_week": ["monday", "thursday"],
                                          "occurrences": 10}
    assert Recurrence.from_json(rule.to_json()) == rule
    assert rule.describe() == "every 2 weeks on Monday, Thursday, 10 times"


@pytest.mark.parametrize(("text", "says"), [
    ("weekly", "is not a recurrence pattern in JSON"),
    ('["daily"]', 'is not a JSON object with a "pattern"'),
    ('{"pattern": "yearly"}', "'yearly' is not one the CRM can sync"),
    ('{"pattern": "daily", "interval": 0}', "interval must be a whole number from 1 to 999"),
    ('{"pattern": "weekly"}', "needs at least one day"),
    ('{"pattern": "weekly", "days_of_week": ["funday"]}', "'funday' is not a day of the week"),
    ('{"pattern": "daily", "days_of_week": ["monday"]}', "applies to weekly series only"),
    ('{"pattern": "monthly", "day_of_month": 32}', "day_of_month from 1 to 31"),
    ('{"pattern": "daily", "ends_on": "2030-01-01", "occurrences": 3}', "not both"),
    ('{"pattern": "daily", "ends_on": "next year"}', "ends_on must be a date"),
    ('{"pattern": "daily", "every": 2}', "unknown key(s) every"),
])
def test_what_the_crm_cannot_represent_is_refused_with_a_reason(text, says):
    with pytest.raises(RecurrenceError) as caught:
        Recurrence.from_json(text)
    assert says in str(caught.value)


def test_anchoring_on_the_appointment_start():
    monday = datetime(2030, 3, 4, 9)
    assert Recurrence.from_json('{"pattern": "daily"}').anchored(monday).starts_on == date(2030, 3, 4)
    with pytest.raises(RecurrenceError, match="starts on a monday, which is not one of the series' days"):
        Recurrence.from_json('{"pattern": "weekly", "days_of_week": ["friday"]}').anchored(monday)
    with pytest.raises(RecurrenceError, match="day 4 of the month but the series repeats on day 5"):
        Recurrence.from_json('{"pattern": "monthly", "day_of_month": 5}').anchored(monday)
    with pytest.raises(RecurrenceError, match="series starts on 2030-03-05 but the appointment on 2030-03-04"):
        Recurrence.from_json('{"pattern": "daily", "starts_on": "2030-03-05"}').anchored(monday)
