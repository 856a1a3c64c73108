"""When a mailbox direction runs next: pure rules over the last outcome (docs/DOMAIN.md, "Frequency").

Normal 5 minutes; busy (the last cycle had items) 2 minutes; idle backs off by half again each
cycle up to 12 minutes. Every enabled mailbox syncs at least every 12 minutes, unless the profile's
minimum polling interval, an explicit administrator choice, asks for a longer one. Transient
failures back off from 30 seconds to 5 minutes (the original retried 5 minutes apart).
"""
from __future__ import annotations

NORMAL_S = 5 * 60
BUSY_S = 2 * 60
MAX_IDLE_S = 12 * 60
IDLE_GROWTH = 1.5
FIRST_RETRY_S = 30
MAX_RETRY_S = 5 * 60


def after_success(items: int, idle_cycles: int, min_polling_minutes: int = 0) -> float:
    """Seconds until the next run after a cycle that processed `items`; `idle_cycles` counts
    empty cycles in a row including this one."""
    interval = BUSY_S if items > 0 else min(MAX_IDLE_S, NORMAL_S * IDLE_GROWTH ** max(0, idle_cycles - 1))
    return _floor(interval, min_polling_minutes)


def after_transient(failures: int, retry_after_s: float | None, min_polling_minutes: int = 0) -> float:
    """Seconds until the retry after the `failures`-th transient failure in a row."""
    interval = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, failures - 1))
    if retry_after_s:
        interval = max(interval, retry_after_s)
    return min(MAX_IDLE_S, interval) if not min_polling_minutes else _floor(interval, min_polling_minutes)


def _floor(interval: float, min_polling_minutes: int) -> float:
    return max(interval, min_polling_minutes * 60)
