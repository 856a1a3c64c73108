"""No clipped labels in Italian (issue 23 item 9): the error browser's headers fit their sections, and the
longer Italian alert banner is elided to the window, in full in its tooltip, its button still on screen."""
from crmsync_gui.ui.main_window import MainWindow
from crmsync_gui.ui.pages.errors import ErrorsPage
from tests.ui.test_engine_messages_italian import ITALIAN, alert, italian  # noqa: F401 (fixtures)


def test_the_error_browsers_headers_fit_their_sections_in_italian(qtbot, db, italian):  # noqa: F811
    page = ErrorsPage()
    qtbot.addWidget(page)
    header = page.table.horizontalHeader()
    assert page.model.headerData(6, header.orientation()) == "Conteggio"
    for column in range(page.model.columnCount()):
        if column != 3:  # the message stretches over what is left
            assert header.sectionSize(column) >= header.sectionSizeHint(column), page.model.headerData(column, 1)


def test_the_italian_banner_keeps_its_button_at_1280(qtbot, alert, italian):  # noqa: F811
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    banner = window.alert_banner
    full = f"1 avviso non ancora confermato: {ITALIAN}"
    assert banner.text() == full and banner.message.toolTip() == full
    qtbot.waitUntil(lambda: banner.message.text().endswith("…"))  # cut to the width, not past it
    button = banner.button
    assert button.isVisible() and button.text() == "Mostra avvisi"
    right = button.mapTo(window, button.rect().topRight()).x()
    assert right < window.width() <= 1280
    assert banner.message.fontMetrics().horizontalAdvance(banner.message.text()) <= banner.message.width()
    button.click()
    assert window.stack.currentWidget().title == "Alerts"


def test_the_error_browsers_filters_show_their_all_choice_whole_in_italian(qtbot, db, italian):  # noqa: F811
    page = ErrorsPage()
    qtbot.addWidget(page)
    page.refresh()
    page.show()
    for combo in (page.mailbox, page.profile):
        text = combo.currentText()
        assert text in ("Tutte le cassette postali", "Tutti i profili")
        assert combo.fontMetrics().horizontalAdvance(text) + 30 <= combo.width(), (text, combo.width())
