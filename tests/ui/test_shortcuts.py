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


def ctrl_f(qtbot, window) -> None:
    """Press Ctrl+F with the focus in the navigation, as a user would."""
    window.navigation.setFocus()
    qtbot.keyPress(window.navigation, Qt.Key.Key_Control)
    qtbot.keyClick(window.navigation, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(QApplication.focusWidget(), Qt.Key.Key_Control)  # where the focus went, as a keyboard does


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


def test_ctrl_f_finds_on_every_page_and_tab(qtbot, db):
    """No page ignores Ctrl+F: its own search box (the tab shown, on Errors), else the mailbox search."""
    from crmsync_gui.core.store.models import Alert, TraceLog

    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    box = admin.add_mailbox("Ann", "ann@contoso.com", profile)
    TraceLog.create(level=3, code="AuthenticationFailed", message="refused", mailbox=box.id, collation_key="k")
    Alert.create(profile=profile.id, level=3, message="3 of 4 mailboxes failed")
    window = shown_window(qtbot)
    mailbox_search = window.pages[1].search_field
    for row in range(window.navigation.count()):
        window.navigation.setCurrentRow(row)
        page = window.stack.currentWidget()
        tabs = [page.tabs.widget(i) for i in range(page.tabs.count())] if hasattr(page, "tabs") else [None]
        for tab in tabs:
            if tab is not None:
                page.tabs.setCurrentWidget(tab)
            window.navigation.setCurrentRow(row)
            ctrl_f(qtbot, window)
            focused = QApplication.focusWidget()
            expected = page.current_search_field() if page.find() else mailbox_search
            assert focused is expected and focused.isVisible(), (page.title, tab)
    window.show_page("Errors")
    window.stack.currentWidget().tabs.setCurrentIndex(1)
    ctrl_f(qtbot, window)
    assert QApplication.focusWidget().objectName() == "decision-search"
    window.show_page("Alerts")
    ctrl_f(qtbot, window)
    assert QApplication.focusWidget() is window.stack.currentWidget().filter_edit
    window.show_page("Dashboard")
    ctrl_f(qtbot, window)
    assert window.stack.currentWidget().title == "Mailboxes" and QApplication.focusWidget() is mailbox_search
