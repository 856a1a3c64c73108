"""The Migration page and its wizard: bring an Email Router configuration over.

The wizard only shows and asks; reading, planning and applying are
`core.migration`'s, so the command line and the console behave alike.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from crmsync_gui.core import codes
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.core.migration import MAX_ROUTERS, apply_plan, last_run, plan_migration
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.ui.pages.base import Page

_ACTION = {"create": "Create", "update": "Update", "unchanged": "Unchanged", "skip": "Not created"}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip or text)
    return item


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _bullets(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def _attention_list(name: str) -> QListWidget:
    """One item a line of advice; read-only, so nothing looks selected."""
    items = QListWidget()
    items.setObjectName(name)
    items.setWordWrap(True)
    items.setSpacing(3)
    items.setAlternatingRowColors(True)
    items.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    items.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return items


class SourcesPage(QWizardPage):
    """Choose the routers' folders or files; the plan is made when leaving the page."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Choose the Email Router configurations"))
        self.setSubTitle(self.tr("Add each router's configuration folder (it holds Microsoft.Crm.Tools.EmailAgent.xml, "
                                 "the SystemState file and EncryptionKey.xml), or a folder of such folders. "
                                 "Up to {0} routers, 32 MB in all.").format(MAX_ROUTERS))
        self.paths = QListWidget()
        self.paths.setObjectName("migration-paths")
        add_folder = QPushButton(self.tr("Add folder…"))
        add_files = QPushButton(self.tr("Add files…"))
        self.remove = QPushButton(self.tr("Remove"))
        add_folder.clicked.connect(self._choose_folder)
        add_files.clicked.connect(self._choose_files)
        self.remove.clicked.connect(self._remove_selected)
        self.remove.setEnabled(False)
        self.paths.itemSelectionChanged.connect(
            lambda: self.remove.setEnabled(bool(self.paths.selectedItems())))
        buttons = QVBoxLayout()
        for button in (add_folder, add_files, self.remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.paths, 1)
        row.addLayout(buttons)
        self.error = _note()
        self.error.setObjectName("migration-error")
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.error)

    def add_paths(self, paths: list[str]) -> None:
        present = {self.paths.item(i).text() for i in range(self.paths.count())}
        for path in paths:
            if path and path not in present:
                self.paths.addItem(path)
                present.add(path)
        self.error.hide()
        self.completeChanged.emit()

    def chosen(self) -> list[str]:
        return [self.paths.item(i).text() for i in range(self.paths.count())]

    def isComplete(self) -> bool:
        return self.paths.count() > 0

    def validatePage(self) -> bool:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # thousands of mailboxes take seconds
        try:
            self.wizard().plan = plan_migration(self.chosen())
        except CrmSyncError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.wizard().confirmed.clear()
        return True

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Email Router configuration folder"))
        self.add_paths([folder])

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Email Router files"), "",
                                                self.tr("Email Router files (*.xml)"))
        self.add_paths(files)

    def _remove_selected(self) -> None:
        for item in self.paths.selectedItems():
            self.paths.takeItem(self.paths.row(item))
        self.completeChanged.emit()


class ProfilesPage(QWizardPage):
    HEADERS = ["Action", "Profile", "Type", "Incoming server", "Outgoing server", "Signs in as", "Password"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Review the email server profiles"))
        self.setSubTitle(self.tr("Each server's incoming and outgoing router profiles become one email server "
                                 "profile. Passwords are not carried over: profiles marked below need them."))
        self.table = _table([self.tr(h) for h in self.HEADERS])
        self.table.horizontalHeader().setStretchLastSection(False)  # the server URL gives way; its tooltip is whole
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.merged = _note()
        self.merged.setObjectName("migration-merged")
        self.notes = _note()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.merged)
        layout.addWidget(self.notes)

    def initializePage(self) -> None:
        plan = self.wizard().plan
        self.table.setRowCount(len(plan.profiles))
        for row, p in enumerate(plan.profiles):
            values = [self.tr(_ACTION[p.action]), p.name, codes.ServerType(p.server_type).label, p.incoming_server,
                      p.outgoing_server or "—", p.username or self.tr("each mailbox's own account"),
                      self.tr("Needed") if p.needs_credentials else self.tr("Kept")]
            for column, value in enumerate(values):
                self.table.setItem(row, column, _item(value, p.problem if column == 0 else ""))
        merged = [f"{p.name} ← {'; '.join(p.sources)}" + (
            self.tr(". Processes email from {0} UTC, the router's earliest last poll").format(
                f"{p.process_email_from:%Y-%m-%d %H:%M}") if p.process_email_from else "") for p in plan.profiles]
        self.merged.setText(self.tr("Made from the router's profiles:") + _bullets(merged))
        problems = [f"{p.name}: {p.problem}" for p in plan.profiles if p.problem]
        self.notes.setText(self.tr("Not created:") + _bullets(problems) if problems else "")
        self.notes.setVisible(bool(problems))


