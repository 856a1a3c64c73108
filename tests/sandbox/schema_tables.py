"""Derive, from Microsoft's types.xsd, the element order of the item and folder types the sandbox stores.

The sandbox ships the result as crmsync_gui/sandbox/schema_order.py (it must run where the schema is absent);
test_schema_order.py checks that table still matches the schema.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
# element name in a reply -> the schema's complex type
TYPES = {
    "Item": "ItemType", "Message": "MessageType", "Contact": "ContactItemType", "Task": "TaskType",
    "CalendarItem": "CalendarItemType", "Folder": "FolderType", "CalendarFolder": "CalendarFolderType",
    "ContactsFolder": "ContactsFolderType", "TasksFolder": "TasksFolderType", "SearchFolder": "SearchFolderType",
    "MeetingRequest": "MeetingRequestMessageType", "MeetingResponse": "MeetingResponseMessageType",
    "MeetingCancellation": "MeetingCancellationMessageType",
}


def _elements(node, types) -> list[str]:
    names: list[str] = []
    for child in node:
        if child.tag == f"{XS}element":
            names.append(child.get("name") or child.get("ref").split(":")[-1])
        elif child.tag in (f"{XS}sequence", f"{XS}choice", f"{XS}complexContent"):
            names += _elements(child, types)
        elif child.tag == f"{XS}extension":
            names += _flatten(child.get("base").split(":")[-1], types) + _elements(child, types)
    return names


def _flatten(type_name: str, types) -> list[str]:
    return _elements(types[type_name], types)


def derive(schema_dir: Path) -> dict[str, tuple[str, ...]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    doc = etree.parse(str(schema_dir / "types.xsd"), parser)
    types = {t.get("name"): t for t in doc.getroot().iter(f"{XS}complexType") if t.get("name")}
    return {element: tuple(_flatten(type_name, types)) for element, type_name in TYPES.items()}


if __name__ == "__main__":
    import pprint
    import sys

    print(pprint.pformat(derive(Path(sys.argv[1])), width=110, compact=True))
