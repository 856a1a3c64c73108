"""The Users page."""
from crmsync_gui.ui.pages.base import Page


class UsersPage(Page):
    title = "Users & queues"
    empty_text = ("No CRM users or queues yet. Each user or queue maps to one mailbox; "
                  "its sync filters and tracking options are set here.")
