"""Keyboard shortcuts every page answers: Ctrl+F goes to its search box, F5 reloads it."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from crmsync_gui.core import admin
from crmsync_gui.ui.main_window import MainWindow

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def shown_window(qtbot):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def test_ctrl_f_puts_the_cursor_in_each_pages_search_box(qtbot, db):
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    admin.add_user("Ann Lee", "ann@contoso.com")
    admin.add_mailbox("Ann", "ann@contoso.com", profile)
    window = shown_window(qtbot)
    searched = []
    for row in range(window.navigation.count()):
        window.navigation.setCurrentRow(row)
        page = window.stack.currentWidget()
        if page.search_field is None or not page.search_field.isVisible():
            continue
        window.navigation.setFocus()
        qtbot.keyClick(window.navigation, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert QApplication.focusWidget() is page.search_field, page.title
        searched.append(page.title)
    assert {"Mailboxes", "Email server profiles", "Users & queues"} <= set(searched)


def test_f5_reloads_the_page_shown(qtbot, db):
    window = shown_window(qtbot)
    window.show_page("Email server profiles")
    page = window.stack.currentWidget()
    assert page.empty_state.isVisible()
    admin.save_profile({"name": "Contoso", "incoming_server": EWS})  # written elsewhere, e.g. by the CLI
    qtbot.keyClick(window.navigation, Qt.Key.Key_F5)
    assert not page.empty_state.isVisible() and page.model.rowCount() == 1
