"""A page whose content is a toolbar, a filter box and one lazy table: the shape most pages share."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.ui.pages.base import Page


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


class TablePage(Page):
    filter_hint = "Filter (Ctrl+F)"

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.model = model
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.toolbar = QToolBar()
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
        for column, c in enumerate(model.columns):
            self.table.setColumnWidth(column, c.width)
        self.table.selectionModel().selectionChanged.connect(self.update_actions)
        self.body_layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.body_layout.addWidget(self.count_label)
        self.set_content(body)

    def add_action(self, key: str, text: str, shortcut, slot):
        action = self.toolbar.addAction(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions[key] = action
        return action

    def selected_ids(self) -> list:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def select_id(self, row_id) -> None:
        row = self.model.row_of(row_id)
        if row is not None:
            self.table.selectRow(row)

    def update_actions(self) -> None:
        """Enable actions for the selection; pages override."""
