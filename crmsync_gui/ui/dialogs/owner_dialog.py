"""The user (or queue) dialog: General, Synchronization (sync filters) and Email (tracking) tabs."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain import sync_filters as sf
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.store import filter_queries
from crmsync_gui.core.store.models import CrmQueue, CrmUser, FolderTrackingRule
from crmsync_gui.ui.dialogs.common import FieldRow, save_cancel_buttons
from crmsync_gui.ui.labels import code_label, fill_combo, problems, select_data
from crmsync_gui.ui.widgets.filter_editor import FilterEditor

REGARDING = {"": "", "account": QT_TRANSLATE_NOOP("OwnerDialog", "Account"),
             "contact": QT_TRANSLATE_NOOP("OwnerDialog", "Contact"), "lead": QT_TRANSLATE_NOOP("OwnerDialog", "Lead")}


class OwnerDialog(QDialog):
    def __init__(self, owner: CrmUser | CrmQueue, parent=None):
        super().__init__(parent)
        self.owner = owner
        self.is_user = isinstance(owner, CrmUser)
        self.setObjectName("owner-dialog")
        name = owner.full_name if self.is_user else owner.name
        self.setWindowTitle(self.tr("User: {0}").format(name) if self.is_user else self.tr("Queue: {0}").format(name))
        self.mailbox = admin.current_mailbox_of(owner)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(name), self.tr("General"))
        self.filter_editors: dict[sf.Entity, FilterEditor] = {}
        if self.is_user:
            self.tabs.addTab(self._sync_tab(), self.tr("Synchronization"))
        self.tabs.addTab(self._email_tab(), self.tr("Email"))
        self.problem = QLabel()
        self.problem.setObjectName("dialog-problem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        self.buttons = save_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(900, 600)

    # ---- tabs
    def _general_tab(self, name: str) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.rows = {}
        self.name = QLineEdit(name)
        self.email = QLineEdit(self.owner.email)
        self.rows["full_name" if self.is_user else "name"] = FieldRow(self.name)
        self.rows["email"] = FieldRow(self.email)
        form.addRow(self.tr("Name"), self.rows["full_name" if self.is_user else "name"])
        form.addRow(self.tr("Email address"), self.rows["email"])
        if self.is_user:
            self.disabled = QCheckBox(self.tr("Disabled (signs in no more; its mailbox stops syncing)"))
            self.disabled.setChecked(self.owner.is_disabled)
            form.addRow("", self.disabled)
        mailbox = self.tr("{0} <{1}>").format(self.mailbox.name, self.mailbox.email) if self.mailbox \
            else self.tr("none — map one from the Mailboxes page")
        form.addRow(self.tr("Mailbox"), QLabel(mailbox))
        return page

    def _sync_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(self.tr("Which contacts, appointments and tasks this user's mailbox syncs. "
                              "No active query for an entity means none of it syncs."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.entity_tabs = QTabWidget()
        admin.copy_templates_to_user(self.owner)  # once per user: the org defaults
        for entity in sf.Entity:
            editor = FilterEditor(entity, self.owner.id)
            editor.load(filter_queries.user_filters(self.owner, entity))
            self.filter_editors[entity] = editor
            self.entity_tabs.addTab(editor, code_label(codes.SyncEntity, entity))
        layout.addWidget(self.entity_tabs, 1)
        reset = QPushButton(self.tr("Reset to org defaults"))
        reset.setObjectName("reset-filters")
        reset.clicked.connect(self.reset_filters)
        dry_run = QPushButton(self.tr("Dry run…"))
        dry_run.setObjectName("dry-run")
        dry_run.setToolTip(self.tr("What saving these queries would create and delete in this user's Exchange "
                                   "mailbox; nothing is saved"))
        dry_run.clicked.connect(self.dry_run)
        row = QHBoxLayout()
        row.addWidget(dry_run)
        row.addStretch(1)
        row.addWidget(reset)
        layout.addLayout(row)
        return page

    def _email_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        form = QFormLayout()
        self.tracking = QComboBox()
        self.tracking.setObjectName("tracking-option")
        fill_combo(self.tracking, codes.TrackingOption)
        select_data(self.tracking, int(self.owner.tracking_option))
        form.addRow(self.tr("Track incoming email"), self.tracking)
        layout.addLayout(form)
        box_label = QLabel(self.tr("Folders under Inbox whose email is tracked (at most {0}), each optionally "
                                   "regarding a record:").format(codes.MAX_TRACKED_FOLDERS))
        box_label.setWordWrap(True)
        layout.addWidget(box_label)
        self.folders = QTableWidget(0, 3)
        self.folders.setObjectName("folder-rules")
        self.folders.setHorizontalHeaderLabels([self.tr("Folder"), self.tr("Regarding"), self.tr("Record id")])
        self.folders.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.folders.verticalHeader().hide()
        layout.addWidget(self.folders, 1)
        self.add_folder_button = QPushButton(self.tr("Add folder"))
        self.add_folder_button.clicked.connect(lambda: self.add_folder())
        self.remove_folder_button = QPushButton(self.tr("Remove folder"))
        self.remove_folder_button.clicked.connect(self.remove_folder)
        row = QHBoxLayout()
        row.addWidget(self.add_folder_button)
        row.addWidget(self.remove_folder_button)
        row.addStretch(1)
        layout.addLayout(row)
        if self.mailbox is None:
            for w in (self.folders, self.add_folder_button, self.remove_folder_button):
                w.setEnabled(False)
            layout.addWidget(QLabel(self.tr("Folder tracking needs a mailbox mapped to this owner.")))
        else:
            for rule in FolderTrackingRule.select().where(FolderTrackingRule.mailbox == self.mailbox.id) \
                    .order_by(FolderTrackingRule.id):
                self.add_folder(rule.folder, rule.regarding_type or "", rule.regarding_id)
        self._update_folder_buttons()
        return page

    # ---- folder rules
    def add_folder(self, folder: str = "", regarding: str = "", record_id: int | None = None) -> None:
        if self.folders.rowCount() >= codes.MAX_TRACKED_FOLDERS:
            return
        r = self.folders.rowCount()
        self.folders.insertRow(r)
        self.folders.setCellWidget(r, 0, QLineEdit(folder))
        kind = QComboBox()
        for key in REGARDING:
            kind.addItem(QCoreApplication.translate("OwnerDialog", REGARDING[key]) if key else self.tr("(nothing)"), key)
        select_data(kind, regarding)
        record = QSpinBox()
        record.setRange(0, 2_000_000_000)
        record.setSpecialValueText(self.tr("(none)"))
        record.setValue(record_id or 0)
        self.folders.setCellWidget(r, 1, kind)
        self.folders.setCellWidget(r, 2, record)
        self._update_folder_buttons()

    def remove_folder(self) -> None:
        row = self.folders.currentRow() if self.folders.currentRow() >= 0 else self.folders.rowCount() - 1
        if row >= 0:
            self.folders.removeRow(row)
        self._update_folder_buttons()

    def _update_folder_buttons(self) -> None:
        if self.mailbox is not None:
            self.add_folder_button.setEnabled(self.folders.rowCount() < codes.MAX_TRACKED_FOLDERS)
            self.remove_folder_button.setEnabled(self.folders.rowCount() > 0)

    def folder_rules(self) -> list[dict]:
        rules = []
        for r in range(self.folders.rowCount()):
            kind = self.folders.cellWidget(r, 1).currentData()
            record_id = self.folders.cellWidget(r, 2).value()
            rules.append({"folder": self.folders.cellWidget(r, 0).text(), "regarding_type": kind or None,
                          "regarding_id": record_id or None})
        return rules

    # ---- actions
    def reset_filters(self) -> None:
        entity = list(sf.Entity)[self.entity_tabs.currentIndex()]
        answer = QMessageBox.question(
            self, self.tr("Reset sync filters?"),
            self.tr("Replace this user's {0} queries with the organization's defaults?").format(
                code_label(codes.SyncEntity, entity).lower()),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.filter_editors[entity].load(admin.org_templates(entity))

    def dry_run(self) -> list[str] | None:
        """Show what the queries as edited would create and delete in Exchange at the next sync; None when a
        query is not valid (the editor says why)."""
        from crmsync_gui.core.admin.exchange_changes import of_filters
        from crmsync_gui.ui.dialogs.dry_run import dry_run_lines

        try:
            sets = {entity: editor.rule_sets() for entity, editor in self.filter_editors.items()}
        except ValidationError:
            for editor in self.filter_editors.values():
                editor.preview()  # the invalid one shows its reason
            return None
        lines = dry_run_lines(of_filters(self.owner, sets))
        QMessageBox.information(self, self.tr("Dry run: nothing was saved"),
                                self.tr("When you save, the next sync of this user's mailbox:") + "\n\n"
                                + "\n".join(f"• {line}" for line in lines))
        return lines

    def save(self) -> None:
        self.problem.clear()
        for row in self.rows.values():
            row.set_reason("")
        fields = {"email": self.email.text(), "tracking_option": self.tracking.currentData()}
        fields["full_name" if self.is_user else "name"] = self.name.text()
        if self.is_user:
            fields["is_disabled"] = self.disabled.isChecked()
        try:
            admin.save_owner_settings(
                self.owner, fields, filters={entity: editor.filters() for entity, editor in self.filter_editors.items()},
                mailbox=self.mailbox, folder_rules=self.folder_rules() if self.mailbox is not None else None)
        except ValidationError as exc:  # nothing was saved, and the owner object keeps none of the refused values
            shown = False
            for key, reason in exc.problems.items():
                if key in self.rows:
                    self.rows[key].set_reason(reason)
                    shown = True
            if not shown:
                self.problem.setText(problems(exc))
            return
        self.accept()
