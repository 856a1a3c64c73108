"""`make run` on a fresh Debian desktop (issue 23 item 11): run by another user than root, .ci/system-deps.sh
names the system libraries Qt's xcb plug-in needs that are missing, in one line with the command that adds them,
and nothing when none is missing. The package database is dpkg-query's: a stand-in on PATH says which packages
are missing (this machine has them all, and removing one would take it from the other tests)."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "system-deps.sh"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


def make_run_line(missing: set[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as folder:  # under /tmp: pytest's own folder is root's only
        Path(folder).chmod(0o755)
        return _run(Path(folder) / "bin", missing)


def _run(bin_dir: Path, missing: set[str]) -> subprocess.CompletedProcess:
    bin_dir.mkdir()
    fake = bin_dir / "dpkg-query"  # `dpkg-query -W -f='${Status}' PACKAGE`, as the script asks it
    fake.write_text("#!/bin/sh\nfor p in \"$@\"; do last=$p; done\ncase \" $MISSING \" in *\" $last \"*) exit 1;; "
                    "esac\nprintf 'install ok installed'\n")
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUN": "1", "MISSING": " ".join(sorted(missing))}
    return subprocess.run([*NOBODY, "bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=30)


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to run as another user")
def test_make_run_names_the_missing_xcb_libraries_in_one_line():
    done = make_run_line({"libxcb-cursor0", "libxkbcommon-x11-0"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("make run: the console's window needs these Debian packages: sudo apt-get install "
                           "libxcb-cursor0 libxkbcommon-x11-0\n")


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="needs setpriv to run as another user")
def test_make_run_says_nothing_when_every_library_is_there():
    done = make_run_line(set())
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
