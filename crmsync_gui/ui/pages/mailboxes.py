"""The Mailboxes page."""
from crmsync_gui.ui.pages.base import Page


class MailboxesPage(Page):
    title = "Mailboxes"
    empty_text = ("No mailboxes yet. Add one for each user or queue whose email the CRM should track, "
                  "map it to its owner, approve its address, then run Test & Enable.")
