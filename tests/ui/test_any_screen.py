"""Any screen: the main window fits 1280×720 with every page, in English and Italian; dialogs fit 1024×700."""
import pytest
from PySide6.QtCore import QTranslator

from crmsync_gui.core import admin, codes
from crmsync_gui.ui.main_window import MainWindow
from crmsync_gui.ui.resources import install_translations

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


@pytest.fixture(params=["en", "it"])
def language(request, qapp):
    before = set(qapp.findChildren(QTranslator))
    if request.param != "en":
        assert install_translations(qapp, request.param) == request.param
    yield request.param
    for translator in set(qapp.findChildren(QTranslator)) - before:
        qapp.removeTranslator(translator)
        translator.deleteLater()


@pytest.fixture
def organization(db):
    profile = admin.save_profile({"name": "Contoso head office with a long name", "incoming_server": EWS})
    user = admin.add_user("Ann Lee", "ann@contoso.com")
    box = admin.add_mailbox("Ann Lee's mailbox with a long name", "ann@contoso.com", profile)
    admin.map_mailbox(box, user)
    from crmsync_gui.core.store.models import Alert, TraceLog

    TraceLog.create(level=codes.TraceLevel.ERROR, code="AuthenticationFailed", message="refused " * 40,
                    mailbox=box.id, profile=profile.id, collation_key="k")
    Alert.create(profile=profile.id, message="more than half of the mailboxes failed " * 10)  # the banner shows
    return box


def test_every_page_fits_1280_by_720(qtbot, language, organization):
    window = MainWindow("/a/rather/long/path/to/the/database/crm.db")
    qtbot.addWidget(window)
    window.show()
    assert window.alert_banner.isVisible()
    for row, page in enumerate(window.pages):
        window.navigation.setCurrentRow(row)
        page.show_empty(False)  # the working view, not the empty state, is the wider one
        needed = window.minimumSizeHint()
        assert needed.width() <= 1280 and needed.height() <= 720, (language, page.title, needed.toTuple())


def test_the_first_size_fits_the_screen(qtbot, db):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    free = window.screen().availableGeometry().size()
    assert window.width() <= max(free.width(), window.minimumSizeHint().width())
    assert window.height() <= free.height()


def test_every_dialog_fits_1024_by_700(qtbot, language, organization):
    """Each dialog can be shown within 1024×700: its layout's minimum fits (the size a dialog first opens at is
    its own choice)."""
    from crmsync_gui.ui.dialogs.catalog import sample_dialogs

    with sample_dialogs() as dialogs:
        for name, dialog in dialogs:
            dialog.show()
            needed = dialog.minimumSizeHint()
            assert needed.width() <= 1024 and needed.height() <= 700, (language, name, needed.toTuple())
            dialog.close()


def test_the_error_browsers_headers_follow_the_language(qtbot, language, db):
    from PySide6.QtCore import Qt

    from crmsync_gui.ui.pages.errors import TraceTableModel

    model = TraceTableModel()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == (["Level", "Last seen", "Code"] if language == "en" else ["Livello", "Ultima volta", "Codice"])


def test_the_mailboxes_health_columns_are_on_screen_at_1280_by_720(qtbot, language, organization):
    """Status, the standing error, each direction's result and how new email arrives, without scrolling."""
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("Mailboxes")
    page = window.stack.currentWidget()
    table, header = page.table, page.table.horizontalHeader()
    keys = [c.key for c in page.model.columns]
    shown = table.viewport().width()
    for key in ("status", "name", "last_error", "email", "incoming_status", "arrival", "arrival_latency_s"):
        column = keys.index(key)
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert header.sectionViewportPosition(column) >= 0 and right <= shown, (language, key, right, shown)
    assert table.horizontalScrollBar().value() == 0
