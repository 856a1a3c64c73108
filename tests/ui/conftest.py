import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings


@pytest.fixture(autouse=True)
def private_settings(tmp_path, qapp):
    """QSettings (window geometry, last page) go to a temp folder, never the developer's own."""
    QCoreApplication.setOrganizationName("crmsync-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    locale = QLocale()
    yield
    QLocale.setDefault(locale)  # a test that switched the language leaves the next one its numbers


@pytest.fixture(autouse=True, scope="session")
def english_plurals(qapp):
    """The console's English, as the application loads it: built in, with its plural forms ("1 alert")."""
    from crmsync_gui.ui.resources import install_translations

    install_translations(qapp, "en")
