"""Packaged application (issue 10): folder size, and the self-test's cold start against the venv.

The full run builds the package from the current code into a temporary folder. The first self-test
after the build is the cold start (a fresh database, files never run before); the baseline is the
same self-test run from the development venv in the same run. Quick mode builds nothing: it measures
dist/crmsync-gui when `make package` made one, else the venv's command stands in for it.
"""
from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import at_most, progress, record

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packaging"))
import build  # noqa: E402  (packaging/build.py)


def _venv_self_test(db: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "crmsync-gui"), "--self-test", "--db", str(db)],
                          capture_output=True, text=True, timeout=120, env=build.clean_env(db.parent))
    seconds = time.perf_counter() - started
    if '"ok": true' not in done.stdout:
        raise RuntimeError(f"the venv self-test failed: {done.stdout} {done.stderr}")
    return seconds


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _packaged_self_test(app: Path, db: Path) -> float:
    report, seconds = build.self_test(app, db)
    if not report.get("ok"):
        raise RuntimeError(f"the packaged self-test failed: {report}")
    return seconds


def run(quick: bool) -> list[dict]:
    """Build the package, then: folder size; first (cold) and median warm self-test, against the venv."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if quick:
            app = REPO / "dist" / "crmsync-gui"
            packaged = app.exists()
            progress(f"quick: measuring {'dist/crmsync-gui' if packaged else 'the venv (no dist/crmsync-gui)'}")
        else:
            progress("building the package (a minute or two on 2 cores)")
            started = time.perf_counter()
            app = build.build(tmp / "dist", REPO / "build" / "pyinstaller-bench")
            progress(f"built in {time.perf_counter() - started:.0f} s")
            packaged = True
        size = build.folder_size(app) if packaged else build.folder_size(REPO / "crmsync_gui")

        def start(n: int) -> float:
            db = tmp / f"p{n}.db"
            return _packaged_self_test(app, db) if packaged else _venv_self_test(db)

        progress("cold start: the first self-test of the package")
        cpu_before = _children_cpu()
        cold = start(0)
        cold_cpu = _children_cpu() - cpu_before
        warm_runs = 1 if quick else 5
        progress(f"warm start: {warm_runs} more self-tests, then {warm_runs + 1} from the venv")
        warm = statistics.median(start(n + 1) for n in range(warm_runs))
        venv = [_venv_self_test(tmp / f"v{n}.db") for n in range(warm_runs + 1)]
    what = "" if packaged else " (quick stand-in: the venv, no package built)"
    return [
        record("packaged folder size", size / 1e6, "MB", target=at_most(200), note=what or None),
        record("self-test cold start", cold, "s", target=at_most(2), baseline=venv[0],
               baseline_label="venv, first run", note=what or "first run after the build, fresh database"),
        # the CPU the cold start used: what the wall time would be on an idle machine, roughly
        record("self-test cold start, CPU time", cold_cpu, "s", target=None,
               note=what or "user + system; the wall time above also waits for other work on the machine"),
        record("self-test warm start", warm, "s", target=at_most(2), baseline=statistics.median(venv[1:] or venv),
               baseline_label="venv, median", note=what or f"median of {warm_runs}"),
    ]
