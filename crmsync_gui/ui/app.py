"""`crmsync-gui`: start the console on a qasync event loop.

`--self-test` starts offscreen, builds every page and opens every dialog (on
sample records rolled back afterwards), prints one JSON line and
exits: 0 when all is well, 1 with the reason otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time

from crmsync_gui import __version__


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from crmsync_gui.core.store.db import default_database_path

    parser = argparse.ArgumentParser(prog="crmsync-gui", description="crmsync administration console")
    parser.add_argument("--db", metavar="PATH", help=f"database file (default {default_database_path()})")
    parser.add_argument("--self-test", action="store_true",
                        help="start offscreen, build every page and dialog, print one JSON line and exit")
    parser.add_argument("--demo", action="store_true",
                        help="start the Exchange sandbox in this process with a seeded organization (a temporary "
                             "database) and sync it with the embedded engine; a few mailboxes are broken on "
                             "purpose, and Help → About this demo says how to put each right")
    parser.add_argument("--lang", metavar="CODE", help="interface language, e.g. it or en (default: the system's)")
    parser.add_argument("--no-engine", action="store_true",
                        help="do not run the embedded sync engine (e.g. when a `crmsync engine` service runs it)")
    parser.add_argument("--import-all", action="store_true",
                        help="with --self-test, also import every module of the product "
                             "(a packaged app proves it left none out; slower)")
    parser.add_argument("--version", action="version", version=f"crmsync-gui {__version__}")
    args = parser.parse_args(argv)
    if args.demo and args.db:  # never silently ignored: the administrator may think the demo used that database
        parser.error("--demo runs on a temporary database of its own; leave --db out")
    return args


def import_every_module() -> int:
    """Import every module of the product; in the packaged app this proves none is missing."""
    import importlib
    import pkgutil

    import crmsync_gui

    names = [m.name for m in pkgutil.walk_packages(crmsync_gui.__path__, "crmsync_gui.")
             if not m.name.endswith("__main__")]
    for name in names:
        importlib.import_module(name)
    return len(names)


def self_test(args: argparse.Namespace, started: float) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        from PySide6.QtWidgets import QApplication

        from crmsync_gui.core.secrets import secret_store_for
        from crmsync_gui.core.store.db import (
            close_database,
            default_database_path,
            describe_target,
            open_database,
        )
        from crmsync_gui.core.sync import parsing
        from crmsync_gui.ui.main_window import MainWindow
        from crmsync_gui.ui.resources import icon, install_translations

        extra = {"modules": import_every_module()} if args.import_all else {}
        # the engine parses email in worker processes, which a packaged app starts by running itself
        parsed, = asyncio.run(parsing.parse([("self-test", b"Subject: self-test\r\n\r\nbody\r\n", None)], "Inbox"))
        extra["parsed_in_worker"] = getattr(parsed, "subject", str(parsed))
        db_path = args.db or default_database_path()
        app = QApplication.instance() or QApplication([sys.argv[0]])
        if icon("crmsync").isNull():
            raise RuntimeError("the application icon did not load: resources/ or Qt's SVG plug-in is missing")
        language = install_translations(app, args.lang or "en")
        open_database(db_path)
        window = MainWindow(describe_target(db_path), secret_store_for(db_path).describe_backend())
        window.show()
        for page in window.pages:
            page.refresh()
        app.processEvents()
        pages = [p.title for p in window.pages]
        from crmsync_gui.ui.dialogs.catalog import sample_dialogs

        dialogs = []
        with sample_dialogs(window) as built:
            for name, dialog in built:
                dialog.show()
                app.processEvents()
                dialog.close()
                dialogs.append(name)
        window.close()
        close_database()
    except Exception as exc:  # the self-test reports any failure as its result
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps({"ok": True, "version": __version__, "pages": pages, "dialogs": dialogs, "language": language, **extra,
                      "startup_ms": round((time.perf_counter() - started) * 1000)}))
    return 0


def open_window(db_path, secrets, demo=None):
    """The main window on the last page shown; the demo's on the Dashboard, where its live sync shows."""
    from PySide6.QtCore import QCoreApplication

    from crmsync_gui.core.store.db import describe_target
    from crmsync_gui.ui.main_window import MainWindow

    window = MainWindow(describe_target(db_path), secrets.describe_backend())
    if demo is not None:
        demo_note = QCoreApplication.translate("MainWindow", " — demo (Exchange sandbox on {0})")
        window.setWindowTitle(window.windowTitle() + demo_note.format(demo.sandbox.url))
        window.add_demo_help(demo.faulty, demo.fixes)
        window.show_page("Dashboard")
    return window


def run(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from crmsync_gui.core import events
    from crmsync_gui.core.errors import CrmSyncError
    from crmsync_gui.core.secrets import secret_store_for
    from crmsync_gui.core.store.db import close_database, default_database_path, open_database
    from crmsync_gui.ui.resources import icon, install_translations

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("crmsync")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("crmsync"))
    app.setDesktopFileName("crmsync-gui")  # matches packaging/crmsync-gui.desktop (Wayland's icon lookup)
    install_translations(app, args.lang)
    demo = None
    if args.demo:
        from crmsync_gui.demo import start_demo

        demo = start_demo()
        db_path, secrets = demo.db_path, demo.secrets
    else:
        db_path = args.db or default_database_path()
        try:
            open_database(db_path)
        except CrmSyncError as exc:
            QMessageBox.critical(None, "crmsync", str(exc))
            return 1
        secrets = secret_store_for(db_path)
    window = open_window(db_path, secrets, demo)
    bus = events.EventBus()
    window.attach_bus(bus)
    engine = None
    if not args.no_engine:
        from crmsync_gui.core.sync.host import EngineProcess

        # the engine runs in a child process, so its work never holds up the window (the Qt thread runs the
        # console's own coroutines through qasync); its events reach the pages by the bridge
        engine = EngineProcess(db_path, secrets, bus)
        window.attach_engine(engine)

    async def console() -> None:
        closed = asyncio.Event()
        # closing the window ends this coroutine, not Qt's loop at once: the engine stops first, on the running loop
        app.setQuitOnLastWindowClosed(False)
        app.lastWindowClosed.connect(closed.set)
        window.show()
        if engine is not None:
            await window.start_engine()
        await closed.wait()
        if engine is not None:
            await engine.stop()

    try:
        qasync.run(console())  # asyncio.run with a Qt event loop, on Python 3.11 and later
    finally:
        close_database()
        if demo is not None:
            demo.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the packaged app starts its engine process by running itself
    started = time.perf_counter()
    args = parse_args(argv)
    if args.self_test:
        return self_test(args, started)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
