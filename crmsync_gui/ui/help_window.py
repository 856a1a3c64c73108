"""Help: the user guide (docs/user-guide.md, with its pictures) in a window of its own, and About."""
from __future__ import annotations

from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QDialog, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from crmsync_gui import __version__
from crmsync_gui.ui.resources import docs_dir


class UserGuide(QDialog):
    """Non-modal: the guide stays open beside the window while the administrator follows it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("user-guide")
        self.setWindowTitle(self.tr("crmsync user guide"))
        self.resize(900, 650)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        guide = docs_dir() / "user-guide.md"
        if guide.exists():
            self.browser.setSearchPaths([str(guide.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource)
        else:  # a build that left the docs out: say where the guide is instead of an empty window
            self.browser.setPlainText(self.tr("The user guide is not installed with this copy ({0}).").format(guide))


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, parent.tr("About crmsync"), parent.tr(
        "<h3>crmsync {0}</h3><p>Server-side synchronization between a CRM and mail servers: "
        "the administration console.</p><p>Qt {1} (LGPLv3) through PySide6. Icons: Tabler Icons 3.51.0 "
        "by Paweł Kuna, MIT licence (resources/icons/tabler/LICENSE).</p>").format(__version__, qVersion()))
