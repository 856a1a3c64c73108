"""The benchmark suite: every benchmark runs in quick mode, and the harness reports what it measured."""
import importlib
import json
import math
import subprocess
import sys

import pytest

from bench import report
from bench.harness import at_least, at_most, ratio_at_most, record
from bench.run import discover
from tests.conftest import REPO

FIELDS = {"benchmark", "name", "value", "unit", "baseline", "ratio", "target", "pass"}


def run_bench(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize("module", discover())
def test_benchmark_runs_in_quick_mode(module, tmp_path):
    unavailable = getattr(importlib.import_module(f"bench.{module}"), "unavailable", None)
    if unavailable and (reason := unavailable()):  # e.g. a server package that cannot be installed here
        pytest.skip(reason)
    out = tmp_path / "results.json"
    done = run_bench("--quick", module, "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[" in done.stdout, "a benchmark prints progress lines"
    results = json.loads(out.read_text())
    assert results["quick"] is True and results["errors"] == []
    assert results["results"], f"{module} returned no record"
    for rec in results["results"]:
        assert rec.keys() >= FIELDS
        assert rec["benchmark"] == module.removeprefix("bench_")
        assert math.isfinite(rec["value"]) and rec["value"] >= 0 and rec["unit"]
        if rec["baseline"] is not None:
            assert rec["ratio"] == pytest.approx(rec["value"] / rec["baseline"], rel=1e-3)


def test_record_applies_targets_in_both_directions():
    assert record("t", 1.5, "s", target=at_most(2))["pass"] is True
    assert record("t", 2.5, "s", target=at_most(2))["pass"] is False
    assert record("t", 90, "msg/s", target=at_least(100))["pass"] is False
    slow = record("t", 3.0, "s", baseline=1.0, target=ratio_at_most(2))
    assert (slow["ratio"], slow["pass"], slow["target"]) == (3.0, False, "ratio ≤ 2")
    assert record("t", 3.0, "s", target=ratio_at_most(2))["pass"] is None  # no baseline: cannot judge
    with pytest.raises(ValueError, match="non-finite"):
        record("t", float("nan"), "s", target=None)


def test_failing_benchmark_is_reported_and_the_run_exits_1(tmp_path):
    broken = REPO / "bench" / "bench_zz_broken_for_test.py"
    broken.write_text("def run(quick):\n    raise RuntimeError('measured nothing')\n")
    try:
        done = run_bench("--quick", "zz_broken_for_test", "--out", str(tmp_path / "r.json"))
    finally:
        broken.unlink()
    assert done.returncode == 1
    assert "measured nothing" in done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["errors"]


def test_refresh_docs_replaces_only_the_generated_section(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\nHand-written.\n\n{report.BEGIN}\nold table\n{report.END}\n\nAfter.\n")
    rec = record("open a new database", 20.0, "ms", baseline=5.0, target=at_most(250)) | {"benchmark": "store"}
    results = {"generated_at": "now", "quick": False, "errors": ["bench_x failed"], "results": [rec],
               "machine": {"python": "3.11", "platform": "Linux", "cpus": 2}}
    report.refresh_docs(results, docs)
    text = docs.read_text()
    assert "Hand-written." in text and "After." in text and "old table" not in text
    assert "| store | open a new database | 20 ms | 5 ms | 4× | ≤ 250 ms | ✅ |" in text
    assert "bench_x failed" in text


def test_report_only_redraws_the_page_from_the_results_file(tmp_path, monkeypatch):
    from bench import run

    rec = record("packaged folder size", 168.0, "MB", target=at_most(200)) | {"benchmark": "package"}
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"generated_at": "then", "quick": False, "errors": [], "results": [rec],
                                   "machine": {"python": "3.11", "platform": "Linux", "cpus": 2}}))
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# B\n\n{report.BEGIN}\nstale\n{report.END}\n")
    monkeypatch.setattr(run, "DOCS", docs)
    assert run.main(["--report-only", "--out", str(results)]) == 0
    assert "| package | packaged folder size | 168 MB | – | – | ≤ 200 MB | ✅ |" in docs.read_text()
