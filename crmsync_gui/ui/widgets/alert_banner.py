"""The banner over every page while an alert waits: its text elided to the window's width (in full in its
tooltip), and a button at its end that stays visible however long the alert is."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy

from crmsync_gui.ui.resources import icon


class ElidedLabel(QLabel):
    """One line that takes the width it is given: cut with "…" when it does not fit, in full in its tooltip."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                                   max(self.contentsRect().width(), 0)))


class AlertBanner(QFrame):
    clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("alert-banner")
        self.setStyleSheet("QFrame#alert-banner { background: #fff4e5; border: 1px solid #f0c36d; }"
                           "QFrame#alert-banner QLabel { color: #8a5a00; }")
        self.icon = QLabel()
        self.icon.setPixmap(icon("tabler/alert-triangle").pixmap(16, 16))
        self.message = ElidedLabel()
        self.button = QPushButton(self.tr("Show alerts"))
        self.button.setObjectName("alert-banner-button")
        self.button.clicked.connect(self.clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.icon)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.button)
        # a long alert must not widen the window past a small screen: the banner takes the width it is given
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:  # noqa: N802 (as QLabel and QPushButton name it)
        self.message.set_full_text(text)

    def text(self) -> str:
        """The whole text, however much of it the banner's width shows."""
        return self.message.full_text

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt name): the whole banner opens the alerts
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
