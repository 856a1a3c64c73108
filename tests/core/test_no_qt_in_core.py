"""The core must run on a server with no Qt: importing any core module loads no PySide6."""
import pkgutil
import subprocess
import sys

import crmsync_gui.core
from tests.conftest import BIN, REPO


def core_modules():
    return sorted(m.name for m in pkgutil.walk_packages(crmsync_gui.core.__path__, "crmsync_gui.core."))


def test_every_core_module_and_the_cli_import_without_qt():
    modules = core_modules() + ["crmsync_gui.cli"]
    assert len(modules) > 5
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'qasync')]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contract_holds():
    result = subprocess.run([str(BIN / "lint-imports")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout
