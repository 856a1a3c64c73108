"""The sync filter editor for one entity: saved queries (OR-ed) on the left, a rule builder on the right."""
from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store import filter_queries


class RuleValueEdit(QLineEdit):
    """A rule's value. Enter previews the queries; it never reaches the dialog's OK (pressing Enter in a rule
    used to save and close the whole user dialog, with whatever the rules said then)."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().keyPressEvent(event)  # emits returnPressed
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class FilterEditor(QWidget):
    """Edits one user's filters for one entity in memory; `filters()` gives what to save."""

    changed = Signal()

    def __init__(self, entity: sf.Entity, user_id: int, parent=None):
        super().__init__(parent)
        self.entity = sf.Entity(entity)
        self.user_id = user_id
        self._filters: list[dict] = []  # {"name", "active", "rules": [{"field", "operator", "value"}]}
        self._loading = False
        self._current: int | None = None  # the query whose rules the table shows

        self.list = QListWidget()
        self.list.setObjectName("filter-list")
        self.list.currentRowChanged.connect(self._show_rules)
        self.list.itemChanged.connect(self._item_edited)
        add_filter = QPushButton(QCoreApplication.translate("FilterEditor", "Add query"))
        add_filter.clicked.connect(self.add_filter)
        self.remove_filter_button = QPushButton(QCoreApplication.translate("FilterEditor", "Remove query"))
        self.remove_filter_button.clicked.connect(self.remove_filter)
        left = QVBoxLayout()
        left.addWidget(QLabel(QCoreApplication.translate("FilterEditor", "Saved queries (a record syncs when any active one matches):")))
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(add_filter)
        row.addWidget(self.remove_filter_button)
        left.addLayout(row)

        self.rules = QTableWidget(0, 3)
        self.rules.setObjectName("rule-table")
        self.rules.setHorizontalHeaderLabels([QCoreApplication.translate("FilterEditor", "Field"), QCoreApplication.translate("FilterEditor", "Operator"), QCoreApplication.translate("FilterEditor", "Value")])
        self.rules.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rules.verticalHeader().hide()
        self.add_rule_button = QPushButton(QCoreApplication.translate("FilterEditor", "Add rule"))
        self.add_rule_button.clicked.connect(lambda: self.add_rule())
        self.remove_rule_button = QPushButton(QCoreApplication.translate("FilterEditor", "Remove rule"))
        self.remove_rule_button.clicked.connect(self.remove_rule)
        self.rules_box = QGroupBox(QCoreApplication.translate("FilterEditor", "Rules (all must match)"))
        right = QVBoxLayout(self.rules_box)
        right.addWidget(self.rules, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_rule_button)
        row.addWidget(self.remove_rule_button)
        right.addLayout(row)

        self.problem = QLabel()
        self.problem.setObjectName("filter-problem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        self.preview_button = QPushButton(QCoreApplication.translate("FilterEditor", "Preview"))
        self.preview_button.clicked.connect(self.preview)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("preview")

        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(self.rules_box, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.preview_button)
        bottom.addWidget(self.preview_label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.problem)
        layout.addLayout(bottom)
        self._update_buttons()

    # ---- loading and reading
    def load(self, rows: list) -> None:
        """From SyncFilter rows (or dicts with name/active/rules)."""
        self._filters = []
        for row in rows:
            if isinstance(row, dict):
                self._filters.append(row)
            else:
                self._filters.append({"name": row.name, "active": row.is_active, "rules": json.loads(row.rules)})
        self._loading = True
        self._current = None
        self.list.clear()
        for f in self._filters:
            self.list.addItem(self._make_item(f))
        self._loading = False
        self.list.setCurrentRow(0 if self._filters else -1)
        self._show_rules(self.list.currentRow())
        self.preview()  # queries that match nothing are flagged as the dialog opens

    def _make_item(self, f: dict) -> QListWidgetItem:
        item = QListWidgetItem(f["name"])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if f["active"] else Qt.CheckState.Unchecked)
        return item

    def filters(self) -> list[tuple[str, list, bool]]:
        self._store_rules()
        return [(f["name"], f["rules"], f["active"]) for f in self._filters]

    def rule_sets(self) -> list[list[sf.Rule]]:
        """The active queries' rules, validated (ValidationError names what is wrong)."""
        return [sf.parse_rules(rules, self.entity) for _name, rules, active in self.filters() if active]

    # ---- editing queries
    def add_filter(self) -> None:
        self._store_rules()
        f = {"name": QCoreApplication.translate("FilterEditor", "New query {0}").format(len(self._filters) + 1), "active": True, "rules": []}
        self._filters.append(f)
        self.list.addItem(self._make_item(f))
        self.list.setCurrentRow(len(self._filters) - 1)
        self.add_rule()
        self.changed.emit()

    def remove_filter(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self._current = None
        del self._filters[row]
        self.list.takeItem(row)
        self._show_rules(self.list.currentRow())
        self.changed.emit()

    def _item_edited(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        row = self.list.row(item)
        self._filters[row]["name"] = item.text()
        self._filters[row]["active"] = item.checkState() == Qt.CheckState.Checked
        self.changed.emit()

    # ---- the rule builder
    def _show_rules(self, row: int) -> None:
        self._store_rules()  # keep what was typed for the query being left
        self._current = row if 0 <= row < len(self._filters) else None
        self.rules.setRowCount(0)
        if self._current is not None:
            for rule in self._filters[self._current]["rules"]:
                self.add_rule(rule, store=False)
        self._update_buttons()

    def _store_rules(self) -> None:
        if self._current is None or self._current >= len(self._filters):
            return
        rules = []
        for r in range(self.rules.rowCount()):
            field = self.rules.cellWidget(r, 0).currentData()
            operator = self.rules.cellWidget(r, 1).currentData()
            value = self.rules.cellWidget(r, 2).text().strip()
            rules.append({"field": field, "operator": operator,
                          "value": None if operator in sf.NO_VALUE else value})
        self._filters[self._current]["rules"] = rules

    def add_rule(self, rule: dict | None = None, store: bool = True) -> None:
        if self._current is None:
            return
        fields = sf.fields_for(self.entity)
        rule = rule or {"field": fields[0].name, "operator": "eq", "value": sf.ME}
        r = self.rules.rowCount()
        self.rules.insertRow(r)
        field_box = QComboBox()
        for f in fields:
            field_box.addItem(QCoreApplication.translate("sync filter fields", f.label), f.name)
        operator_box = QComboBox()
        value = rule.get("value")
        value_edit = RuleValueEdit("" if value is None else ("yes" if value else "no") if isinstance(value, bool)
                                   else str(value))
        value_edit.returnPressed.connect(self.preview)
        value_edit.setPlaceholderText(QCoreApplication.translate("FilterEditor", "value"))

        def fill_operators() -> None:
            kind = fields[field_box.currentIndex()].kind
            current = operator_box.currentData()
            operator_box.blockSignals(True)
            operator_box.clear()
            for key in sf.operators_for(kind):
                operator_box.addItem(QCoreApplication.translate("sync filter operators", sf.OPERATORS[key][0]), key)
            index = operator_box.findData(current)
            operator_box.setCurrentIndex(max(index, 0))
            operator_box.blockSignals(False)
            value_edit.setEnabled(operator_box.currentData() not in sf.NO_VALUE)
            hint = {"user": QCoreApplication.translate("FilterEditor", "@me (this user) or a user id"), "bool": QCoreApplication.translate("FilterEditor", "yes or no"),
                    "date": QCoreApplication.translate("FilterEditor", "2026-01-31, or a number of days"), "number": QCoreApplication.translate("FilterEditor", "a number")}
            value_edit.setPlaceholderText(hint.get(kind, QCoreApplication.translate("FilterEditor", "text")))

        field_box.setCurrentIndex(max(field_box.findData(rule["field"]), 0))
        fill_operators()
        operator_box.setCurrentIndex(max(operator_box.findData(rule["operator"]), 0))
        value_edit.setEnabled(operator_box.currentData() not in sf.NO_VALUE)
        field_box.currentIndexChanged.connect(fill_operators)
        operator_box.currentIndexChanged.connect(
            lambda _i: value_edit.setEnabled(operator_box.currentData() not in sf.NO_VALUE))
        for widget in (field_box, operator_box):
            widget.currentIndexChanged.connect(lambda _i: self.changed.emit())
        value_edit.textChanged.connect(lambda _t: self.changed.emit())
        self.rules.setCellWidget(r, 0, field_box)
        self.rules.setCellWidget(r, 1, operator_box)
        self.rules.setCellWidget(r, 2, value_edit)
        if store:
            self._store_rules()
            self.changed.emit()
        self._update_buttons()

    def remove_rule(self) -> None:
        row = self.rules.currentRow() if self.rules.currentRow() >= 0 else self.rules.rowCount() - 1
        if row >= 0:
            self.rules.removeRow(row)
            self._store_rules()
            self.changed.emit()
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_filter = self._current is not None
        self.remove_filter_button.setEnabled(has_filter)
        self.add_rule_button.setEnabled(has_filter)
        self.remove_rule_button.setEnabled(has_filter and self.rules.rowCount() > 0)

    # ---- preview
    def preview(self) -> int | None:
        """Count the records the queries as edited match now; show a reason instead when they are invalid."""
        try:
            sets = self.rule_sets()
        except ValidationError as exc:
            self.problem.setText(str(exc))
            self.preview_label.clear()
            return None
        self.problem.clear()
        count = filter_queries.preview_count(self.user_id, self.entity, sets)
        self.preview_label.setText(self.preview_text(count))
        self.preview_label.setStyleSheet("" if count else "color: #b00020; font-weight: bold;")
        return count


    def preview_text(self, count: int) -> str:
        """How many records the queries match, or the warning that none of them will sync."""
        if self.entity == sf.Entity.CONTACT:
            return (self.tr("%n contact(s) match now.", "", count) if count else
                    self.tr("No contacts match: none will sync with this user's mailbox."))
        if self.entity == sf.Entity.APPOINTMENT:
            return (self.tr("%n appointment(s) match now.", "", count) if count else
                    self.tr("No appointments match: none will sync with this user's mailbox."))
        return (self.tr("%n task(s) match now.", "", count) if count else
                self.tr("No tasks match: none will sync with this user's mailbox."))
