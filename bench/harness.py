"""What every benchmark module uses: result records, targets, progress lines, a timer.

A benchmark is a module `bench/bench_<topic>.py` with a function

    def run(quick: bool) -> list[dict]:
        '''One line on what is measured and against which baseline.'''

returning records made by `record(...)`. With `quick=True` it must use tiny sizes and finish in
seconds: quick mode only proves the benchmark still runs (CI), its numbers mean nothing.
"""
from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_started = time.perf_counter()


@dataclass(frozen=True)
class Target:
    """A pass/fail rule on the measured value, or on the ratio to the baseline."""

    limit: float
    on: str = "value"  # "value" or "ratio"
    lower_is_better: bool = True

    def describe(self, unit: str) -> str:
        sign = "≤" if self.lower_is_better else "≥"
        return f"ratio {sign} {self.limit:g}" if self.on == "ratio" else f"{sign} {self.limit:g} {unit}"

    def met_by(self, value: float, ratio: float | None) -> bool | None:
        measured = ratio if self.on == "ratio" else value
        if measured is None:
            return None
        return measured <= self.limit if self.lower_is_better else measured >= self.limit


def at_most(limit: float) -> Target:
    return Target(limit)


def at_least(limit: float) -> Target:
    return Target(limit, lower_is_better=False)


def ratio_at_most(limit: float) -> Target:
    return Target(limit, on="ratio")


def ratio_at_least(limit: float) -> Target:
    return Target(limit, on="ratio", lower_is_better=False)


def record(name: str, value: float, unit: str, *, target: Target | None, baseline: float | None = None,
           baseline_label: str | None = None, note: str | None = None) -> dict:
    """One result: `ratio` is value / baseline (when there is a baseline), `pass` applies the target."""
    if not math.isfinite(value):
        raise ValueError(f"benchmark {name!r} measured a non-finite value {value!r}")
    ratio = value / baseline if baseline else None
    return {
        "name": name,
        "value": round(value, 6),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 6),
        "baseline_label": baseline_label,
        "ratio": None if ratio is None else float(f"{ratio:.4g}"),  # 4 significant digits, small ratios too
        "target": target.describe(unit) if target else None,
        "pass": target.met_by(value, ratio) if target else None,
        "note": note,
        # kept so the report can draw each result against its target
        "target_limit": target.limit if target else None,
        "target_on": target.on if target else None,
        "lower_is_better": target.lower_is_better if target else None,
    }


def progress(message: str) -> None:
    """Print one progress line at once (benchmarks run for minutes; silence looks like a hang)."""
    print(f"  [{time.perf_counter() - _started:7.1f}s] {message}", flush=True)


class Stopwatch:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Stopwatch]:
    """`with timed() as t: ...` then `t.seconds`."""
    watch = Stopwatch()
    start = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - start


def best_of(repeats: int, fn) -> float:
    """The smallest wall time of `repeats` calls: the least disturbed by the other work on the machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def python_info() -> str:
    return sys.version.split()[0]


def median_spread(values: list[float], fmt: str = "{:.3g}") -> tuple[float, str]:
    """The median of several runs, and a phrase with their count and range for the record's note."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return median, f"median of {len(ordered)}, range {fmt.format(ordered[0])}–{fmt.format(ordered[-1])}"


def start_parsing_workers() -> None:
    """Start every parsing worker now, so no round pays for starting one (they start as work arrives)."""
    import asyncio

    from crmsync_gui.core.sync import parsing

    async def parse_at_once():
        email = ("warm-up", b"Subject: warm-up\r\n\r\nbody\r\n", None)
        await asyncio.gather(*(parsing.parse([email], "Inbox") for _ in range(parsing.WORKERS)))

    asyncio.run(parse_at_once())


def cpu_seconds() -> float:
    """This process's CPU time and its parsing workers' (core/sync/parsing.py), which parse its email."""
    import os

    from crmsync_gui.core.sync import parsing

    total = time.process_time()
    for pid in parsing.workers():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that ended: its time is lost to the figure
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return total


def load_average() -> float:
    """The machine's 1-minute load average: wall times on a shared machine depend on it."""
    import os

    return round(os.getloadavg()[0], 1)
