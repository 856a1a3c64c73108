"""The main window: navigation on the left, one page at a time, a status bar below."""
import asyncio

from PySide6.QtCore import QCoreApplication, QSettings, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui import __version__
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.store import views
from crmsync_gui.ui.help_window import show_about
from crmsync_gui.ui.labels import engine_message
from crmsync_gui.ui.pages import ALL_PAGES
from crmsync_gui.ui.resources import icon
from crmsync_gui.ui.widgets.alert_banner import AlertBanner

translate = QCoreApplication.translate
BADGE_REFRESH_MS = 5000


class MainWindow(QMainWindow):
    def __init__(self, db_label: str, secrets_note: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("crmsync — server-side synchronization") + f" {__version__}")
        self.resize(self.first_size())
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(200)
        self.navigation.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget()
        self.pages = []
        for page_class in ALL_PAGES:
            page = page_class()
            self.pages.append(page)
            self.stack.addWidget(page)
            QListWidgetItem(icon(page.icon_name), translate("pages", page.title), self.navigation)
            page.open_page.connect(self.open_page)
            page.status_message.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.navigation.setCurrentRow(0)

        # a banner over every page while an alert waits to be acknowledged
        self.alert_banner = AlertBanner()
        self.alert_banner.clicked.connect(lambda: self.show_page("Alerts"))
        self.alert_banner.hide()
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.alert_banner)
        right.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.navigation)
        layout.addLayout(right, 1)
        self.setCentralWidget(central)

        self.db_label = QLabel(self.tr("Database: {0}").format(db_label))
        self.db_label.setToolTip(secrets_note)
        self.engine_label = QLabel()
        self.engine = None
        self.engine_button = QPushButton(self.tr("Start the engine"))
        self.engine_button.setToolTip(self.tr("Start the embedded sync engine again (after it stopped)"))
        self.engine_button.clicked.connect(self.start_engine)
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.engine_label)
        self.statusBar().addPermanentWidget(self.engine_button)
        self.set_engine_state("stopped")
        # Ctrl+1..9 go to the pages in navigation order
        for row in range(min(len(self.pages), 9)):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{row + 1}"), self)
            shortcut.activated.connect(lambda row=row: self.navigation.setCurrentRow(row))
        # on every page: F5 reloads it from the store, Ctrl+F goes to its search box
        QShortcut(QKeySequence("F5"), self).activated.connect(lambda: self.stack.currentWidget().refresh())
        QShortcut(QKeySequence.StandardKey.Find, self).activated.connect(self.find)
        self.navigation.currentRowChanged.connect(self._page_shown)
        # count badges on Errors and Alerts: what wants the administrator's attention, from any page
        self._badges = QTimer(self, interval=BADGE_REFRESH_MS)
        self._badges.timeout.connect(lambda: self.isVisible() and self.update_badges())  # a closed window reads nothing
        self._badges.start()
        self.update_badges()
        self._build_menus()
        self.restore_state()

    def _build_menus(self) -> None:
        """File: Quit; Help: the user guide (F1) and About. Page actions stay on each page's toolbar."""
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = file_menu.addAction(icon("tabler/logout"), self.tr("&Quit"), QKeySequence.StandardKey.Quit)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # Quit has no standard key on Windows
        quit_action.triggered.connect(self.close)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        guide = help_menu.addAction(icon("tabler/help"), self.tr("&User guide"))
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)
        guide.triggered.connect(self.show_user_guide)
        about = help_menu.addAction(icon("tabler/info-circle"), self.tr("&About crmsync"))
        about.triggered.connect(lambda: show_about(self))
        self.menu_actions = {"quit": quit_action, "guide": guide, "about": about}
        self.user_guide = None

    def add_demo_help(self, faulty: dict[str, str], fixes: dict[str, str]) -> None:
        """Help → About this demo: the mailboxes broken on purpose, and how to put each right."""
        from html import escape

        rows = "".join(f"<li><b>{escape(address)}</b>: {escape(why)}<br>{escape(fixes.get(address, ''))}</li>"
                       for address, why in faulty.items())
        text = self.tr("<p>The demo's organization syncs with an Exchange sandbox in this process; nothing is kept "
                       "when the console closes. These mailboxes are broken on purpose:</p>") + f"<ul>{rows}</ul>"
        action = self.menuBar().actions()[-1].menu().addAction(self.tr("About this &demo"))
        action.triggered.connect(lambda: QMessageBox.information(self, self.tr("About this demo"), text))
        self.menu_actions["demo"] = action

    def show_user_guide(self) -> None:
        from crmsync_gui.ui.help_window import UserGuide

        if self.user_guide is None:
            self.user_guide = UserGuide(self)
        self.user_guide.show()
        self.user_guide.raise_()

    def find(self) -> None:
        """Ctrl+F: the page's search box; on a page without one (Dashboard, Migration), the mailbox search."""
        if not self.stack.currentWidget().find():
            self.show_page("Mailboxes")
            self.stack.currentWidget().find()

    def first_size(self) -> QSize:
        """1280×800, or the screen's free area when smaller (a 1280×720 or 1024×768 screen)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry().size() if screen is not None else QSize(1280, 800)
        return QSize(1280, 800).boundedTo(free)

    def _page_shown(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.pages[row].refresh()
            self.update_badges()

    def update_badges(self) -> None:
        counts = views.attention_counts()
        for row, page in enumerate(self.pages):
            count = counts.get(page.title, 0)
            badge = "" if not count else f"  ({count - 1}+)" if count >= views.BADGE_CAP else f"  ({count})"
            self.navigation.item(row).setText(translate("pages", page.title) + badge)
        alerts = counts["Alerts"]
        self.alert_banner.setVisible(alerts > 0)
        if alerts:
            newest = views.newest_alert()
            text = engine_message(newest.code, newest.args, newest.message) if newest is not None else ""
            self.alert_banner.setText(self.tr("%n alert(s) not yet acknowledged: {0}", "", alerts).format(
                text.splitlines()[0] if text else ""))

    def open_page(self, title: str, filters: dict) -> None:
        """Another page asked to show `title` filtered (e.g. a mailbox's errors)."""
        self.show_page(title)
        self.stack.currentWidget().apply_filter(filters)

    def restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        row = settings.value("main_window/page")
        if row is not None and str(row).isdigit() and int(row) < len(self.pages):
            self.navigation.setCurrentRow(int(row))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        settings = QSettings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/page", self.navigation.currentRow())
        super().closeEvent(event)

    def attach_bus(self, bus):
        """Follow an engine's EventBus: live dashboard, mailbox rows, engine state in the status bar."""
        from crmsync_gui.ui.event_bridge import EventBridge

        self.bridge = EventBridge(bus, self)
        self.bridge.engine_state.connect(self.set_engine_state)
        for page in self.pages:
            if hasattr(page, "attach"):
                page.attach(self.bridge)
            if hasattr(page, "on_mailbox_changed"):
                self.bridge.mailbox_changed.connect(page.on_mailbox_changed)
        return self.bridge

    def attach_engine(self, engine) -> None:
        """The embedded engine: pages with engine actions get it; they follow its state."""
        self.engine = engine
        self.set_engine_state(engine.state)
        for page in self.pages:
            if hasattr(page, "attach_engine"):
                page.attach_engine(engine)
                if getattr(self, "bridge", None) is not None and hasattr(page, "update_actions"):
                    self.bridge.engine_state.connect(lambda _state, page=page: page.update_actions())

    def set_engine_state(self, state: str) -> None:
        self.engine_label.setText(self.tr("Engine: {0}").format(translate("states", state)))
        self.engine_button.setVisible(self.engine is not None and state == "stopped")
        why = getattr(self.engine, "ended_unexpectedly", None)
        if state == "stopped" and why:
            self.statusBar().showMessage(self.tr("{0} Press “Start the engine” to start it again.").format(why))

    def start_engine(self) -> asyncio.Task:
        """Start the embedded engine (at launch, or again after its process ended); say in the status bar what
        went wrong, or which connectors it could not load."""
        return asyncio.ensure_future(self._start_engine())

    async def _start_engine(self) -> None:
        self.engine_button.setEnabled(False)
        try:
            await self.engine.stop()  # what is left of a process that ended unexpectedly
            await self.engine.start()
        except CrmSyncError as exc:
            self.statusBar().showMessage(str(exc))
            return
        finally:
            self.engine_button.setEnabled(True)
        if self.engine.connector_problems:
            self.statusBar().showMessage(self.tr("Some connectors are not available: {0}").format("; ".join(
                f"{name} ({why})" for name, why in self.engine.connector_problems.items())))

    def show_page(self, title: str) -> None:
        for row, page in enumerate(self.pages):
            if page.title == title:
                self.navigation.setCurrentRow(row)
                return
        raise KeyError(title)
