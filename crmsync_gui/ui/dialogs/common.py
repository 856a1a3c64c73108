"""Pieces the dialogs share: a reason label beside each field, OK/Cancel, the form dialog's layout."""
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from crmsync_gui.ui.labels import reason


def save_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK runs the dialog's save() (which accepts only when the values are fine); Cancel rejects."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def lay_out_form(dialog: QDialog, form: QFormLayout, buttons: QDialogButtonBox, width: int) -> None:
    """The form above its buttons, `width` wide and as tall as the form needs."""
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(buttons)
    dialog.resize(width, dialog.sizeHint().height())


class WrappingLabel(QLabel):
    """A word-wrapped label that asks for the height its text needs at its width.

    Form layouts do not grow a row for a wrapped label by themselves, so a long reason or test result
    would be clipped to one line; a minimum height makes the row (and the dialog) grow instead."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed != self.minimumHeight():
            self.setMinimumHeight(max(needed, 0))


class FieldRow(QWidget):
    """A field editor with its validation reason beside it (empty when the value is fine)."""

    def __init__(self, editor: QWidget, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.reason = WrappingLabel()
        self.reason.setObjectName("field-reason")
        self.reason.setStyleSheet("color: #b00020;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor, 3)  # room for a long EWS URL or CA file path
        layout.addWidget(self.reason, 2)

    def set_reason(self, text: str) -> None:
        text = reason(text)  # the core's reasons in the administrator's language
        self.reason.setText(text)
        self.reason.setToolTip(text)
