"""Find a profile, mailbox, user or queue the way an administrator names it: by id, name or address."""
from __future__ import annotations

from peewee import fn

from crmsync_gui.core.errors import NotFound
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox


def current_mailbox_of(owner: CrmUser | CrmQueue) -> Mailbox | None:
    field = Mailbox.owner_user if isinstance(owner, CrmUser) else Mailbox.owner_queue
    return Mailbox.get_or_none(field == owner.id)


def find_mailbox(key: str) -> Mailbox:
    return _find(Mailbox, key, (Mailbox.name, Mailbox.email), "mailbox", listing="mailboxes")


def find_user(key: str) -> CrmUser:
    return _find(CrmUser, key, (CrmUser.email, CrmUser.full_name), "user")


def find_queue(key: str) -> CrmQueue:
    return _find(CrmQueue, key, (CrmQueue.email, CrmQueue.name), "queue")


def find_profile(key: str) -> EmailServerProfile:
    return _find(EmailServerProfile, key, (EmailServerProfile.name,), "profile")


def _find(model, key: str, fields, what: str, *, listing: str = ""):
    """Find by id, or by an exact (case-insensitive) match on one of `fields`."""
    key = str(key).strip()
    if key.isdigit() and (row := model.get_or_none(model.id == int(key))) is not None:
        return row
    for field in fields:
        rows = list(model.select().where(fn.LOWER(field) == key.lower()).limit(2))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise NotFound(f"More than one {what} matches '{key}'; use its id.")
    raise NotFound(f"No {what} '{key}'. List them with: crmsync {listing or what + 's'} list")
