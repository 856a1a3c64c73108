"""A dry run's result (core/admin/exchange_changes.py) in the administrator's language: what the next sync would
create and delete in the mailbox's Exchange folders, a few names of each kind."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from crmsync_gui.core import codes
from crmsync_gui.core.admin.exchange_changes import ExchangeChanges
from crmsync_gui.ui.labels import code_label

NAMES_SHOWN = 8
translate = QCoreApplication.translate


def dry_run_lines(changes: ExchangeChanges) -> list[str]:
    """One line per kind of record and change; ["Nothing is created or deleted in Exchange."] when none."""
    lines = []
    for said, by_entity in ((translate("DryRun", "{0} created in Exchange ({1}): {2}"), changes.created),
                            (translate("DryRun", "{0} deleted from Exchange ({1}): {2}"), changes.deleted)):
        for entity, names in by_entity.items():
            if names:
                shown = ", ".join(names[:NAMES_SHOWN])
                if len(names) > NAMES_SHOWN:
                    shown += translate("DryRun", " and {0} more").format(len(names) - NAMES_SHOWN)
                lines.append(said.format(code_label(codes.SyncEntity, entity), len(names), shown))
    return lines or [translate("DryRun", "Nothing is created or deleted in Exchange.")]
