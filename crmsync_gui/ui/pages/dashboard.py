"""The Dashboard page."""
from crmsync_gui.ui.pages.base import Page


class DashboardPage(Page):
    title = "Dashboard"
    empty_text = ("Live sync status appears here once mailboxes are enabled: mailboxes by state, "
                  "queue depths, items synced and errors per hour.")
