"""A short seeded slice of bench/hostile_ews.py (make soak runs 10,000): real sandbox replies, one of each job's
first four mutated through the proxy; every job syncs or fails with one classified line, none hangs."""
from bench import hostile_ews


def test_mutated_ews_replies_crash_nothing_and_hang_nothing():
    result = hostile_ews.run(count=80, seed=7)
    assert result["inputs"] == 80
    assert result["crashes"] == 0 and result["hangs"] == 0, result
    assert result["failed"] > 0 and result["synced"] > 0, result  # the slice really met bad replies, and good ones
    assert result["slowest_seconds"] < hostile_ews.HANG_SECONDS + hostile_ews.TIMEOUT_S
