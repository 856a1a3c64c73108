"""A page of the main window, with the empty state every page shows before it has data."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget


class Page(QWidget):
    """A navigation page: `title` in the sidebar, `empty_text` while there is nothing to show."""

    title = ""
    empty_text = ""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(f"page-{type(self).__name__}")
        self._stack = QStackedLayout(self)
        self.empty_state = QWidget()
        box = QVBoxLayout(self.empty_state)
        box.addStretch(1)
        heading = QLabel(f"<h2>{self.tr(self.title)}</h2>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(self.tr(self.empty_text))
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setObjectName("empty-text")
        box.addWidget(heading)
        box.addWidget(text)
        box.addStretch(2)
        self._stack.addWidget(self.empty_state)

    def refresh(self) -> None:
        """Reload from the store; pages with data override this."""
