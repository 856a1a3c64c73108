"""translateExchangeIds: a mailbox's EWS ids as Graph REST ids, or back, for a cut-over between the protocols."""
from __future__ import annotations

from crmsync_gui.core import codes

MAX_IDS = 1000  # Graph's limit per translateExchangeIds request
ID_TYPES = {codes.ExchangeProtocol.GRAPH: ("ewsId", "restId"), codes.ExchangeProtocol.EWS: ("restId", "ewsId")}


async def translate_ids(session, job, ids: list[str], *, to: codes.ExchangeProtocol) -> dict[str, str]:
    """{id: the same item's id over `to`} for every id the mailbox still holds; ids it does not know are left out."""
    source, target = ID_TYPES[codes.ExchangeProtocol(to)]
    url = session.user_url(job, "translateExchangeIds")
    found: dict[str, str] = {}
    for start in range(0, len(ids), MAX_IDS):
        reply = await session.call(job, f"translating the item ids of {job.mailbox.email}", "POST", url,
                                   json={"inputIds": ids[start:start + MAX_IDS], "sourceIdType": source,
                                         "targetIdType": target})
        found.update({r["sourceId"]: r["targetId"] for r in (reply or {}).get("value") or [] if r.get("targetId")})
    return found
