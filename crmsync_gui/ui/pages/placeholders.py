"""Pages that show their empty state until their feature lands."""
from crmsync_gui.ui.pages.base import Page


class DashboardPage(Page):
    title = "Dashboard"
    empty_text = ("Live sync status appears here once mailboxes are enabled: mailboxes by state, "
                  "queue depths, items synced and errors per hour.")


class MailboxesPage(Page):
    title = "Mailboxes"
    empty_text = ("No mailboxes yet. Add one for each user or queue whose email the CRM should track, "
                  "map it to its owner, approve its address, then run Test & Enable.")


class ProfilesPage(Page):
    title = "Email server profiles"
    empty_text = ("No email server profiles yet. A profile says how to reach a mail server "
                  "(Exchange, POP3/SMTP or IMAP/SMTP) and how hard to use it.")


class UsersPage(Page):
    title = "Users & queues"
    empty_text = ("No CRM users or queues yet. Each user or queue maps to one mailbox; "
                  "its sync filters and tracking options are set here.")


class ErrorsPage(Page):
    title = "Errors"
    empty_text = "No errors recorded. Errors per email and per mailbox appear here, repeats collated into one row."


class AlertsPage(Page):
    title = "Alerts"
    empty_text = "No alerts. An alert is raised when many mailboxes of one profile fail within an hour."


class MigrationPage(Page):
    title = "Migration"
    empty_text = ("Bring an Email Router configuration over: profiles, mailboxes and their owners, "
                  "reviewed before anything changes.")


ALL_PAGES = [DashboardPage, MailboxesPage, ProfilesPage, UsersPage, ErrorsPage, AlertsPage, MigrationPage]
