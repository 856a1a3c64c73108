"""A page whose content is a toolbar, a filter box and one lazy table: the shape most pages share."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.ui.pages.base import Page
from crmsync_gui.ui.resources import icon

# the Tabler icon of each toolbar action, by the action's key (one name per meaning across the pages)
ACTION_ICONS = {
    "new": "plus", "new_user": "user-plus", "new_queue": "users-plus", "edit": "pencil", "delete": "trash",
    "approve": "circle-check", "reject": "circle-x", "test_enable": "plug-connected", "enable": "player-play",
    "disable": "player-pause", "sync_now": "refresh", "reenable": "rotate-clockwise", "errors": "list-details",
    "mailboxes": "mail", "profile": "server", "acknowledge": "check",
}


def record_table(model) -> QTableView:
    """A sortable, multi-select table of records with one line per row, as every lazy table here shows."""
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fit_columns(table: QTableView, columns, name: str) -> None:
    """Columns that fit a 1280-pixel window without scrolling sideways: each at its width (or its header's, so
    no title is cut in either language), the `stretch` ones sharing what is left. The header's right-click menu
    shows or hides each column; `hidden` ones start hidden, and the choice is kept (settings "columns/NAME")."""
    header = table.horizontalHeader()
    stretching = any(c.stretch for c in columns)
    header.setStretchLastSection(not stretching)
    header.setMinimumSectionSize(60)
    for n, c in enumerate(columns):
        if c.stretch:
            header.setSectionResizeMode(n, QHeaderView.ResizeMode.Stretch)
        else:
            table.setColumnWidth(n, max(c.width, header.sectionSizeHint(n)))
    settings_key = f"columns/{name}"
    keys = [c.key for c in columns]
    hidden = QSettings().value(settings_key)
    hidden = set(hidden if isinstance(hidden, list) else [hidden] if hidden else []) if hidden is not None \
        else {c.key for c in columns if c.hidden}
    for n, key in enumerate(keys):
        header.setSectionHidden(n, key in hidden)

    def show_menu(position) -> None:
        menu = QMenu(header)
        menu.setObjectName("columns-menu")
        for n, c in enumerate(columns):
            action = menu.addAction(QCoreApplication.translate("columns", c.title))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(n))
            action.toggled.connect(lambda shown, n=n: choose(n, shown))
        header.columns_menu = menu  # kept for tests, which cannot click a popup
        menu.popup(header.mapToGlobal(position))

    def choose(n: int, shown: bool) -> None:
        header.setSectionHidden(n, not shown)
        QSettings().setValue(settings_key, [k for i, k in enumerate(keys) if header.isSectionHidden(i)] or "")

    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(show_menu)


def action_toolbar() -> QToolBar:
    toolbar = QToolBar()
    toolbar.setIconSize(QSize(18, 18))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return toolbar


def add_page_action(page: Page, toolbar: QToolBar, key: str, text: str, shortcut, slot):
    """A toolbar action with its icon, its shortcut while the page has the focus, in page.actions[key]."""
    action = toolbar.addAction(icon(f"tabler/{ACTION_ICONS.get(key, '')}"), text)  # an unknown key: no icon
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(slot)
    page.addAction(action)
    page.actions[key] = action
    return action


def offer_context_menu(table: QTableView, actions: dict) -> None:
    """Right-click on a row: the page's actions for it (the row is selected first, as Explorer does)."""
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(position) -> None:
        index = table.indexAt(position)
        if index.isValid() and not table.selectionModel().isRowSelected(index.row(), index.parent()):
            table.selectRow(index.row())
        menu = QMenu(table)
        menu.setObjectName("context-menu")
        for action in actions.values():
            menu.addAction(action)
        table.context_menu = menu  # kept for tests, which cannot click a popup
        menu.popup(table.viewport().mapToGlobal(position))

    table.customContextMenuRequested.connect(show)


class TablePage(Page):
    filter_hint = "Filter (Ctrl+F)"

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.toolbar = action_toolbar()
        self.actions: dict[str, object] = {}
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(QCoreApplication.translate("pages", self.filter_hint))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(280)
        self._filter_timer = QTimer(self, singleShot=True, interval=200)
        self._filter_timer.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.search_field = self.filter_edit
        top = QHBoxLayout()
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.filter_edit)
        self.body_layout.addLayout(top)

        self.table = record_table(model)
        fit_columns(self.table, model.columns, type(self).__name__)
        self.table.selectionModel().selectionChanged.connect(self.update_actions)
        offer_context_menu(self.table, self.actions)
        self.body_layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.body_layout.addWidget(self.count_label)
        self.set_content(body)

    def add_action(self, key: str, text: str, shortcut, slot):
        return add_page_action(self, self.toolbar, key, text, shortcut, slot)

    def selected_ids(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def select_id(self, row_id) -> None:
        row = self.model.row_of(row_id)
        if row is not None:
            self.table.selectRow(row)

    def update_actions(self) -> None:
        """Enable actions for the selection; pages override."""
