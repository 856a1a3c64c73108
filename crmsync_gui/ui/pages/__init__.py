"""The console's pages, in navigation order. Each page lives in its own module."""
from crmsync_gui.ui.pages.alerts import AlertsPage
from crmsync_gui.ui.pages.dashboard import DashboardPage
from crmsync_gui.ui.pages.errors import ErrorsPage
from crmsync_gui.ui.pages.mailboxes import MailboxesPage
from crmsync_gui.ui.pages.migration import MigrationPage
from crmsync_gui.ui.pages.profiles import ProfilesPage
from crmsync_gui.ui.pages.users import UsersPage
from crmsync_gui.ui.pages.workers import WorkersPage

ALL_PAGES = [DashboardPage, MailboxesPage, ProfilesPage, UsersPage, ErrorsPage, AlertsPage, MigrationPage,
             WorkersPage]
