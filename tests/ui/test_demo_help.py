"""Demo polish: --db with --demo is refused with the reason; Help → About this demo says how to put each planted
fault right (the wrong password's real password included); the demo starts on the Dashboard."""
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from crmsync_gui.ui.app import parse_args
from crmsync_gui.ui.main_window import MainWindow


def test_db_with_demo_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_args(["--demo", "--db", "mine.db"])
    assert exit_.value.code == 2
    assert "--demo runs on a temporary database of its own; leave --db out" in capsys.readouterr().err


def test_about_this_demo_lists_each_fault_and_its_fix(qtbot):
    from crmsync_gui.core.store.db import close_database
    from crmsync_gui.demo import start_demo

    demo = start_demo(mailboxes=4, items=2)
    try:
        assert set(demo.fixes) == set(demo.faulty)
        wrong = next(a for a, why in demo.faulty.items() if "password" in why)
        real = demo.sandbox.store.get(wrong).password  # what the sandbox really accepts
        window = MainWindow("demo.db")
        qtbot.addWidget(window)
        window.add_demo_help(demo.faulty, demo.fixes)
        shown = []
        QTimer.singleShot(0, lambda: (shown.append(QApplication.activeModalWidget().text()),
                                      QApplication.activeModalWidget().accept()))
        window.menu_actions["demo"].trigger()
        assert wrong in shown[0] and "Test &amp; Enable" in shown[0] and f"Password {real}" in shown[0]
    finally:
        close_database()
        demo.stop()


def test_the_demo_starts_on_the_dashboard_whatever_page_was_last_shown(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from crmsync_gui.core.secrets import SecretStore
    from crmsync_gui.core.store.db import close_database, open_database
    from crmsync_gui.demo import start_demo
    from crmsync_gui.ui.app import open_window

    QSettings().setValue("main_window/page", 1)  # Mailboxes, when the console last closed
    open_database(tmp_path / "crm.db")
    try:
        window = open_window(tmp_path / "crm.db", SecretStore(tmp_path / "s.json", use_keyring=False))
        qtbot.addWidget(window)
        assert window.stack.currentWidget().title == "Mailboxes", "a real database opens where it was left"
    finally:
        close_database()
    demo = start_demo(mailboxes=4, items=2)
    try:
        window = open_window(demo.db_path, demo.secrets, demo)
        qtbot.addWidget(window)
        assert window.stack.currentWidget().title == "Dashboard"
    finally:
        close_database()
        demo.stop()
