"""`crmsync-gui`: start the console on a qasync event loop.

`--self-test` starts offscreen, builds every page, prints one JSON line and
exits: 0 when all is well, 1 with the reason otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from crmsync_gui import __version__


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from crmsync_gui.core.store.db import default_database_path

    parser = argparse.ArgumentParser(prog="crmsync-gui", description="crmsync administration console")
    parser.add_argument("--db", metavar="PATH", help=f"database file (default {default_database_path()})")
    parser.add_argument("--self-test", action="store_true",
                        help="start offscreen, build every page, print one JSON line and exit")
    parser.add_argument("--import-all", action="store_true",
                        help="with --self-test, also import every module of the product "
                             "(a packaged app proves it left none out; slower)")
    parser.add_argument("--version", action="version", version=f"crmsync-gui {__version__}")
    return parser.parse_args(argv)


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
        from crmsync_gui.core.store.db import close_database, default_database_path, open_database
        from crmsync_gui.ui.main_window import MainWindow
        from crmsync_gui.ui.resources import icon

        extra = {"modules": import_every_module()} if args.import_all else {}
        db_path = args.db or default_database_path()
        app = QApplication.instance() or QApplication([sys.argv[0]])
        if icon("crmsync").isNull():
            raise RuntimeError("the application icon did not load: resources/ or Qt's SVG plug-in is missing")
        open_database(db_path)
        window = MainWindow(str(db_path), secret_store_for(db_path).describe_backend())
        window.show()
        for page in window.pages:
            page.refresh()
        app.processEvents()
        pages = [p.title for p in window.pages]
        window.close()
        close_database()
    except Exception as exc:  # the self-test reports any failure as its result
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 1
    print(json.dumps({"ok": True, "version": __version__, "pages": pages, **extra,
                      "startup_ms": round((time.perf_counter() - started) * 1000)}))
    return 0


def run(args: argparse.Namespace) -> int:
    import qasync
    from PySide6.QtWidgets import QApplication, QMessageBox

    from crmsync_gui.core.errors import CrmSyncError
    from crmsync_gui.core.secrets import secret_store_for
    from crmsync_gui.core.store.db import close_database, default_database_path, open_database
    from crmsync_gui.ui.main_window import MainWindow
    from crmsync_gui.ui.resources import icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("crmsync")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("crmsync"))
    app.setDesktopFileName("crmsync-gui")  # matches packaging/crmsync-gui.desktop (Wayland's icon lookup)
    db_path = args.db or default_database_path()
    try:
        open_database(db_path)
    except CrmSyncError as exc:
        QMessageBox.critical(None, "crmsync", str(exc))
        return 1
    window = MainWindow(str(db_path), secret_store_for(db_path).describe_backend())

    async def console() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        window.show()
        await closed.wait()

    try:
        asyncio.run(console(), loop_factory=qasync.QEventLoop)
    finally:
        close_database()
    return 0


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    if args.self_test:
        return self_test(args, started)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
