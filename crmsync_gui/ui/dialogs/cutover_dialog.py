"""The cut-over dialog: move an Exchange profile to Microsoft Graph, or back to EWS, over core/admin/cutover.py.

A dry run comes first (every mailbox tested over the new protocol, its ids counted on both); the results show
per mailbox, and only a dry run with every mailbox ready enables the cut-over itself. Both run as tasks on
the console's qasync loop; Close stops one still running (nothing is changed before the last step).
"""
from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from crmsync_gui.core import codes
from crmsync_gui.core.admin.cutover import CutoverReport, MailboxCutover, cutover
from crmsync_gui.core.errors import CrmSyncError
from crmsync_gui.ui.context import secret_store
from crmsync_gui.ui.dialogs.common import WrappingLabel

OK_COLOR, FAIL_COLOR = "color: #1b5e20;", "color: #b00020;"


class CutoverDialog(QDialog):
    def __init__(self, profile, parent=None):
        super().__init__(parent)
        self.profile_id, self.profile_name = profile.id, profile.name
        current = codes.ExchangeProtocol(profile.protocol or codes.ExchangeProtocol.EWS)
        self.to = codes.ExchangeProtocol.EWS if current == codes.ExchangeProtocol.GRAPH else \
            codes.ExchangeProtocol.GRAPH
        self.setWindowTitle(self.tr("Move profile {0} to {1}").format(profile.name, self.to.label))
        self.intro = WrappingLabel(self.tr(
            "Every mailbox of the profile is tested over {0} and the ids of its tracked email and synced "
            "appointments, contacts and tasks are translated, so nothing is tracked or created again. Start with "
            "a dry run: it changes nothing.").format(self.to.label))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Mailbox"), self.tr("Items known on both"), self.tr("Result")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.summary = WrappingLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.dry_run_button = QPushButton(self.tr("Dry run"))
        self.apply_button = QPushButton(self.tr("Cut over to {0}").format(self.to.label))
        self.apply_button.setEnabled(False)
        self.buttons.addButton(self.dry_run_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.dry_run_button.clicked.connect(lambda: self.start(dry_run=True))
        self.apply_button.clicked.connect(lambda: self.start(dry_run=False))
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.table, self.progress, self.summary, self.buttons):
            layout.addWidget(widget)
        self.resize(760, 420)
        self.pending: asyncio.Task | None = None
        self.report: CutoverReport | None = None

    def start(self, *, dry_run: bool) -> asyncio.Task:
        self.table.setRowCount(0)
        self.summary.setText(self.tr("Testing every mailbox over {0}…").format(self.to.label))
        self.summary.setStyleSheet("")
        self.progress.show()
        self.dry_run_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.pending = asyncio.ensure_future(self._run(dry_run))
        return self.pending

    async def _run(self, dry_run: bool) -> CutoverReport | None:
        self.report = None
        try:
            self.report = await cutover(str(self.profile_id), self.to, dry_run=dry_run, secrets=secret_store(),
                                        on_mailbox=self.add_row)
            self.show_report(self.report)
        except CrmSyncError as error:
            self.show_summary(str(error), ok=False)
        except asyncio.CancelledError:
            self.show_summary(self.tr("Stopped; nothing was changed."), ok=None)
        finally:
            self.pending = None
            self.progress.hide()
            applied = self.report is not None and self.report.applied
            self.dry_run_button.setEnabled(not applied)
            self.apply_button.setEnabled(bool(self.report and self.report.dry_run and self.report.ready))
        return self.report

    def add_row(self, result: MailboxCutover) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        reason = self.tr("ready") if result.ready else "\n".join(result.problems())
        counted = self.tr("{0} of {1} ({2}%)").format(result.known, result.ids, f"{result.parity:g}") \
            if result.counted else self.tr("not counted")
        cells = (result.email, counted, reason)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.table.setItem(row, column, item)
        self.table.resizeRowToContents(row)

    def show_report(self, report: CutoverReport) -> None:
        self.table.setRowCount(0)  # rows came as mailboxes finished; now in the report's order
        for result in report.mailboxes:
            self.add_row(result)
        ready = sum(m.ready for m in report.mailboxes)
        if report.applied:
            text = self.tr("Done: profile {0} now syncs over {1}; {2} mailboxes moved.").format(
                report.profile, report.to.label, ready)
        elif report.dry_run and report.ready:
            text = self.tr("Dry run: all {0} mailboxes are ready; nothing was changed. Cut over when you are "
                           "ready.").format(ready)
        else:
            text = self.tr("{0} of {1} mailboxes are not ready; nothing was changed. Fix what the list says, then "
                           "run the dry run again.").format(len(report.mailboxes) - ready, len(report.mailboxes))
        self.show_summary(text, ok=report.ready)

    def show_summary(self, text: str, *, ok: bool | None) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet({True: OK_COLOR, False: FAIL_COLOR, None: ""}[ok])

    def reject(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
        super().reject()
