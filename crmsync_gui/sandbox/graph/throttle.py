"""Exchange Online's limits on Graph mail requests, per app and mailbox: at most 4 in flight at once
(MailboxConcurrency) and 10,000 per 10 minutes; beyond them, 429 with Retry-After."""
from __future__ import annotations

import threading
import time
from collections import Counter, deque
from contextlib import contextmanager

from .replies import GraphError

CONCURRENT = 4
PER_WINDOW = 10_000
WINDOW_S = 600.0


class Throttle:
    def __init__(self, concurrent: int = CONCURRENT, per_window: int = PER_WINDOW, window_s: float = WINDOW_S):
        self.concurrent, self.per_window, self.window_s = concurrent, per_window, window_s
        self._lock = threading.Lock()
        self._in_flight: Counter[tuple[str, str]] = Counter()
        self._recent: dict[tuple[str, str], deque[float]] = {}
        self.throttled: Counter[str] = Counter()  # 429s given, by mailbox

    @contextmanager
    def admit(self, app: str, mailbox: str):
        """Hold one of the app's slots on the mailbox while the request runs, or raise Graph's 429."""
        key = (app, mailbox.lower())
        now = time.monotonic()
        with self._lock:
            recent = self._recent.setdefault(key, deque())
            while recent and recent[0] <= now - self.window_s:
                recent.popleft()
            if self._in_flight[key] >= self.concurrent:
                self.throttled[key[1]] += 1
                raise GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                                 {"Retry-After": "1"})
            if len(recent) >= self.per_window:
                self.throttled[key[1]] += 1
                wait = max(1, int(recent[0] + self.window_s - now) + 1)
                raise GraphError(429, "ApplicationThrottled", f"Application is over its limit of "
                                 f"{self.per_window} requests per {int(self.window_s / 60)} minutes for this "
                                 "mailbox.", {"Retry-After": str(wait)})
            recent.append(now)
            self._in_flight[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[key] -= 1
