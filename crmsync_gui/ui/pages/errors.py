"""The Errors page."""
from crmsync_gui.ui.pages.base import Page


class ErrorsPage(Page):
    title = "Errors"
    empty_text = "No errors recorded. Errors per email and per mailbox appear here, repeats collated into one row."
