"""The confirmation before a deletion: what follows, in the administrator's words and language."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from crmsync_gui.core.admin.removal import CONSEQUENCES, Consequence, Removal

translate = QCoreApplication.translate

KINDS = {"mailbox": "mailbox", "profile": "email server profile", "user": "user", "queue": "queue"}


def consequence_text(consequence: Consequence) -> str:
    """One consequence in the administrator's language."""
    return translate("removal", CONSEQUENCES[consequence.code]).format(*consequence.args)


def consequence_lines(removal: Removal) -> list[str]:
    return [consequence_text(c) for c in removal.consequences]


def confirm_removal(parent: QWidget, removal: Removal) -> bool:
    """Ask before deleting; Cancel is the default button, so Enter deletes nothing."""
    box, delete = removal_box(parent, removal)
    box.exec()
    return box.clickedButton() is delete


def removal_box(parent: QWidget, removal: Removal) -> tuple[QMessageBox, object]:
    """The confirmation box and its Delete button (the screenshots show it without running it)."""
    kind = translate("removal", KINDS[removal.kind])
    box = QMessageBox(QMessageBox.Icon.Warning, translate("removal", "Delete {0}").format(kind),
                      translate("removal", "Delete {0} “{1}”?").format(kind, removal.name),
                      QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("confirm-delete")
    lines = "".join(f"<li>{escape(line)}</li>" for line in consequence_lines(removal))
    keep = translate("removal", "Nothing is removed from Exchange or any mail server, and no CRM record is deleted.")
    box.setInformativeText(f"<ul>{lines}</ul><p>{escape(keep)}</p>")
    delete = box.addButton(translate("removal", "Delete"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box, delete


def delete_with_confirmation(page, record) -> bool:
    """Say what deleting `record` does, ask, delete through the same use case as the CLI; True when deleted.
    The outcome goes to the status bar; a refusal (a mailbox being synced) gets a box with the reason."""
    from crmsync_gui.core.admin.removal import delete_record, removal_of
    from crmsync_gui.core.errors import CrmSyncError
    from crmsync_gui.ui.context import secret_store

    removal = removal_of(record)
    if not confirm_removal(page, removal):
        return False
    try:
        delete_record(record, secrets=secret_store())
    except CrmSyncError as exc:
        QMessageBox.warning(page, translate("removal", "Not deleted"), str(exc))
        return False
    kind = translate("removal", KINDS[removal.kind])
    page.status_message.emit(translate("removal", "Deleted {0} “{1}”.").format(kind, removal.name))
    return True
