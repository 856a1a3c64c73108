"""Users, queues and mailboxes loaded once, so planning and applying thousands of mailboxes
costs a few queries instead of several per mailbox."""
from __future__ import annotations

from collections import defaultdict

from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox

MODELS = {"user": CrmUser, "queue": CrmQueue}


class Directory:
    def __init__(self) -> None:
        self.by_id: dict[str, dict[int, CrmUser | CrmQueue]] = {"user": {}, "queue": {}}
        self.by_external_id: dict[str, dict[str, CrmUser | CrmQueue]] = {"user": {}, "queue": {}}
        self.by_email: dict[str, dict[str, list]] = {"user": defaultdict(list), "queue": defaultdict(list)}
        for kind, model in MODELS.items():
            for row in model.select():
                self.add_owner(kind, row)
        self.mailboxes: dict[str, list[Mailbox]] = defaultdict(list)  # lower-case address -> rows, by id
        self.mailbox_of: dict[tuple[str, int], Mailbox] = {}  # (kind, owner id) -> its one mailbox
        for mailbox in Mailbox.select().order_by(Mailbox.id):
            self.add_mailbox(mailbox)
        self.profile_names = {p.id: p.name for p in EmailServerProfile.select(EmailServerProfile.id,
                                                                              EmailServerProfile.name)}

    def add_owner(self, kind: str, row: CrmUser | CrmQueue) -> None:
        self.by_id[kind][row.id] = row
        if row.external_id:
            self.by_external_id[kind][row.external_id] = row
        self.by_email[kind][row.email.lower()].append(row)

    def add_mailbox(self, mailbox: Mailbox) -> None:
        self.mailboxes[mailbox.email.lower()].append(mailbox)
        for kind, owner_id in (("user", mailbox.owner_user_id), ("queue", mailbox.owner_queue_id)):
            if owner_id is not None:
                self.mailbox_of[(kind, owner_id)] = mailbox

    def owner_of(self, mailbox: Mailbox) -> tuple[str, CrmUser | CrmQueue] | None:
        if mailbox.owner_user_id is not None:
            return "user", self.by_id["user"][mailbox.owner_user_id]
        if mailbox.owner_queue_id is not None:
            return "queue", self.by_id["queue"][mailbox.owner_queue_id]
        return None
