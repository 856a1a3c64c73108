"""The Profiles page."""
from crmsync_gui.ui.pages.base import Page


class ProfilesPage(Page):
    title = "Email server profiles"
    empty_text = ("No email server profiles yet. A profile says how to reach a mail server "
                  "(Exchange, POP3/SMTP or IMAP/SMTP) and how hard to use it.")
