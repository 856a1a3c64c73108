"""Pieces the dialogs share: a reason label beside each field."""
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget


class FieldRow(QWidget):
    """A field editor with its validation reason beside it (empty when the value is fine)."""

    def __init__(self, editor: QWidget, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.reason = QLabel()
        self.reason.setObjectName("field-reason")
        self.reason.setStyleSheet("color: #b00020;")
        self.reason.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(editor, 2)
        layout.addWidget(self.reason, 3)

    def set_reason(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setToolTip(text)
