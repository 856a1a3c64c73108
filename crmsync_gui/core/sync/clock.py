"""The engine's sense of time, injectable so tests can drive every schedule rule with a fake clock.

`now()` is naive UTC like every stored timestamp. Waiting is always real (the loop's own time);
only the schedule reads the clock.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta

from crmsync_gui.core.store.base import utcnow


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 1, 5, 9, 0, 0)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> datetime:
        self._now += timedelta(seconds=seconds)
        return self._now


class ScaledClock:
    """Real time running `speed` times faster, for benchmarks that cover hours in minutes."""

    def __init__(self, speed: float, start: datetime | None = None):
        self.speed = speed
        self._start = start or utcnow()
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)
