import json
import subprocess

from PySide6.QtCore import Qt

from crmsync_gui.ui.main_window import MainWindow
from crmsync_gui.ui.pages import ALL_PAGES
from tests.conftest import BIN

EXPECTED = ["Dashboard", "Mailboxes", "Email server profiles", "Users & queues", "Errors", "Alerts", "Migration",
            "Workers"]


def test_navigation_lists_every_page_and_switches(qtbot, db):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
    assert titles == EXPECTED
    for row, title in enumerate(EXPECTED):
        window.navigation.setCurrentRow(row)
        assert window.stack.currentWidget().title == title
        assert window.stack.currentWidget().empty_state.isVisible()


def test_status_bar_shows_database_and_engine_state(qtbot, db):
    window = MainWindow("/data/crm.db")
    qtbot.addWidget(window)
    assert "/data/crm.db" in window.db_label.text()
    assert window.engine_label.text() == "Engine: stopped"
    window.set_engine_state("running")
    assert window.engine_label.text() == "Engine: running"


def test_building_the_window_raises_no_qt_warning(qtbot, qtlog, db):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    warnings = [r for r in qtlog.records if r.type_name in ("QtWarningMsg", "QtCriticalMsg")
                and "propagateSizeHints" not in r.message]
    assert warnings == []
    assert len(window.pages) == len(ALL_PAGES)


def test_self_test_twice_on_one_database(tmp_path):
    for _ in range(2):
        result = subprocess.run([str(BIN / "crmsync-gui"), "--self-test", "--db", str(tmp_path / "x.db")],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["ok"] is True and report["pages"] == EXPECTED and report["startup_ms"] > 0
        assert report["dialogs"] == ["mailbox-new", "mailbox-edit", "profile-new", "profile-edit", "user", "queue",
                                     "new-user", "new-queue"]


def test_self_test_failure_exits_non_zero_with_the_reason(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database\n" * 200)
    result = subprocess.run([str(BIN / "crmsync-gui"), "--self-test", "--db", str(bogus)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is False and "not a database" in report["error"]


def test_sample_dialogs_leave_the_database_as_it_was(qtbot, db):
    from crmsync_gui.core.store.models import ALL_MODELS
    from crmsync_gui.ui.dialogs.catalog import sample_dialogs

    def counts():
        return {m.__name__: m.select().count() for m in ALL_MODELS}

    before = counts()
    with sample_dialogs() as dialogs:
        assert len(dialogs) == 8 and counts()["Mailbox"] == 1
    assert counts() == before


def test_opening_another_page_filtered_and_geometry_remembered(qtbot, db):
    from crmsync_gui.core import admin

    box = admin.add_mailbox("Ann", "ann@example.com")
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    window.pages[1].open_page.emit("Errors", {"mailbox_id": box.id})
    assert window.stack.currentWidget().title == "Errors"
    assert window.stack.currentWidget().mailbox.currentData() == box.id
    window.resize(700, 560)
    size = (window.width(), window.height())  # the window keeps its minimum width
    window.close()
    again = MainWindow("crm.db")
    qtbot.addWidget(again)
    assert again.height() == size[1] == 560  # (offscreen clamps the width to its screen)
    assert again.stack.currentWidget().title == "Errors"


def test_italian_translation(qtbot, qapp, db):
    from PySide6.QtCore import QTranslator

    from crmsync_gui.ui.resources import install_translations

    before = set(qapp.findChildren(QTranslator))
    assert install_translations(qapp, "it") == "it"
    try:
        window = MainWindow("crm.db")
        qtbot.addWidget(window)
        titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
        assert titles[:6] == ["Pannello", "Cassette postali", "Profili server di posta", "Utenti e code", "Errori",
                              "Avvisi"]
        mailboxes = window.pages[1]
        assert mailboxes.actions["approve"].text() == "Approva"
        assert mailboxes.model.headerData(0, Qt.Orientation.Horizontal) == "Nome"
    finally:
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.deleteLater()
    assert install_translations(qapp, "xx") == "en"

