"""Faults and load limits a test (or the CLI) scripts, and the counters it reads back."""
from __future__ import annotations

import threading
import weakref
from collections import Counter
from dataclasses import dataclass

KINDS = ("busy", "http", "drop", "delay", "error", "malformed", "crash", "lose", "oversized", "trickle")


@dataclass
class Fault:
    """One scripted fault. It hits requests whose mailbox and operation match (None: any) for `times`
    requests (None: until cleared).

    kind:  "busy"      SOAP fault ErrorServerBusy with BackOffMilliseconds=back_off_ms (0 allowed)
           "http"      an HTTP error status (401, 503, ...) with no SOAP body
           "drop"      the connection is closed without a reply
           "delay"     the reply comes `seconds` late (then normally, unless another fault hits)
           "error"     the operation's response message carries ResponseCode `code`, e.g.
                       ErrorMailboxStoreUnavailable (transient), ErrorNonExistentMailbox, ErrorAccessDenied
           "malformed" the reply is not well-formed XML
           "crash"     the operation fails unexpectedly inside the server (answered as Exchange does:
                       ResponseCode ErrorInternalServerError)
           "lose"      GetStreamingEvents: the connection's first notifications are lost (their watermark
                       moves as if delivered, nothing is written): a missed notification
           "oversized" the reply is `size` bytes (a SOAP envelope opened, then text), sent chunked: no length
                       tells the client beforehand
           "trickle"   the reply comes one byte every `seconds`
    """
    kind: str
    mailbox: str | None = None
    operation: str | None = None
    times: int | None = None
    back_off_ms: int = 0
    status: int = 503
    seconds: float = 0.0
    code: str = "ErrorMailboxStoreUnavailable"
    size: int = 0
    hits: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; use one of {', '.join(KINDS)}")

    def applies(self, mailbox: str, operation: str) -> bool:
        return ((self.mailbox is None or self.mailbox.lower() == mailbox.lower())
                and (self.operation is None or self.operation == operation)
                and (self.times is None or self.hits < self.times))


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, mailbox: str, operation: str) -> list[Fault]:
        """The faults hitting this request (a delay and one failure can both apply), counting the hit."""
        with self._lock:
            hit = [f for f in self._faults if f.applies(mailbox, operation)]
            for f in hit:
                f.hits += 1
            self._faults = [f for f in self._faults if f.times is None or f.hits < f.times]
            return hit


class Stats:
    """Requests by operation, concurrent requests in flight and open connections, per mailbox and in total.

    A connection counts for a mailbox once it has carried one of its requests, until it closes (as seen at
    each later request)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests: Counter[str] = Counter()
            self.requests_by_mailbox: dict[str, Counter[str]] = {}
            self.in_flight: Counter[str] = Counter()
            self.peak_by_mailbox: Counter[str] = Counter()
            self.in_flight_total = 0
            self.peak_total = 0
            self.connections: dict[str, weakref.WeakSet] = {}
            self.all_connections: weakref.WeakSet = weakref.WeakSet()
            self.peak_connections_by_mailbox: Counter[str] = Counter()
            self.peak_connections_total = 0

    def begin(self, mailbox: str, operation: str, connection=None) -> int:
        """Count the request; return how many of this mailbox's requests are now in flight."""
        key = mailbox.lower()
        with self._lock:
            if connection is not None:
                mine = self.connections.setdefault(key, weakref.WeakSet())
                mine.add(connection)
                self.all_connections.add(connection)
                self.peak_connections_by_mailbox[key] = max(self.peak_connections_by_mailbox[key], _open(mine))
                self.peak_connections_total = max(self.peak_connections_total, _open(self.all_connections))
            self.requests[operation] += 1
            self.requests_by_mailbox.setdefault(key, Counter())[operation] += 1
            self.in_flight[key] += 1
            self.in_flight_total += 1
            self.peak_by_mailbox[key] = max(self.peak_by_mailbox[key], self.in_flight[key])
            self.peak_total = max(self.peak_total, self.in_flight_total)
            return self.in_flight[key]

    def open_connections(self, mailbox: str | None = None) -> int:
        with self._lock:
            return _open(self.all_connections if mailbox is None else self.connections.get(mailbox.lower(), ()))

    def end(self, mailbox: str) -> None:
        with self._lock:
            self.in_flight[mailbox.lower()] -= 1
            self.in_flight_total -= 1


def _open(connections) -> int:
    return sum(1 for c in list(connections) if not c.is_closing())
