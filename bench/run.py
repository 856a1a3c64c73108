"""Run the benchmark suite: `python -m bench.run [--quick] [NAME ...]`.

Each benchmark module runs in its own Python process (so one cannot skew another's memory or
leave a database bound), prints its progress, and hands back its records. A full run writes
bench/results.json and refreshes the results section of docs/benchmarks.md with its plots;
`--quick` only checks that every benchmark runs and writes nothing unless `--out` is given.
Naming benchmarks (`store`, or `bench_store`) runs only those and keeps the others' last results.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results.json"
DOCS = REPO / "docs" / "benchmarks.md"


def discover() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))


def _select(names: list[str]) -> list[str]:
    known = discover()
    chosen = []
    for name in names:
        module = name if name.startswith("bench_") else f"bench_{name}"
        if module not in known:
            raise SystemExit(f"No benchmark named {name!r}. Known: {', '.join(known)}.")
        chosen.append(module)
    return chosen or known


def run_one_here(module: str, quick: bool, record_to: Path) -> None:
    """Child side: import the module, run it, write its records as JSON."""
    records = importlib.import_module(f"bench.{module}").run(quick=quick)
    for rec in records:
        rec["benchmark"] = module.removeprefix("bench_")
    record_to.write_text(json.dumps(records))


def run_one(module: str, quick: bool) -> tuple[list[dict], str | None, float]:
    """Parent side: run one module in a child process; return its records, an error or None, seconds."""
    print(f"== {module}{' (quick)' if quick else ''}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "records.json"
        cmd = [sys.executable, "-m", "bench.run", "--child", module, "--record-to", str(out)]
        if quick:
            cmd.append("--quick")
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=REPO)
        seconds = time.perf_counter() - start
        if done.returncode != 0 or not out.exists():
            return [], f"{module} failed (exit code {done.returncode}); its output is above", seconds
        return json.loads(out.read_text()), None, seconds


def summary(rec: dict) -> str:
    ratio = "" if rec["ratio"] is None else f" (ratio {rec['ratio']:g} to {rec['baseline']:g})"
    verdict = {True: "pass", False: "FAIL", None: "no target"}[rec["pass"]]
    return f"{rec['name']}: {rec['value']:g} {rec['unit']}{ratio} [{verdict}]"


def machine() -> dict:
    # the load at the end of the run: wall times on a shared machine depend on it
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "processor": platform.machine(),
            "load_average": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: only check each benchmark runs")
    parser.add_argument("--out", type=Path, help="results file (default: bench/results.json, none in quick mode)")
    parser.add_argument("--no-docs", action="store_true", help="do not refresh docs/benchmarks.md")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: redraw docs/benchmarks.md from bench/results.json "
                             "(after resolving a merge conflict in them)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--record-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        run_one_here(args.child, args.quick, args.record_to)
        return 0
    if args.list:
        print("\n".join(m.removeprefix("bench_") for m in discover()))
        return 0
    if args.report_only:
        from bench.report import refresh_docs

        refresh_docs(json.loads((args.out or RESULTS).read_text()), DOCS)
        print(f"refreshed {DOCS} from {args.out or RESULTS}")
        return 0

    modules = _select(args.names)
    records: list[dict] = []
    errors: list[str] = []
    durations: dict[str, float] = {}
    for module in modules:
        got, error, seconds = run_one(module, args.quick)
        records += got
        durations[module.removeprefix("bench_")] = round(seconds, 1)
        if error:
            errors.append(error)
        for rec in got:
            print(f"   {summary(rec)}", flush=True)

    out = args.out or (None if args.quick else RESULTS)
    if out is not None:
        ran = {m.removeprefix("bench_") for m in modules}
        if args.names and out.exists():  # a partial run keeps the other benchmarks' last results
            previous = json.loads(out.read_text())
            records = [r for r in previous["results"] if r.get("benchmark") not in ran] + records
            durations = {k: v for k, v in previous.get("seconds", {}).items() if k not in ran} | durations
        results = {"generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "quick": args.quick,
                   "machine": machine(), "seconds": durations, "errors": errors, "results": records}
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {out}")
        if not args.quick and not args.no_docs:
            from bench.report import refresh_docs

            refresh_docs(results, DOCS)
            print(f"refreshed {DOCS}")
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
