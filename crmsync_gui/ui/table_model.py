"""Table models over the store that load ids first and rows on demand (like Anki's browser).

`reload()` asks the subclass for the ordered ids of every matching row (one narrow query);
`data()` fetches rows a page at a time, only when the view shows them, and caches them.
Changing one record refreshes one row (`refresh_ids`), not the table.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

NO_PARENT = QModelIndex()


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English; translated in headerData (context "columns")
    sortable: bool = True
    width: int = 140  # pixels; lazy tables cannot size to their contents without reading every row
    stretch: bool = False  # shares the width the others leave (table_page.fit_columns)
    hidden: bool = False  # until the administrator shows it (the header's right-click menu)


class LazyTableModel(QAbstractTableModel):
    PAGE = 100
    columns: tuple[Column, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ids: list[int] = []
        self._rows: dict[int, object] = {}
        self._row_of: dict[int, int] = {}
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder

    # ---- for subclasses
    def fetch_ids(self) -> list[int]:
        raise NotImplementedError

    def fetch_rows(self, ids: list[int]) -> dict[int, object]:
        raise NotImplementedError

    def display(self, record, key: str) -> str:
        raise NotImplementedError

    def decorate(self, record, key: str, role: int):
        """Tooltips, colours, icons: None unless a subclass says otherwise."""
        return None

    # ---- Qt model
    def rowCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=NO_PARENT):
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return QCoreApplication.translate("columns", self.columns[section].title)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._ids) or index.column() >= len(self.columns):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.UserRole):
            return None
        record = self.record_at(index.row())
        if record is None:
            return None
        key = self.columns[index.column()].key
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(record, key)
        return self.decorate(record, key, role)

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        self.sort_column, self.sort_order = column, order
        self.reload()

    # ---- loading
    @property
    def sort_key(self) -> str:
        return self.columns[self.sort_column].key

    @property
    def descending(self) -> bool:
        return self.sort_order == Qt.SortOrder.DescendingOrder

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = self.fetch_ids()
        self._row_of = {row_id: n for n, row_id in enumerate(self._ids)}
        self._rows.clear()
        self.endResetModel()

    def record_at(self, row: int):
        row_id = self._ids[row]
        if row_id not in self._rows:
            start = row - row % self.PAGE
            page = [i for i in self._ids[start:start + self.PAGE] if i not in self._rows]
            self._rows.update(self.fetch_rows(page))
        return self._rows.get(row_id)  # None when deleted since reload

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, row_id: int) -> int | None:
        return self._row_of.get(row_id)

    def refresh_ids(self, ids, shown: range | None = None) -> None:
        """Re-read these records (their values changed, not their order). Views repaint the changed rows
        within `shown` (default: all of them); the others are read afresh when they come into view."""
        for row_id in ids:
            self._rows.pop(row_id, None)
            row = self._row_of.get(row_id)
            if row is not None and (shown is None or row in shown):
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def loaded_count(self) -> int:
        return len(self._rows)
