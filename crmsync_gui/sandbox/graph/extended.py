"""Single-value extended properties over Graph, kept as the store's EWS ExtendedProperty elements so EWS and
Graph clients see the same ones: their Graph ids, what `$expand=singleValueExtendedProperties` shows, what a
POST or PATCH writes, and the one `$filter` Graph documents on them
(`singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...')`)."""
from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from .. import items as it
from ..soap import T_NS, sub, t
from ..store import Item
from .call import Call
from .query import expanded_properties
from .replies import GraphError

NAME = "singleValueExtendedProperties"
# Graph names of the property sets EWS knows by name (MS-OXPROPS)
PROPERTY_SETS = {"PublicStrings": "00020329-0000-0000-C000-000000000046",
                 "InternetHeaders": "00020386-0000-0000-C000-000000000046",
                 "Common": "00062008-0000-0000-C000-000000000046"}
_ANY = re.compile(r"^\s*singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+'((?:[^']|'')*)'\s+and\s+"
                  r"\1/value\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)


def graph_property_id(prop: etree._Element) -> str:
    """'String {guid} Name X' / 'String 0x7D' / 'Integer {guid} Id 0x8503' from an EWS ExtendedFieldURI."""
    uri = prop.find(f"{{{T_NS}}}ExtendedFieldURI")
    kind = uri.get("PropertyType", "String")
    if uri.get("PropertyTag"):
        return f"{kind} {uri.get('PropertyTag')}"
    guid = uri.get("PropertySetId") or PROPERTY_SETS.get(uri.get("DistinguishedPropertySetId", ""), "")
    if uri.get("PropertyName") is not None:
        return f"{kind} {{{guid}}} Name {uri.get('PropertyName')}"
    return f"{kind} {{{guid}}} Id {int(uri.get('PropertyId', '0')):#x}"


def ews_property_uri(graph_id: str) -> etree._Element:
    parts = graph_id.split(" ", 3)
    if len(parts) == 2 and parts[1].lower().startswith("0x"):
        return t("ExtendedFieldURI", PropertyTag=parts[1], PropertyType=parts[0])
    if len(parts) == 4 and parts[1].startswith("{") and parts[2] in ("Name", "Id"):
        guid = parts[1].strip("{}")
        if parts[2] == "Name":
            return t("ExtendedFieldURI", PropertySetId=guid, PropertyName=parts[3], PropertyType=parts[0])
        return t("ExtendedFieldURI", PropertySetId=guid, PropertyId=str(int(parts[3], 0)), PropertyType=parts[0])
    raise GraphError(400, "ErrorInvalidProperty", f"The extended property id '{graph_id}' is not valid.")


def _props(item: Item) -> list[dict]:
    return [{"id": graph_property_id(p), "value": p.findtext(f"{{{T_NS}}}Value") or ""}
            for p in item.fields.get("ExtendedProperty", [])]


def shown(item: Item, ids: list[str]) -> list[dict]:
    """The item's properties as `$expand` shows them: all ([]) or those of the lower-case ids asked for."""
    return [p for p in _props(item) if not ids or p["id"].lower() in ids]


def expand(reply: dict, item: Item, call: Call) -> dict:
    """The reply with the item's properties when the request asked for them ($expand), as Graph adds them."""
    ids = expanded_properties(call.query.get("$expand"))
    return reply if ids is None else {**reply, NAME: shown(item, ids)}


def write(item: Item, props: list[dict] | None) -> None:
    """A POST's or PATCH's singleValueExtendedProperties: each one set (a property of the same id replaced)."""
    f = item.fields
    for prop in props or []:
        uri = ews_property_uri(prop["id"])
        kept = [p for p in f.get("ExtendedProperty", []) if not it.extended_matches(p, uri)]
        el = t("ExtendedProperty")
        el.append(uri)
        sub(el, "t", "Value", str(prop.get("value", "")))
        f["ExtendedProperty"] = [*kept, el]


def carrying(raw: str | None) -> Callable[[Item], bool]:
    """A predicate for `$filter=singleValueExtendedProperties/Any(ep: ep/id eq 'ID' and ep/value eq 'V')` (none:
    every item); any other filter is refused with Graph's 400, never ignored."""
    if not raw:
        return lambda _item: True
    match = _ANY.match(raw)
    if match is None:
        raise GraphError(400, "BadRequest", "Invalid filter clause: the sandbox filters this collection on "
                         "singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...') only.")
    wanted_id, wanted_value = (group.replace("''", "'").lower() for group in match.group(2, 3))
    return lambda item: any(p["id"].lower() == wanted_id and p["value"].lower() == wanted_value
                            for p in _props(item))
