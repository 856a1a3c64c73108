"""translateExchangeIds between EWS's ids and Graph's. The sandbox's EWS ids are already URL-safe (what
Graph's REST ids are: EWS's base64 with '/' and '+' replaced), so an ewsId and its restId are one string;
the translation still checks that each id names an item or folder of this mailbox."""
from __future__ import annotations

from .call import Call
from .replies import GraphError, not_implemented

SAME_FORM = {"ewsId", "restId"}


def translate(call: Call) -> tuple[int, dict]:
    body = call.json_body()
    source, target = body.get("sourceIdType"), body.get("targetIdType")
    if source not in SAME_FORM or target not in SAME_FORM:
        raise not_implemented(f"translating {source} to {target} (only ewsId and restId)")
    ids = body.get("inputIds")
    if not isinstance(ids, list) or not ids or len(ids) > 1000:
        raise GraphError(400, "ErrorInvalidRequest", "inputIds must hold 1 to 1000 ids.")
    mailbox = call.mailbox
    value = []
    for given in ids:
        known = given in mailbox.items or given in mailbox.folders
        value.append({"sourceId": given, "targetId": given} if known else
                     {"sourceId": given, "errorDetails": {"code": "ErrorInvalidIdMalformed",
                                                          "message": "Id is malformed."}})
    return 200, {"@odata.context": call.context("Collection(microsoft.graph.convertIdResult)"), "value": value}
