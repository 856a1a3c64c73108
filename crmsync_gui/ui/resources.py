"""Where the top-level resources/ folder is, in a checkout and in the packaged app."""
import sys
from pathlib import Path

from PySide6.QtGui import QIcon


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    return Path(frozen) / "resources" if frozen else Path(__file__).resolve().parents[2] / "resources"


def docs_dir() -> Path:
    """docs/ (the user guide and its pictures), beside resources/ in a checkout and in the packaged app."""
    return resources_dir().parent / "docs"


def icon(name: str) -> QIcon:
    """resources/icons/NAME.svg; "tabler/mail" names one of the Tabler icons shipped there (MIT)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def install_translations(app, language: str | None = None) -> str:
    """Load the console's translation for `language` (default: the system's) and Qt's own.

    Returns the language loaded, or "en" when there is none for it: English is built in, but for its plural
    forms ("1 alert", "2 alerts"), which crmsync_en.qm holds.
    """
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    locale = QLocale(language) if language else QLocale.system()
    name = locale.name().split("_")[0]
    folder = resources_dir() / "translations"
    ours = QTranslator(app)
    if name == "en" or not ours.load(str(folder / f"crmsync_{name}.qm")):
        ours.load(str(folder / "crmsync_en.qm"))
        app.installTranslator(ours)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return "en"
    app.installTranslator(ours)
    QLocale.setDefault(locale)  # numbers as the language writes them ("1.234" in Italian)
    qt = QTranslator(app)  # the standard buttons (OK, Cancel, Yes, No)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    return name
