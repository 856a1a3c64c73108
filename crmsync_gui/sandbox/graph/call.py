"""One Graph request as the resource handlers see it: the mailbox, the path's ids, the query and the body."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..store import Folder, Mailbox, Store
from .replies import GraphError

WELL_KNOWN = {"inbox", "sentitems", "drafts", "deleteditems", "outbox", "junkemail", "msgfolderroot", "calendar",
              "contacts", "tasks", "recoverableitemsdeletions"}


def user_id(mailbox: Mailbox) -> str:
    """The user's object id in the directory: a GUID, stable for the address."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-user:{mailbox.address.lower()}"))


@dataclass
class Call:
    store: Store
    base: str  # https://127.0.0.1:PORT/v1.0
    method: str
    path: str  # below /v1.0, e.g. /users/ann@x/messages/ID
    query: dict[str, str]
    headers: Mapping[str, str]  # case-insensitive
    body: object = None
    mailbox: Mailbox | None = None
    params: dict[str, str] = field(default_factory=dict)  # the route's named segments
    sandbox: object = None  # the GraphServer, for its delta epochs and tokens

    def folder(self, key: str) -> Folder:
        found = self.mailbox.folders.get(key)
        if found is None and key.lower() in WELL_KNOWN:
            found = self.mailbox.folders_by_key.get(key.lower())
        if found is None:
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return found

    def context(self, tail: str) -> str:
        return f"{self.base}/$metadata#{tail}"

    def select(self) -> list[str] | None:
        raw = self.query.get("$select")
        return [s.strip() for s in raw.split(",") if s.strip()] if raw else None

    def prefer(self, name: str) -> str | None:
        for part in self.headers.get("Prefer", "").split(","):
            key, _, value = part.strip().partition("=")
            if key.strip().lower() == name.lower():
                return value.strip().strip('"')
        return None

    def json_body(self) -> dict:
        if not isinstance(self.body, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        return self.body
