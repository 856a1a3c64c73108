"""The one error taxonomy of the product.

Every error an administrator may see says what happened, why, and what to do:
`str(error)` is the whole sentence, ready for the CLI, the console and the trace log.
"""


class CrmSyncError(Exception):
    """Base of every expected error; anything else is a bug and should crash loudly."""


class ValidationError(CrmSyncError):
    """Input an administrator gave is not acceptable; `problems` lists each field's reason."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        reasons = [reason[:1].upper() + reason[1:] for reason in problems.values()]
        super().__init__("; ".join(reasons) + ".")


class NotFound(CrmSyncError):
    """A named record does not exist."""


class MappingConflict(CrmSyncError):
    """The user or queue already has a mailbox; mapping again needs an explicit confirm."""

    def __init__(self, owner_label: str, current_mailbox: str, new_mailbox: str):
        self.owner_label = owner_label
        self.current_mailbox = current_mailbox
        self.new_mailbox = new_mailbox
        super().__init__(
            f"{owner_label} is already mapped to mailbox '{current_mailbox}'. "
            f"Mapping it to '{new_mailbox}' breaks that mapping; confirm to proceed "
            f"(--yes on the command line)."
        )


class StoreError(CrmSyncError):
    """The local database cannot be used (disk full, locked, unreadable, newer than this program)."""


class SyncError(CrmSyncError):
    """A mail server operation failed. `code` is the trace code; `transient` says whether a retry may help."""

    transient = True

    def __init__(self, code: str, message: str, *, action: str = ""):
        self.code = code
        self.action = action
        super().__init__(f"{message} {action}".strip())


class TransientError(SyncError):
    """Retry later: timeouts, server busy, connection refused."""

    transient = True

    def __init__(self, code: str, message: str, *, action: str = "", retry_after_s: float | None = None):
        super().__init__(code, message, action=action)
        self.retry_after_s = retry_after_s


class PermanentError(SyncError):
    """Retrying will not help until an administrator acts: wrong password, mailbox missing, no permission."""

    transient = False


class MessageRejected(PermanentError):
    """The server refused this one email (unknown recipient, too large); the mailbox itself is fine.

    Transports raise it so outgoing sync fails only that email and carries on with the others.
    """


class ImportRefused(CrmSyncError):
    """Files given to an import cannot be read safely (hostile XML, too large, not the expected files).

    Nothing is imported; the message names the file and says what to do.
    """
