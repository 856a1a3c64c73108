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


def test_exceptions_read_back_as_the_same_canonical_json_and_find_their_occurrence():
    text = json.dumps({"pattern": "weekly", "days_of_week": ["monday", "thursday"], "starts_on": "2030-03-04",
                       "occurrences": 5, "cancelled": ["2030-03-07", "2030-03-07"],
                       "moved": {"2030-03-11": {"starts_at": "2030-03-12T09:00:00", "ends_at": "2030-03-12T10:00:00"}}})
    rule = Recurrence.from_json(text)
    assert rule.cancelled == (date(2030, 3, 7),) and rule.moved[0].starts_at == datetime(2030, 3, 12, 9)
    assert Recurrence.from_json(rule.to_json()) == rule
    assert list(rule.days()) == [date(2030, 3, 4), date(2030, 3, 7), date(2030, 3, 11), date(2030, 3, 14),
                                 date(2030, 3, 18)]
    assert rule.index_of(date(2030, 3, 11)) == 3
    rule.check_exceptions(lambda at: at.date())  # Tuesday the 12th lies between the 11th and the 14th
    monthly = Recurrence.from_json('{"pattern": "monthly", "day_of_month": 31, "starts_on": "2030-01-31", '
                                   '"occurrences": 3}')
    assert list(monthly.days()) == [date(2030, 1, 31), date(2030, 3, 31), date(2030, 5, 31)]  # as Exchange skips


@pytest.mark.parametrize(("extra", "says"), [
    ({"cancelled": "2030-03-05"}, "cancelled must be a list of dates"),
    ({"cancelled": ["soon"]}, "cancelled must be a date like 2030-03-04"),
    ({"moved": ["2030-03-05"]}, "moved must map an occurrence's day"),
    ({"moved": {"2030-03-05": {"starts_at": "2030-03-05T10:00:00"}}}, "needs starts_at and ends_at"),
    ({"moved": {"2030-03-05": {"starts_at": "10am", "ends_at": "11am"}}}, "needs times like"),
    ({"moved": {"2030-03-05": {"starts_at": "2030-03-05T10:00:00", "ends_at": "2030-03-05T09:00:00"}}},
     "moved to end before it starts"),
    ({"cancelled": ["2030-03-05"], "moved": {"2030-03-05": {"starts_at": "2030-03-05T10:00:00",
                                                            "ends_at": "2030-03-05T11:00:00"}}},
     "both cancelled and moved"),
])
def test_exceptions_that_contradict_themselves_are_refused_with_a_reason(extra, says):
    with pytest.raises(RecurrenceError) as caught:
        Recurrence.from_json(json.dumps({"pattern": "daily", "starts_on": "2030-03-04", **extra}))
    assert says in str(caught.value)


def test_exceptions_exchange_cannot_hold_are_refused_when_checked():
    rule = Recurrence.from_json(json.dumps({"pattern": "daily", "interval": 2, "starts_on": "2030-03-04",
                                            "occurrences": 3, "cancelled": ["2030-03-05"]}))
    with pytest.raises(RecurrenceError, match="2030-03-05 is not a day of the series"):
        rule.check_exceptions(lambda at: at.date())
    moved = Recurrence.from_json(json.dumps({"pattern": "daily", "starts_on": "2030-03-04", "moved": {
        "2030-03-05": {"starts_at": "2030-03-04T20:00:00", "ends_at": "2030-03-04T21:00:00"}}}))
    with pytest.raises(RecurrenceError, match="onto or past another occurrence"):
        moved.check_exceptions(lambda at: at.date())
