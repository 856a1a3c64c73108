"""Users (by id or UPN) and mail folders with their well-known names and child folders."""
from __future__ import annotations

from ..store import Folder, Mailbox
from .call import Call, user_id
from .replies import GraphError

HIDDEN_ROOTS = {"root", "recoverableitemsroot", "recoverableitemsdeletions"}


def user_json(mailbox: Mailbox) -> dict:
    return {"id": user_id(mailbox), "displayName": mailbox.name, "mail": mailbox.address,
            "userPrincipalName": mailbox.address, "businessPhones": []}


def folder_json(call: Call, folder: Folder) -> dict:
    mailbox = call.mailbox
    items = mailbox.items_in(folder)
    return {"id": folder.id, "displayName": folder.name, "parentFolderId": folder.parent_id,
            "childFolderCount": len(mailbox.subfolders(folder, deep=False)),
            "unreadItemCount": sum(1 for i in items if i.element == "Message" and i.text("IsRead") != "true"),
            "totalItemCount": len(items), "isHidden": False}


def get_user(call: Call) -> tuple[int, dict]:
    return 200, {"@odata.context": call.context("users/$entity"), **user_json(call.mailbox)}


def list_folders(call: Call) -> tuple[int, dict]:
    parent = call.folder(call.params.get("folder", "msgfolderroot"))
    children = [f for f in call.mailbox.subfolders(parent, deep=False)
                if f.element == "Folder" and f.distinguished not in HIDDEN_ROOTS]
    return 200, {"@odata.context": call.context("Collection(mailFolder)"),
                 "value": [folder_json(call, f) for f in children]}


def get_folder(call: Call) -> tuple[int, dict]:
    folder = call.folder(call.params["folder"])
    if folder.element != "Folder":
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return 200, {"@odata.context": call.context("mailFolders/$entity"), **folder_json(call, folder)}
