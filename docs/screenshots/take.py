"""Screenshots of every console page and dialog, on the demo mode's organization after one sync cycle.

Run `make screenshots` (starts Xvfb when there is no display), or directly:
    DISPLAY=:99 QT_QPA_PLATFORM=xcb .venv/bin/python docs/screenshots/take.py [OUT_DIR] [--lang it]
PNG files land in docs/screenshots/ (Italian ones in docs/screenshots/it/), the window at 1280×720, the
smallest screen the console is made for. The database is a temporary one; nothing else is touched.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sync_once(demo, bus) -> None:
    """One engine cycle against the sandbox, publishing its events on `bus` (the window's)."""
    import asyncio

    from crmsync_gui.core.connectors import load_connectors
    from crmsync_gui.core.sync.engine import Engine

    load_connectors()

    async def cycle():
        engine = Engine(secrets=demo.secrets, bus=bus)
        try:
            await engine.run_once()
        finally:
            await engine.stop()

    asyncio.run(cycle())


class LiveWorker:
    """A real `crmsync engine run` on the demo's database while the Workers page is shot: the worker registers
    itself and beats as a service's would, and syncs the demo's mailboxes, made due for it."""

    def __init__(self, demo) -> None:
        self.demo = demo
        self.process = None

    def __enter__(self):
        import subprocess

        from crmsync_gui.core.store.base import utcnow
        from crmsync_gui.core.store.models import Mailbox
        from crmsync_gui.core.sync.workers import list_workers

        now = utcnow()
        Mailbox.update(incoming_next_run=now, outgoing_next_run=now, act_next_run=now).execute()
        command = [str(Path(sys.executable).parent / "crmsync"), "--db", str(self.demo.db_path), "engine", "run"]
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while not any(w.alive and w.mailboxes_last_hour for w in list_workers(utcnow())):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                self.log.seek(0)
                raise SystemExit(f"The demo's worker did not start syncing: {self.log.read()[-2000:]}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        self.process.terminate()  # SIGTERM: the service's stop
        self.process.wait(timeout=30)
        self.log.close()


def require_untracked_answers() -> None:
    """The "why wasn't this email tracked?" shot needs emails the demo did not track; never shoot it empty."""
    from crmsync_gui.core import codes
    from crmsync_gui.core.store.models import TrackingDecision

    untracked = TrackingDecision.select().where(TrackingDecision.outcome != codes.TrackingOutcome.TRACKED).count()
    if not untracked:
        raise SystemExit("The demo's sync cycle recorded no untracked email, so the tracking screenshot would be "
                         "empty; check the engine's log above.")


def test_connection_shots(demo, window, out: Path, settle) -> list[Path]:
    """The profile editor's Test connection, passed (the demo's sandbox) and failed (its branch office that is
    down), and a new IMAP/SMTP profile with its STARTTLS fields, one checked as you type."""
    import asyncio

    from crmsync_gui.core import codes
    from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
    from crmsync_gui.ui.dialogs.profile_dialog import ProfileDialog

    saved = []
    healthy = next(m for m in Mailbox.select().order_by(Mailbox.id) if m.email not in demo.faulty)
    branch = EmailServerProfile.get(EmailServerProfile.name.startswith("Branch"))
    for name, profile, address in (
            ("dialog-profile-test-ok", EmailServerProfile.get_by_id(healthy.profile_id), healthy.email),
            ("dialog-profile-test-failed", branch, "branch1@fabrikam.example")):
        dialog = ProfileDialog(profile, window)
        dialog.test_address.setText(address)
        dialog.show()

        async def run(dialog=dialog):
            await dialog.start_test()
        asyncio.run(run())
        settle()
        saved.append(out / f"{name}.png")
        dialog.grab().save(str(saved[-1]))
        dialog.close()
        dialog.deleteLater()
    dialog = ProfileDialog(None, window)
    dialog.name.setText("Contoso mail")
    dialog.server_type.setCurrentIndex(dialog.server_type.findData(int(codes.ServerType.POP3_SMTP)))
    dialog.auth_type.setCurrentIndex(dialog.auth_type.findData(int(codes.AuthType.BASIC)))
    dialog.incoming_server.setText("pop.contoso.com:110")
    dialog.incoming_starttls.setChecked(True)
    dialog.outgoing_server.setText("smtp.contoso.com:587")  # STARTTLS still off: the reason shows beside it
    dialog.username.setText("crm-sync@contoso.com")
    dialog.show()
    settle()
    saved.append(out / "dialog-profile-pop3.png")
    dialog.grab().save(str(saved[-1]))
    dialog.close()
    dialog.deleteLater()
    return saved


def other_shots(window, out: Path, settle) -> list[Path]:
    """A deletion's confirmation (what follows, before anything changes) and the user guide window."""
    from crmsync_gui.core.admin.removal import removal_of
    from crmsync_gui.core.store.models import Mailbox
    from crmsync_gui.ui.dialogs.delete import removal_box
    from crmsync_gui.ui.help_window import UserGuide

    box, _delete = removal_box(window, removal_of(Mailbox.select().order_by(Mailbox.id).first()))
    box.show()
    settle()
    saved = [out / "dialog-delete-mailbox.png"]
    box.grab().save(str(saved[-1]))
    box.close()
    guide = UserGuide(window)
    guide.show()
    settle()
    saved.append(out / "dialog-user-guide.png")
    guide.grab().save(str(saved[-1]))
    guide.close()
    return saved


def main(out: Path, language: str) -> int:
    os.environ.setdefault("CRMSYNC_SECRETS", "file")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from crmsync_gui.core import events
    from crmsync_gui.core.store.db import close_database
    from crmsync_gui.demo import start_demo
    from crmsync_gui.ui.main_window import MainWindow
    from crmsync_gui.ui.resources import install_translations

    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_translations(app, language)
    QCoreApplication.setOrganizationName("crmsync-screenshots")
    tmp = Path(tempfile.mkdtemp(prefix="crmsync-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    demo = start_demo()
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow("demo.db (crmsync-gui --demo)", "")
    bus = events.EventBus()
    window.attach_bus(bus)
    window.resize(1280, 720)
    window.show()

    def settle(seconds: float = 0.3) -> None:
        """Let the window catch up, timers included (the feed and the mailbox rows update on timers)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)

    sync_once(demo, bus)  # the dashboard's feed shows this cycle's real events
    require_untracked_answers()
    window.update_badges()  # at once, not on the window's next 5-second tick
    saved = []
    for row, page in enumerate(window.pages):
        worker = LiveWorker(demo) if page.title == "Workers" else contextlib.nullcontext()
        with worker:
            saved += shoot_page(window, row, page, out, settle)
    saved += dialog_shots(window, out, settle)
    saved += test_connection_shots(demo, window, out, settle)
    saved += other_shots(window, out, settle)
    window.close()
    close_database()
    demo.stop()
    for path in saved:
        print(path)
    return 0


def shoot_page(window, row: int, page, out: Path, settle) -> list[Path]:
    saved = []
    window.navigation.setCurrentRow(row)
    page.refresh()
    if page.title == "Errors":
        page.table.selectRow(1)
    if page.title in ("Mailboxes", "Users & queues", "Email server profiles", "Alerts"):
        page.table.selectRow(3 if page.title == "Mailboxes" else 0)
    settle()
    path = out / f"page-{page.objectName().removeprefix('page-').removesuffix('Page').lower()}.png"
    window.grab().save(str(path))
    saved.append(path)
    if page.title == "Errors":  # its second tab: why an email was not tracked
        page.tabs.setCurrentIndex(1)
        settle()
        path = out / "page-errors-tracking.png"
        window.grab().save(str(path))
        saved.append(path)
        page.tabs.setCurrentIndex(0)
    return saved


def dialog_shots(window, out: Path, settle) -> list[Path]:
    from crmsync_gui.ui.dialogs.catalog import sample_dialogs

    saved = []
    with sample_dialogs(window) as dialogs:
        for name, dialog in dialogs:
            dialog.show()
            settle()
            if name in ("user", "queue"):
                tabs = ["general", "synchronization", "email"] if name == "user" else ["general", "email"]
                for tab, tab_name in enumerate(tabs):  # named in English in every language
                    dialog.tabs.setCurrentIndex(tab)
                    if tab_name == "synchronization":
                        for editor in dialog.filter_editors.values():
                            editor.preview()
                    settle()
                    path = out / f"dialog-{name}-{tab_name}.png"
                    dialog.grab().save(str(path))
                    saved.append(path)
            else:
                path = out / f"dialog-{name}.png"
                dialog.grab().save(str(path))
                saved.append(path)
            dialog.close()
    return saved


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    import argparse

    parser = argparse.ArgumentParser(description="screenshots of every console page and dialog")
    parser.add_argument("out", nargs="?", type=Path, help="folder for the PNG files (default docs/screenshots, "
                                                          "or docs/screenshots/LANG for another language)")
    parser.add_argument("--lang", default="en", help="the console's language, e.g. it")
    args = parser.parse_args()
    sys.exit(main(args.out or (HERE if args.lang == "en" else HERE / args.lang), args.lang))
