"""The Migration page."""
from crmsync_gui.ui.pages.base import Page


class MigrationPage(Page):
    title = "Migration"
    empty_text = ("Bring an Email Router configuration over: profiles, mailboxes and their owners, "
                  "reviewed before anything changes.")
