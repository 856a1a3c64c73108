"""Option and status codes, as the original product numbers them (docs/DOMAIN.md).

This is the single place that maps codes to labels; the console and the CLI
read labels from here.
"""
from enum import IntEnum


class LabelledEnum(IntEnum):
    """An IntEnum whose members carry the label an administrator reads."""

    def __new__(cls, value: int, label: str):
        obj = int.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def parse(cls, text: str | int) -> "LabelledEnum":
        """Accept a code, a member name or a label (any case); raise ValueError naming the choices."""
        if isinstance(text, int) or str(text).strip().lstrip("-").isdigit():
            try:
                return cls(int(text))
            except ValueError:
                pass
        else:
            key = str(text).strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if key in (member.name.lower(), member.label.lower().replace(" ", "_").replace("-", "_")):
                    return member
        choices = ", ".join(f"{m.value} {m.label}" for m in cls)
        raise ValueError(f"{text!r} is not a valid {cls.__doc__.strip().rstrip('.').lower()}; choose one of: {choices}")


class ServerType(LabelledEnum):
    """Server type."""

    EXCHANGE = 0, "Exchange"
    POP3_SMTP = 1, "POP3/SMTP"
    EXCHANGE_HYBRID = 2, "Exchange hybrid"
    EXCHANGE_ONLINE_HYBRID = 3, "Exchange Online hybrid"
    IMAP_SMTP = 4, "IMAP/SMTP"

    @property
    def is_exchange(self) -> bool:
        return self in (ServerType.EXCHANGE, ServerType.EXCHANGE_HYBRID, ServerType.EXCHANGE_ONLINE_HYBRID)


class ExchangeProtocol(LabelledEnum):
    """Exchange protocol."""

    EWS = 0, "Exchange Web Services"
    GRAPH = 1, "Microsoft Graph"


class AuthType(LabelledEnum):
    """Authentication type."""

    AUTO_DETECT = 0, "Auto-detect"
    NEGOTIATE = 1, "Negotiate"
    NTLM = 2, "NTLM"
    BASIC = 3, "Basic"
    OAUTH = 4, "OAuth"


class IncomingMethod(LabelledEnum):
    """Incoming email method."""

    NONE = 0, "None"
    OUTLOOK = 1, "Outlook client"
    SERVER_SIDE_SYNC = 2, "Server-side sync"
    FORWARD_MAILBOX = 3, "Forward mailbox"


class OutgoingMethod(LabelledEnum):
    """Outgoing email method."""

    NONE = 0, "None"
    OUTLOOK = 1, "Outlook client"
    SERVER_SIDE_SYNC = 2, "Server-side sync"


class ActMethod(LabelledEnum):
    """Appointments, contacts and tasks method."""

    OUTLOOK = 0, "Outlook client"
    SERVER_SIDE_SYNC = 1, "Server-side sync"
    NONE = 2, "None"


class DirectionStatus(LabelledEnum):
    """Direction status."""

    NOT_RUN = 0, "Not run"
    SUCCESS = 1, "Success"
    FAILURE = 2, "Failure"


class Arrival(LabelledEnum):
    """How new email arrives."""

    PUSH = 1, "Push connected"
    PUSH_SOME = 2, "Push on some folders, the rest polled: connection cap reached"
    DELTA_POLL = 3, "Delta polling (under a minute)"
    CAP_REACHED = 4, "Polling: connection cap reached"
    REFUSED = 5, "Polling: server refused push"
    NO_PUSH = 6, "Polling: protocol lacks push"


class Approval(LabelledEnum):
    """Email address approval."""

    EMPTY = 0, "Empty"
    APPROVED = 1, "Approved"
    PENDING = 2, "Pending approval"
    REJECTED = 3, "Rejected"


class TrackingOption(LabelledEnum):
    """Incoming email tracking option."""

    ALL = 0, "All email messages"
    REPLIES_TO_CRM_EMAIL = 1, "Replies to CRM email"
    FROM_CRM_RECORDS = 2, "From CRM leads, contacts and accounts"
    FROM_EMAIL_ENABLED_RECORDS = 3, "From records that are email-enabled"
    NONE = 4, "None"


class EmailStatus(LabelledEnum):
    """Email activity status."""

    DRAFT = 1, "Draft"
    SENT = 3, "Sent"
    RECEIVED = 4, "Received"
    PENDING_SEND = 6, "Pending Send"
    SENDING = 7, "Sending"
    FAILED = 8, "Failed"


class TrackingOutcome(LabelledEnum):
    """Tracking outcome of an incoming email."""

    TRACKED = 0, "Tracked"
    OPTION_NONE = 1, "Tracking option is None"
    NOT_A_REPLY = 2, "Not a reply to CRM email"
    SENDER_NOT_CRM_RECORD = 3, "Sender is not a CRM lead, contact or account"
    SENDER_NOT_EMAIL_ENABLED = 4, "Sender is not an email-enabled record"
    BEFORE_PROCESS_FROM = 5, "Received before the Process email from date"
    DUPLICATE = 6, "Already tracked"
    NO_OWNER = 7, "Mailbox has no user or queue"


class FieldDirection(LabelledEnum):
    """ACT field sync direction."""

    NONE = 0, "None"
    TO_EXCHANGE = 1, "To Exchange"
    TO_CRM = 2, "To CRM"
    BOTH = 3, "Both"


class TraceLevel(LabelledEnum):
    """Trace level."""

    INFORMATION = 1, "Information"
    WARNING = 2, "Warning"
    ERROR = 3, "Error"


class Direction(LabelledEnum):
    """Sync direction."""

    INCOMING = 0, "Incoming email"
    OUTGOING = 1, "Outgoing email"
    ACT = 2, "Appointments, contacts and tasks"


class ActivityType(LabelledEnum):
    """Activity type."""

    EMAIL = 0, "Email"
    APPOINTMENT = 1, "Appointment"
    TASK = 2, "Task"


class PartyRole(LabelledEnum):
    """Activity party role."""

    FROM = 1, "From"
    TO = 2, "To"
    CC = 3, "Cc"
    BCC = 4, "Bcc"
    ORGANIZER = 7, "Organizer"
    REQUIRED = 5, "Required attendee"
    OPTIONAL = 6, "Optional attendee"
    OWNER = 9, "Owner"


class MeetingResponse(LabelledEnum):
    """An attendee's answer to a meeting invitation."""

    NONE = 0, "No response"
    ACCEPTED = 1, "Accepted"
    TENTATIVE = 2, "Tentative"
    DECLINED = 3, "Declined"


class SyncEntity(LabelledEnum):
    """Sync filter entity."""

    CONTACT = 0, "Contacts"
    APPOINTMENT = 1, "Appointments"
    TASK = 2, "Tasks"


DEFAULT_MAX_CONNECTIONS = 10
MAX_CONNECTIONS_RANGE = (1, 300)
MIN_POLLING_RANGE_MINUTES = (0, 1440)
MAX_TIMEOUT_MS = 100_000
MAX_TRANSIENT_FAILURES = 10
MAX_TRACKED_FOLDERS = 25
# where failed incoming email goes when the profile says so (Exchange and IMAP; POP3 has no folders)
UNDELIVERABLE_FOLDER = "Inbox/Undeliverable"
MAX_DELIVERY_ATTEMPTS = 10
# Microsoft Graph (Exchange Online): the global cloud's endpoints; national clouds and the sandbox set their own
GRAPH_URL = "https://graph.microsoft.com/v1.0"
GRAPH_AUTHORITY = "https://login.microsoftonline.com"
GRAPH_PERMISSIONS = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite.All")
