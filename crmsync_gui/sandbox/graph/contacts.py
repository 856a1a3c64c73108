"""Contacts over Graph: contact folders, a folder's contacts (filtered on an extended property), one contact,
create, PATCH, DELETE and delta; $expand shows single-value extended properties."""
from __future__ import annotations

from lxml import etree

from ..soap import T_NS, sub, t
from ..store import Folder, Item, new_id
from . import extended
from .call import Call
from .delta import delta
from .mail import check_change_key
from .messages import categories
from .replies import GraphError, etag, graph_time

PHONES = {"businessPhones": "BusinessPhone", "homePhones": "HomePhone"}
TEXTS = {"displayName": "DisplayName", "givenName": "GivenName", "surname": "Surname", "companyName": "CompanyName",
         "jobTitle": "JobTitle", "fileAs": "FileAs", "mobilePhone": None}


def _entries(item: Item, name: str) -> dict[str, str]:
    holder = item.fields.get(name)
    if not isinstance(holder, etree._Element):
        return {}
    return {e.get("Key"): e.text or "" for e in holder.iter(f"{{{T_NS}}}Entry")}


def contact_json(item: Item, call: Call, select: list[str] | None = None) -> dict:
    phones = _entries(item, "PhoneNumbers")
    values = {
        "id": item.id, "changeKey": item.change_key, "createdDateTime": graph_time(item.created),
        "lastModifiedDateTime": graph_time(item.modified), "categories": categories(item),
        "parentFolderId": item.folder_id,
        **{g: item.text(e) for g, e in TEXTS.items() if e},
        "emailAddresses": [{"name": item.text("DisplayName") or a, "address": a}
                           for k, a in sorted(_entries(item, "EmailAddresses").items())],
        "mobilePhone": phones.get("MobilePhone"),
        **{g: [phones[e]] if e in phones else [] for g, e in PHONES.items()},
    }
    wanted = set(select) | {"id"} if select else set(values)
    return {"@odata.etag": etag(item.change_key), **{k: v for k, v in values.items() if k in wanted}}


def _apply(item: Item, body: dict) -> None:
    unknown = set(body) - set(TEXTS) - set(PHONES) - {"categories", "emailAddresses", "@odata.type", extended.NAME}
    if unknown:
        raise GraphError(501, "NotImplemented", f"The Graph sandbox does not implement writing "
                         f"'{sorted(unknown)[0]}' of a contact.")
    f = item.fields
    for graph_name, ews_name in TEXTS.items():
        if graph_name in body and ews_name:
            f[ews_name] = t(ews_name, body[graph_name] or "")
    if "categories" in body:
        holder = t("Categories")
        for c in body["categories"] or []:
            sub(holder, "t", "String", c)
        f["Categories"] = holder
    if "emailAddresses" in body:
        holder = t("EmailAddresses")
        for n, address in enumerate(body["emailAddresses"][:3], 1):
            sub(holder, "t", "Entry", address.get("address", ""), Key=f"EmailAddress{n}")
        _keep(f, "EmailAddresses", holder)
    phones = _entries(item, "PhoneNumbers")  # a PATCH sets or clears the ones it names, keeps the others
    given = {e: (body[g] or [None])[0] for g, e in PHONES.items() if g in body}
    if "mobilePhone" in body:
        given["MobilePhone"] = body["mobilePhone"]
    if given:
        phones = {k: v for k, v in {**phones, **given}.items() if v}
        holder = t("PhoneNumbers")
        for key, number in phones.items():
            sub(holder, "t", "Entry", number, Key=key)
        _keep(f, "PhoneNumbers", holder)
    extended.write(item, body.get(extended.NAME))


def _keep(fields: dict, name: str, holder: etree._Element) -> None:
    """A dictionary of entries as EWS holds it: none is no element (the schema wants one Entry at least)."""
    if len(holder):
        fields[name] = holder
    else:
        fields.pop(name, None)


def _folder(call: Call) -> Folder:
    folder = call.folder(call.params.get("folder", "contacts"))
    if folder.element != "ContactsFolder":
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return folder


def _find(call: Call) -> Item:
    item = call.mailbox.items.get(call.params["contact"])
    if item is None or item.element != "Contact":
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return item


def list_folders(call: Call) -> tuple[int, dict]:
    found = [f for f in call.mailbox.folders.values() if f.element == "ContactsFolder"]
    return 200, {"@odata.context": call.context("Collection(contactFolder)"), "value": [
        {"id": f.id, "displayName": f.name, "parentFolderId": f.parent_id} for f in found]}


def list_contacts(call: Call) -> tuple[int, dict]:
    keep = extended.carrying(call.query.get("$filter"))
    found = [i for i in call.mailbox.items_in(_folder(call)) if i.element == "Contact" and keep(i)]
    return 200, {"@odata.context": call.context("Collection(contact)"),
                 "value": [extended.expand(contact_json(i, call, call.select()), i, call)
                           for i in sorted(found, key=lambda i: i.created_seq)]}


def get_contact(call: Call) -> tuple[int, dict]:
    item = _find(call)
    return 200, {"@odata.context": call.context("contacts/$entity"),
                 **extended.expand(contact_json(item, call, call.select()), item, call)}


def create_contact(call: Call) -> tuple[int, dict]:
    item = Item(new_id("AAMkI", call.mailbox.tag), "Contact", "", {})
    _apply(item, call.json_body())
    call.mailbox.put_item(item, _folder(call))
    return 201, {"@odata.context": call.context("contacts/$entity"), **contact_json(item, call)}


def patch_contact(call: Call) -> tuple[int, dict]:
    item = _find(call)
    check_change_key(call, item)
    _apply(item, call.json_body())
    call.mailbox.touch_item(item)
    return 200, {"@odata.context": call.context("contacts/$entity"), **contact_json(item, call)}


def delete_contact(call: Call) -> tuple[int, None]:
    """As Exchange Online does: the contact moves to Deleted Items (its folder syncs a delete)."""
    call.mailbox.move_item(_find(call), call.folder("deleteditems"))
    return 204, None


def contacts_delta(call: Call):
    return delta(call, _folder, "contact", lambda item: [contact_json(item, call, call.select())],
                 lambda i: i.element == "Contact")
