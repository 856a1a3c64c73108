"""The Alerts page."""
from crmsync_gui.ui.pages.base import Page


class AlertsPage(Page):
    title = "Alerts"
    empty_text = "No alerts. An alert is raised when many mailboxes of one profile fail within an hour."
