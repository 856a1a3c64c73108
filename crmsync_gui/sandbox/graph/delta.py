"""Delta queries per folder: rounds of pages linked by skip tokens, ending in a delta token.

A token is the folder, the change sequence the client has seen ("since") and, inside a round, the sequence
the round stops at ("upto") and the last change sent ("after"): pages never repeat or miss a change made
while the client pages. Tokens name the mailbox's epoch; expire_delta_tokens() starts a new one, and older
tokens then answer 410 Gone (SyncStateNotFound) as Exchange Online does when a sync state has expired.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from urllib.parse import urlencode

from ..store import Folder, Item
from .call import Call
from .replies import GraphError

DEFAULT_PAGE = 10  # Graph's page size for message delta without Prefer: odata.maxpagesize
MAX_PAGE = 1000


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        state = None
    if not isinstance(state, dict) or not {"f", "s", "e"} <= set(state):
        raise GraphError(400, "ErrorInvalidSyncStateData", "The sync state data is corrupt or otherwise invalid.")
    return state


KEPT = ("$select", "startDateTime", "endDateTime")  # query options a round's tokens carry to its later pages


def delta(call: Call, folder_of: Callable[[Call], Folder], kind: str, entries: Callable[[Item], list[dict]],
          wanted: Callable[[Item], bool]) -> tuple[int, dict, dict]:
    """(status, body, headers) of one delta page over the items of folder_of(call) that `wanted` keeps;
    `entries` gives what a changed item shows (one entry, or a series' occurrences), with call.query
    holding the options the round began with."""
    mailbox = call.mailbox
    epoch = call.sandbox.delta_epoch(mailbox.address)
    token = call.query.get("$skiptoken") or call.query.get("$deltatoken")
    if token is None:
        folder = folder_of(call)
        state = {"f": folder.id, "s": 0, "e": epoch, "q": {k: v for k, v in call.query.items() if k in KEPT}}
    else:
        state = _decode(token)
        if state["e"] != epoch or state["f"] not in mailbox.folders:
            raise GraphError(410, "SyncStateNotFound", "The sync state generation is not found. Restart the "
                             "synchronization without a token.")
        folder = mailbox.folders[state["f"]]
        call.query = {**state.get("q", {}), **call.query}
    upto = state.get("u", mailbox.seq)
    after = state.get("a", state["s"])
    size = max(1, min(int(call.prefer("odata.maxpagesize") or DEFAULT_PAGE), MAX_PAGE))
    changes = [(seq, what, thing) for seq, what, thing in mailbox.item_changes(folder, state["s"])
               if after < seq <= upto and (what == "Delete" or wanted(thing))]
    page, more = changes[:size], len(changes) > size
    value = []
    for _seq, what, thing in page:
        if what == "Delete":
            value.append({"@odata.type": f"#microsoft.graph.{kind}", "id": thing, "@removed": {"reason": "deleted"}})
        else:
            value += entries(thing)
    reply = {"@odata.context": call.context(f"Collection({kind})"), "value": value}
    if more:
        link = "@odata.nextLink", {"$skiptoken": _encode({**state, "u": upto, "a": page[-1][0]})}
    else:
        link = "@odata.deltaLink", {"$deltatoken": _encode({"f": folder.id, "s": upto, "e": epoch,
                                                            "q": state.get("q", {})})}
    reply[link[0]] = f"{call.base}{call.path}?{urlencode(link[1], safe='$')}"
    return 200, reply, {"Preference-Applied": f"odata.maxpagesize={size}"}
