"""A page of the main window, with the empty state every page shows before it has data."""
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)


class Page(QWidget):
    """A navigation page: `title` in the sidebar, `empty_text` while there is nothing to show."""

    title = ""
    empty_text = ""
    icon_name = ""  # a Tabler icon in resources/icons/tabler, shown in the navigation
    search_field: QLineEdit | None = None  # where Ctrl+F puts the cursor, on pages that have one
    # ask the main window to show another page, filtered: (page title, {filter: value})
    open_page = Signal(str, dict)
    # a routine confirmation for the status bar ("Mailbox “Ann” deleted."), instead of a box to click away
    status_message = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName(f"page-{type(self).__name__}")
        self._stack = QStackedLayout(self)
        self.empty_state = QWidget()
        box = QVBoxLayout(self.empty_state)
        box.addStretch(1)
        heading = QLabel(f"<h2>{QCoreApplication.translate('pages', self.title)}</h2>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(QCoreApplication.translate("pages", self.empty_text))
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setObjectName("empty-text")
        box.addWidget(heading)
        box.addWidget(text)
        self._empty_actions = QHBoxLayout()
        self._empty_actions.addStretch(1)
        self._empty_actions.addStretch(1)
        box.addLayout(self._empty_actions)
        box.addStretch(2)
        self._stack.addWidget(self.empty_state)
        self.content: QWidget | None = None

    def refresh(self) -> None:
        """Reload from the store; pages with data override this."""

    def find(self) -> bool:
        """Ctrl+F: put the cursor in the page's search box, its text selected to type over; False when the page
        shows none."""
        field = self.current_search_field()
        if field is None or not field.isVisible():
            return False
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        field.selectAll()
        return True

    def current_search_field(self) -> QLineEdit | None:
        """The search box for what the page shows now (pages with tabs override)."""
        return self.search_field

    def set_content(self, widget: QWidget) -> None:
        """The page's working view, shown instead of the empty state once there is data."""
        self.content = widget
        self._stack.addWidget(widget)

    def show_empty(self, empty: bool) -> None:
        self._stack.setCurrentWidget(self.empty_state if empty or self.content is None else self.content)

    def add_empty_action(self, text: str, slot) -> QPushButton:
        """A button under the empty-state text, for the first step (e.g. "New mailbox")."""
        button = QPushButton(text)
        button.clicked.connect(slot)
        self._empty_actions.insertWidget(self._empty_actions.count() - 1, button)
        return button

    def apply_filter(self, filters: dict) -> None:
        """Show what `filters` selects (sent by another page through open_page); pages override."""