class MailboxesPage(QWizardPage):
    HEADERS = ["Action", "Mailbox", "Owner", "Profile", "Remap", "Note"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Review the mailboxes and their owners"))
        self.setSubTitle(self.tr("Each mailbox is mapped to the CRM user or queue the router named, found by id or "
                                 "email address; users and queues the CRM lacks are created. A user or queue that "
                                 "already has another mailbox is remapped only when you tick Remap."))
        self.table = _table([self.tr(h) for h in self.HEADERS])
        self.table.itemChanged.connect(self._remap_toggled)
        self.unmapped = QListWidget()
        self.unmapped.setObjectName("migration-unmapped")
        self.unmapped.setWordWrap(True)
        self.unmapped_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.unmapped_label)
        layout.addWidget(self.unmapped, 1)
        self.ask = self._ask  # replaced in tests, where no dialog can be answered

    def initializePage(self) -> None:
        plan = self.wizard().plan
        self.table.blockSignals(True)
        self.table.setRowCount(len(plan.mailboxes))
        for row, m in enumerate(plan.mailboxes):
            owner, owner_tip = self.tr("no owner"), ""
            if m.owner is not None:
                new = self.tr(", new") if m.owner.action == "create" else ""
                owner, owner_tip = f"{m.owner.name} ({self.tr(m.owner.kind)}{new})", m.owner.label
            for column, value in enumerate([self.tr(_ACTION[m.action]), m.email, owner, m.profile or "—"]):
                self.table.setItem(row, column, _item(value, owner_tip if column == 2 else ""))
            remap = _item("" if m.conflict else "—", m.conflict)
            if m.conflict:
                remap.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                checked = m.email in self.wizard().confirmed
                remap.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                remap.setText(self.tr("Remap"))
            remap.setData(Qt.ItemDataRole.UserRole, m.email)
            self.table.setItem(row, 4, remap)
            note = m.conflict or (self.tr("Router's last error: {0}").format(m.router_last_error)
                                  if m.router_last_error else "")
            self.table.setItem(row, 5, _item(note[:1].upper() + note[1:]))
        self.table.blockSignals(False)
        self.unmapped.clear()
        for entry in plan.unmapped:
            self.unmapped.addItem(f"{entry.email}: {entry.reason}")
        self.unmapped_label.setText(self.tr("Without an owner ({0}); map them after the migration:")
                                    .format(len(plan.unmapped)) if plan.unmapped else self.tr("Every mailbox has an owner."))
        self.unmapped.setVisible(bool(plan.unmapped))

    def remap_item(self, email: str) -> QTableWidgetItem | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 4)
            if item.data(Qt.ItemDataRole.UserRole) == email:
                return item
        return None

    def _remap_toggled(self, item: QTableWidgetItem) -> None:
        if item.column() != 4 or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        email = item.data(Qt.ItemDataRole.UserRole)
        confirmed = self.wizard().confirmed
        if item.checkState() == Qt.CheckState.Checked:
            if email in confirmed:
                return
            conflict = next(m.conflict for m in self.wizard().plan.mailboxes if m.email == email)
            if self.ask(conflict):
                confirmed.add(email)
            else:
                self.table.blockSignals(True)
                item.setCheckState(Qt.CheckState.Unchecked)  # "No" changes nothing
                self.table.blockSignals(False)
        else:
            confirmed.discard(email)

    def _ask(self, conflict: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Remap the mailbox?"),
                                      self.tr("{0}.\n\nYes breaks the old mapping and makes the new one; "
                                              "No changes nothing.").format(conflict[:1].upper() + conflict[1:]))
        return answer == QMessageBox.StandardButton.Yes


