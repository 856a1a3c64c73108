"""A To Do task's linkedResources (the items of other applications it was made from): written with the task's
POST (deep insert) or on their own, listed, shown by `$expand=linkedResources`, and the one `$filter` a client
needs to find a task by the record it links (`linkedResources/any(r: r/externalId eq '...')`). They are Graph's
alone: EWS shows no property for them, as Exchange shows none."""
from __future__ import annotations

import re
from collections.abc import Callable

from ..store import Item, new_id
from .replies import GraphError

NAME = "linkedResources"
FIELD = "linkedResources"  # the item's own list of them (no EWS element: never rendered over EWS)
PROPERTIES = ("webUrl", "applicationName", "displayName", "externalId")
_ANY = re.compile(r"^\s*linkedResources/any\(\s*(\w+)\s*:\s*\1/externalId\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
                  re.IGNORECASE)


def of(item: Item) -> list[dict]:
    return item.fields.get(FIELD, [])


def add(item: Item, body: object, tag: str) -> dict:
    """One linkedResource from a request body, kept on the task; the stored one (with its id) returned."""
    if not isinstance(body, dict) or set(body) - {*PROPERTIES, "@odata.type"}:
        raise GraphError(400, "invalidRequest", "A linkedResource has webUrl, applicationName, displayName and "
                         "externalId only.")
    stored = {"id": new_id("AAMkL", tag), **{k: body[k] for k in PROPERTIES if body.get(k) is not None}}
    item.fields[FIELD] = [*of(item), stored]
    return stored


def write(item: Item, bodies: object, tag: str) -> None:
    """A task POST's linkedResources (a collection)."""
    if not isinstance(bodies, list):
        raise GraphError(400, "invalidRequest", "linkedResources must be a collection.")
    for body in bodies:
        add(item, body, tag)


def expand(values: dict, item: Item, raw: str | None) -> dict:
    """The task's JSON with its linkedResources when `$expand` asks for them; any other expand is a 400."""
    if not raw:
        return values
    if raw.strip() != NAME:
        raise GraphError(400, "BadRequest", f"The sandbox expands linkedResources of a task only, not '{raw}'.")
    return {**values, NAME: of(item)}


def linking(raw: str | None) -> Callable[[Item], bool]:
    """A predicate for `$filter=linkedResources/any(r: r/externalId eq 'ID')` (none: every task); any other
    filter is refused with Graph's 400, never ignored."""
    if not raw:
        return lambda _item: True
    match = _ANY.match(raw)
    if match is None:
        raise GraphError(400, "BadRequest", "Invalid filter clause: the sandbox filters tasks on "
                         "linkedResources/any(r: r/externalId eq '...') only.")
    wanted = match.group(2).replace("''", "'")
    return lambda item: any(r.get("externalId") == wanted for r in of(item))
