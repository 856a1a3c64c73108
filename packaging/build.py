"""Build the one-folder application: `python packaging/build.py [--check]` (what `make package` runs).

The folder, dist/crmsync-gui/, holds the console `crmsync-gui`, the headless `crmsync`, their
shared libraries, resources/ and, on Linux, share/ with the desktop entry, icon and systemd unit to install.
`--check` then runs the packaged self-test from the folder in a clean environment (no venv, no
PYTHONPATH), the way an administrator's machine would.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "crmsync-gui.spec"
NAME = "crmsync-gui"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""


def build(distpath: Path, workpath: Path) -> Path:
    """Run PyInstaller on the spec; return the application folder."""
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(distpath), "--workpath", str(workpath), str(SPEC)]
    subprocess.run(cmd, cwd=ROOT, check=True)
    app = distpath / NAME
    if sys.platform.startswith("linux"):
        share = app / "share"
        (share / "applications").mkdir(parents=True, exist_ok=True)
        (share / "icons" / "hicolor" / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "packaging" / f"{NAME}.desktop", share / "applications" / f"{NAME}.desktop")
        shutil.copy2(ROOT / "resources" / "icons" / "crmsync.svg",
                     share / "icons" / "hicolor" / "scalable" / "apps" / f"{NAME}.svg")
        (share / "systemd").mkdir(exist_ok=True)
        shutil.copy2(ROOT / "packaging" / "crmsync-engine.service", share / "systemd" / "crmsync-engine.service")
    return app


def clean_env(home: Path) -> dict[str, str]:
    """What a fresh login has: no venv, no PYTHONPATH, no Qt variables; offscreen because no display."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    if sys.platform == "win32":  # Windows cannot start a process without these
        env |= {k: os.environ[k] for k in ("SYSTEMROOT", "TEMP", "TMP") if k in os.environ}
    return env


def self_test(app: Path, db: Path, *, import_all: bool = False) -> tuple[dict, float]:
    """Run the packaged console's self-test; return its JSON report and the wall time in seconds.

    `import_all` also imports every module of the product, proving the package left none out.
    """
    started = time.perf_counter()
    extra = ["--import-all"] if import_all else []
    done = subprocess.run([str(app / f"{NAME}{EXE_SUFFIX}"), "--self-test", "--db", str(db), *extra],
                          capture_output=True, text=True, timeout=120, env=clean_env(db.parent), cwd=db.parent)
    seconds = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"the packaged self-test printed nothing (exit {done.returncode}): {done.stderr}")
    return json.loads(lines[-1]), seconds


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distpath", type=Path, default=ROOT / "dist")
    parser.add_argument("--workpath", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--check", action="store_true", help="run the packaged self-test afterwards")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    app = build(args.distpath, args.workpath)
    print(f"built {app} in {time.perf_counter() - started:.0f} s, {folder_size(app) / 1e6:.0f} MB")
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            report, seconds = self_test(app, Path(tmp) / "p.db", import_all=True)
        print(json.dumps(report))
        print(f"packaged self-test: {'ok' if report.get('ok') else 'FAILED'} in {seconds:.2f} s")
        return 0 if report.get("ok") else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