class SummaryPage(QWizardPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Summary"))
        self.setSubTitle(self.tr("Nothing has changed yet. Migrate applies all of this in one transaction; "
                                 "running it again later changes nothing that is already in place."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Migrate"))
        self.text = QTextBrowser()
        self.text.setObjectName("migration-summary")
        QVBoxLayout(self).addWidget(self.text)

    def initializePage(self) -> None:
        plan, confirmed = self.wizard().plan, self.wizard().confirmed
        counts = plan.counts()
        parts = [self.tr("<p><b>{0}</b> to create, <b>{1}</b> to update, <b>{2}</b> unchanged "
                         "(profiles, mailboxes, users and queues), from {3}.</p>")
                 .format(counts["created"], counts["updated"], counts["unchanged"], html.escape(", ".join(plan.routers)))]
        parts.append(self.tr("<p>{0} profile(s), {1} mailbox(es); {2} without an owner.</p>")
                     .format(len([p for p in plan.profiles if p.action != "skip"]), len(plan.mailboxes),
                             len([u for u in plan.unmapped if u.mailbox_created])))
        unmapped = [f"{u.email}: {u.reason}" for u in plan.unmapped]
        remaps = [f"{m.email}: {m.conflict} — " + (self.tr("will be remapped") if m.email in confirmed
                                                    else self.tr("left as it is"))
                  for m in plan.conflicts]
        needs = [f"{p.name}: {', '.join(p.accounts) or p.username or ''}" for p in plan.profiles if p.needs_credentials]
        for title, items in ((self.tr("Remaps"), remaps), (self.tr("Without an owner"), unmapped),
                             (self.tr("Profiles that will need credentials"), needs),
                             (self.tr("Warnings"), plan.warnings),
                             (self.tr("Unknown elements (ignored)"),
                              [f"{u['router']}/{u['element']} ×{u['count']}" for u in plan.unknown_elements])):
            if items:
                parts.append(f"<h4>{title}</h4>" + _bullets(items))
        self.text.setHtml("".join(parts))


class RunPage(QWizardPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Migrating"))
        self.setSubTitle(self.tr("Profiles, owners and mailboxes are written in one transaction."))
        self.progress = QProgressBar()
        self.status = _note()
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.done = False

    def initializePage(self) -> None:
        self.done = False
        self.progress.setValue(0)
        self.status.setText(self.tr("Starting…"))
        QTimer.singleShot(0, self._run)

    def isComplete(self) -> bool:
        return self.done

    def _run(self) -> None:
        wizard = self.wizard()
        try:
            wizard.outcome = apply_plan(wizard.plan, confirm=set(wizard.confirmed), progress=self._progress)
        except CrmSyncError as exc:
            self.status.setText(self.tr("The migration failed and nothing was changed: {0}").format(exc))
            self.status.setStyleSheet("color: #b00020;")
            return
        data = wizard.outcome.to_dict()
        self.progress.setValue(self.progress.maximum())
        self.status.setText(self.tr("Done: {0} created, {1} updated, {2} unchanged.")
                            .format(data["created"], data["updated"], data["unchanged"]))
        self.done = True
        self.completeChanged.emit()

    def _progress(self, done: int, total: int, what: str) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.status.setText(what)
        QApplication.processEvents()  # the transaction is short; keep the bar moving while it runs


class ResultPage(QWizardPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(self.tr("Migration finished"))
        self.setSubTitle(self.tr("What was migrated, and what to do before the mailboxes can sync."))
        self.summary = _note()
        self.attention = _attention_list("migration-attention")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(self.tr("<b>Needs your attention</b>")))
        layout.addWidget(self.attention, 1)

    def initializePage(self) -> None:
        result = self.wizard().outcome
        data = result.to_dict()
        self.summary.setText(self.tr("{0} created, {1} updated, {2} unchanged. Passwords were not carried over.")
                             .format(data["created"], data["updated"], data["unchanged"]))
        self.attention.clear()
        self.attention.addItems(result.attention or [self.tr("Nothing: every migrated mailbox is ready.")])


class MigrationWizard(QWizard):
    """Choose → review profiles → review mailboxes → summary → run → result."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Migrate from Email Router"))
        self.setObjectName("migration-wizard")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.plan = None
        self.outcome = None  # the MigrationResult once applied (QDialog already has result())
        self.confirmed: set[str] = set()
        self.sources, self.profiles, self.mailboxes = SourcesPage(), ProfilesPage(), MailboxesPage()
        self.summary, self.run, self.result_page = SummaryPage(), RunPage(), ResultPage()
        for page in (self.sources, self.profiles, self.mailboxes, self.summary, self.run, self.result_page):
            self.addPage(page)
        self.resize(1040, 640)


class MigrationPage(Page):
    title = "Migration"
    icon_name = "tabler/transfer"
    empty_text = ("Bring an Email Router configuration over: profiles, mailboxes and their owners, "
                  "reviewed before anything changes.")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.wizard: MigrationWizard | None = None
        self.add_empty_action(self.tr("Start migration…"), self.start_wizard).setObjectName("migration-start")

        self.last = QWidget()
        layout = QVBoxLayout(self.last)
        self.last_heading = QLabel()
        self.last_summary = _note()
        self.last_attention = _attention_list("migration-last-attention")
        again = QPushButton(self.tr("Migrate again…"))
        again.clicked.connect(self.start_wizard)
        top = QHBoxLayout()
        top.addWidget(self.last_heading, 1)
        top.addWidget(again)
        layout.addLayout(top)
        layout.addWidget(self.last_summary)
        layout.addWidget(QLabel(self.tr("<b>Needs your attention</b>")))
        layout.addWidget(self.last_attention, 1)
        self.set_content(self.last)
        self.refresh()

    def start_wizard(self) -> MigrationWizard:
        self.wizard = MigrationWizard(self)
        self.wizard.finished.connect(lambda _: self.refresh())
        self.wizard.open()
        return self.wizard

    def refresh(self) -> None:
        found = last_run() if database_proxy.obj is not None else None
        self.show_empty(found is None)
        if found is None:
            return
        run, data = found
        self.last_heading.setText(self.tr("<h3>Last migration: {0} UTC</h3>")
                                  .format(run.finished_at.strftime("%Y-%m-%d %H:%M")))
        routers = run.sources.replace("\n", ", ")
        self.last_summary.setText(self.tr("From {0}: {1} created, {2} updated, {3} unchanged.")
                                  .format(routers, data["created"], data["updated"], data["unchanged"]))
        self.last_attention.clear()
        self.last_attention.addItems(data["attention"] or [self.tr("Nothing needs attention.")])
