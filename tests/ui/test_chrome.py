"""The expected chrome: Delete with a confirmation that says what follows, right-click menus, the menu bar
(Help opens the user guide, About, Quit), icons in the navigation and on the toolbars."""
import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from crmsync_gui.core import admin
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.ui.main_window import MainWindow

EWS = "https://mail.contoso.com/EWS/Exchange.asmx"


def answer_next_box(button_text: str, seen: list) -> None:
    """When the next modal box opens, note its texts and press the button named `button_text`."""
    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen.append((box.text(), box.informativeText()))
        next(b for b in box.buttons() if b.text() == button_text).click()
    QTimer.singleShot(0, answer)


def organization():
    profile = admin.save_profile({"name": "Contoso", "incoming_server": EWS})
    ann = admin.add_user("Ann Lee", "ann@contoso.com")
    box = admin.add_mailbox("Ann", "ann@contoso.com", profile)
    admin.map_mailbox(box, ann)
    return profile, ann, box


def window_on(qtbot, title):
    window = MainWindow("crm.db")
    qtbot.addWidget(window)
    window.show()
    window.show_page(title)
    return window, window.stack.currentWidget()


def test_delete_a_mailbox_says_what_follows_and_cancel_keeps_it(qtbot, db):
    organization()
    window, page = window_on(qtbot, "Mailboxes")
    page.table.selectRow(0)
    seen = []
    answer_next_box("Cancel", seen)
    page.actions["delete"].trigger()
    assert seen[0][0] == "Delete mailbox “Ann”?"
    assert "Ann Lee is left without a mailbox" in seen[0][1]
    assert "Nothing is removed from Exchange" in seen[0][1]
    assert Mailbox.select().count() == 1
    answer_next_box("Delete", seen)
    page.actions["delete"].trigger()
    assert Mailbox.select().count() == 0 and page.model.rowCount() == 0
    assert window.statusBar().currentMessage() == "Deleted mailbox “Ann”."


def test_delete_a_profile_and_a_user(qtbot, db):
    organization()
    window, page = window_on(qtbot, "Email server profiles")
    page.table.selectRow(0)
    seen = []
    answer_next_box("Delete", seen)
    page.actions["delete"].trigger()
    assert "1 mailboxes are left without a profile and stop syncing" in seen[0][1]
    assert EmailServerProfile.select().count() == 0 and Mailbox.get().profile_id is None
    window.show_page("Users & queues")
    page = window.stack.currentWidget()
    page.table.selectRow(0)
    answer_next_box("Delete", seen)
    page.actions["delete"].trigger()
    assert seen[1][0] == "Delete user “Ann Lee”?" and "mailbox Ann is left without an owner" in seen[1][1]
    assert CrmUser.select().count() == 0 and Mailbox.get().owner_user_id is None


@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")  # the offscreen popup
def test_right_click_selects_the_row_and_offers_the_pages_actions(qtbot, db):
    organization()
    admin.add_mailbox("Bob", "bob@contoso.com")
    window, page = window_on(qtbot, "Mailboxes")
    page.table.selectRow(0)
    position = page.table.visualRect(page.model.index(1, 0)).center()
    page.table.customContextMenuRequested.emit(position)
    assert page.selected_ids() == [page.model.id_at(1)]
    menu = page.table.context_menu
    texts = [a.text() for a in menu.actions()]
    assert texts[:3] == ["New…", "Edit…", "Delete…"] and "Sync now" in texts
    menu.close()
    for title in ("Email server profiles", "Users & queues", "Alerts"):
        window.show_page(title)
        table = window.stack.currentWidget().table
        table.customContextMenuRequested.emit(QPoint(5, 5))
        assert table.context_menu.actions(), title
        table.context_menu.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the guide comes to the front
def test_menu_bar_help_about_quit_and_icons(qtbot, db):
    window, _page = window_on(qtbot, "Dashboard")
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Help"]
    window.menu_actions["guide"].trigger()
    guide = window.user_guide
    assert guide.isVisible() and not guide.isModal()
    assert "First setup" in guide.browser.toPlainText()
    assert guide.browser.document().resource(3, "screenshots/page-mailboxes.png") is not None  # 3: an image
    seen = []
    QTimer.singleShot(0, lambda: (seen.append(QApplication.activeModalWidget().text()),
                                  QApplication.activeModalWidget().accept()))
    window.menu_actions["about"].trigger()
    assert "Tabler Icons" in seen[0] and "MIT" in seen[0]
    for row in range(window.navigation.count()):
        assert not window.navigation.item(row).icon().isNull(), window.navigation.item(row).text()
    window.show_page("Mailboxes")
    for key, action in window.stack.currentWidget().actions.items():
        assert not action.icon().isNull(), key
    window.menu_actions["quit"].trigger()
    assert not window.isVisible()


def test_errors_and_alerts_carry_count_badges(qtbot, db):
    from datetime import timedelta

    from crmsync_gui.core.store.base import utcnow
    from crmsync_gui.core.store.models import Alert, TraceLog

    window, _page = window_on(qtbot, "Dashboard")
    texts = lambda: [window.navigation.item(r).text() for r in range(window.navigation.count())]  # noqa: E731
    assert "Errors" in texts() and "Alerts" in texts()
    now = utcnow()
    for n, level in enumerate((3, 3, 2)):  # two errors and a warning (TraceLevel 3, 2) in the last day
        TraceLog.create(level=level, code="X", message="m", collation_key=f"k{n}", first_at=now, last_at=now)
    TraceLog.create(level=3, code="X", message="old", collation_key="old", first_at=now - timedelta(days=2),
                    last_at=now - timedelta(days=2))
    Alert.create(message="3 of 4 mailboxes failed")
    Alert.create(message="seen", acknowledged=True)
    window.update_badges()
    assert "Errors  (2)" in texts() and "Alerts  (1)" in texts()
    window.show_page("Alerts")  # show_page still finds a page by its title
    assert window.stack.currentWidget().title == "Alerts"


def test_a_banner_shows_while_an_alert_waits(qtbot, db):
    from crmsync_gui.core.store.models import Alert

    window, _page = window_on(qtbot, "Mailboxes")
    assert window.alert_banner.isHidden()
    alert = Alert.create(message="3 of 4 mailboxes of profile 'Contoso' failed in the last hour\ndetails")
    window.update_badges()
    assert window.alert_banner.isVisible()
    assert window.alert_banner.text() == ("1 alert not yet acknowledged: 3 of 4 mailboxes of profile 'Contoso' "
                                          "failed in the last hour")
    window.alert_banner.button.click()
    assert window.stack.currentWidget().title == "Alerts"
    admin.acknowledge_alerts([alert.id])
    window.update_badges()
    assert window.alert_banner.isHidden()
