"""The packaged application (issue 10): built with PyInstaller, run from its folder without the venv."""
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import time

import pytest

import crmsync_gui
from tests.conftest import REPO
from tests.console_run import run_console

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # the build takes a minute or two on 2 cores

sys.path.insert(0, str(REPO / "packaging"))
import build  # noqa: E402  (packaging/build.py)

UNUSED_QT = re.compile(r"WebEngine|Qml|Quick|Qt63D|Qt3D|Multimedia|Pdf|VirtualKeyboard|Designer|Bluetooth")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Build once into a temporary dist folder (the work folder under build/ is reused between runs)."""
    dist = tmp_path_factory.mktemp("dist")
    return build.build(dist, REPO / "build" / "pyinstaller-test")


def run_packaged(app, tmp_path, exe, *args):
    return subprocess.run([str(app / exe), *args], capture_output=True, text=True, timeout=120,
                          env=build.clean_env(tmp_path), cwd=tmp_path)


def test_packaged_console_passes_its_self_test_without_the_venv(app, tmp_path):
    report, _ = build.self_test(app, tmp_path / "p.db")
    assert report["ok"] is True, report
    assert report["version"] == crmsync_gui.__version__
    assert "Dashboard" in report["pages"]
    assert report["parsed_in_worker"] == "self-test", "the packaged app could not start a parsing worker"
    assert (tmp_path / "p.db").exists()


def test_package_holds_every_module_of_the_product(app, tmp_path):
    report, _ = build.self_test(app, tmp_path / "p.db", import_all=True)
    product_modules = [m.name for m in pkgutil.walk_packages(crmsync_gui.__path__, "crmsync_gui.")
                       if not m.name.endswith("__main__")]
    assert report["ok"] is True, report
    assert report["modules"] == len(product_modules), "a module of the product is missing from the package"


def test_both_commands_print_their_version(app, tmp_path):
    for exe in ("crmsync-gui", "crmsync"):
        done = run_packaged(app, tmp_path, exe, "--version")
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{exe} {crmsync_gui.__version__}"


def test_headless_command_shares_the_folder_and_works(app, tmp_path):
    assert [p.name for p in app.iterdir() if p.is_dir() and p.name == "_internal"] == ["_internal"]
    done = run_packaged(app, tmp_path, "crmsync", "--db", str(tmp_path / "h.db"), "init")
    assert done.returncode == 0, done.stderr
    assert "Database ready" in done.stdout
    assert (tmp_path / "h.db").exists()


def test_package_leaves_out_unused_qt_and_keeps_what_runs(app):
    files = [p.relative_to(app).as_posix() for p in app.rglob("*")]
    assert [f for f in files if UNUSED_QT.search(f)] == []
    assert [f for f in files if re.search(r"lxml/(objectify|html|isoschematron)", f)] == []  # etree only
    assert not [f for f in files if f.endswith(".qm") and "/translations/" in f and "qtbase_" not in f
                and "/resources/translations/" not in f]
    assert "_internal/resources/translations/crmsync_it.qm" in files  # the console's Italian
    assert any(f.endswith("libQt6Widgets.so.6") or f.endswith("Qt6Widgets.dll") for f in files)
    assert "_internal/resources/icons/crmsync.svg" in files
    # keyring finds its backends through entry points: without its metadata it has none
    assert any(re.search(r"keyring-[^/]+\.dist-info/entry_points\.txt$", f) for f in files)
    broken_links = [f for f in files if (app / f).is_symlink() and not (app / f).exists()]
    assert broken_links == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the desktop entry is for Linux")
def test_linux_desktop_entry_and_icon_are_in_the_folder(app):
    desktop = app / "share" / "applications" / "crmsync-gui.desktop"
    assert "Exec=crmsync-gui" in desktop.read_text()
    assert (app / "share" / "icons" / "hicolor" / "scalable" / "apps" / "crmsync-gui.svg").exists()
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate (Debian desktop-file-utils) is not installed")
    done = subprocess.run([validate, str(desktop)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def test_packaged_console_runs_its_engine_process(app, tmp_path):
    run = run_console([str(app / "crmsync-gui")], tmp_path / "e.db", build.clean_env(tmp_path))
    assert run.still_running, f"the packaged console exited early with {run.returncode}: {run.stderr[-2000:]}"
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert run.engine_ran, "the packaged console's engine process never synced"
    assert not run.engine_outlived_console


def test_the_packaged_command_syncs_a_microsoft_graph_profile(app, tmp_path):
    """msal, aiohttp and the Graph connector are in the package: an Exchange Online profile over Graph is added,
    tested and synced by the packaged `crmsync`, against the Graph sandbox of this test."""
    from crmsync_gui.sandbox import SandboxServer
    from crmsync_gui.sandbox.graph import GraphServer

    db = str(tmp_path / "g.db")
    with SandboxServer() as ews, GraphServer.beside(ews) as graph:
        graph.add_app("pkg-app", "pkg-secret", tenant="contoso.test")
        address = "pkg@sandbox.test"
        ews.add_mailbox(address, "unused", name="Pkg")
        ews.add_message(address, subject="Hello", sender=("Bo", "bo@fabrikam.com"), to=[("Pkg", address)])
        steps = [
            ("init",),
            ("profiles", "add", "--name", "Online", "--type", "exchange online hybrid", "--auth", "oauth",
             "--username", "pkg-app", "--oauth-tenant", "contoso.test", "--graph-url", graph.graph_url,
             "--authority", graph.url, "--ca-file", graph.ca_file, "--password-stdin"),
            ("users", "add", "--name", "Pkg User", "--email", address),
            ("mailboxes", "add", "--name", "Pkg", "--email", address, "--profile", "Online"),
            ("mailboxes", "map", "Pkg", "--user", address),
            ("mailboxes", "approve", "Pkg"),
            ("mailboxes", "test", "Pkg"),
            ("engine", "run", "--once"),
        ]
        for step in steps:
            done = subprocess.run([str(app / "crmsync"), "--db", db, *step], capture_output=True, text=True,
                                  timeout=120, env=build.clean_env(tmp_path), cwd=tmp_path,
                                  input="pkg-secret\n" if "--password-stdin" in step else None)
            assert done.returncode == 0, f"{step}: {done.stdout}{done.stderr}"
        assert "0 failed" in done.stdout, done.stdout
        assert graph.requests_by_operation(address)["message_delta"] >= 1


def test_the_packaged_app_opens_a_postgresql_database(app, tmp_path, pg_url):
    """psycopg2 and its libpq are in the package: the packaged `crmsync` makes a database on a real PostgreSQL
    (tests/servers/postgres.py, on loopback), a packaged engine worker registers in it, and the packaged
    console's self-test opens it and shows the user the command added."""
    import psycopg2

    from crmsync_gui.core.store.models import CrmUser

    def crmsync(*args):
        done = run_packaged(app, tmp_path, "crmsync", "--db", pg_url, *args)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    assert "Database ready" in crmsync("init")
    crmsync("users", "add", "--name", "Pg User", "--email", "pg@contoso.test")
    assert "pg@contoso.test" in crmsync("users", "list")
    worker = subprocess.Popen([str(app / "crmsync"), "--db", pg_url, "engine", "run"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env=build.clean_env(tmp_path), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while (status := run_packaged(app, tmp_path, "crmsync", "--db", pg_url, "engine", "status")).returncode:
            assert worker.poll() is None, f"the packaged engine exited with {worker.returncode}: {worker.stderr.read()}"
            assert time.monotonic() < deadline, f"no worker alive after 60 s: {status.stdout}{status.stderr}"
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.communicate(timeout=60)
    done = subprocess.run([str(app / "crmsync-gui"), "--self-test", "--db", pg_url], capture_output=True,
                          text=True, timeout=120, env=build.clean_env(tmp_path), cwd=tmp_path)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["ok"] is True, report
    with psycopg2.connect(pg_url) as conn, conn.cursor() as cursor:  # on the server, not in a file beside it
        cursor.execute(f"SELECT email FROM {CrmUser._meta.table_name}")
        assert cursor.fetchall() == [("pg@contoso.test",)]
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".db"] == []
