"""Folder tracking rules: every email in these folders of a mailbox is tracked, optionally regarding a record."""
from __future__ import annotations

from typing import Any

from crmsync_gui.core import codes
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.messages import reason
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import Account, Contact, FolderTrackingRule, Lead, Mailbox

REGARDING_MODELS = {"account": Account, "contact": Contact, "lead": Lead}


def save_folder_rules(mailbox: Mailbox, rules: list[dict[str, Any]]) -> list[FolderTrackingRule]:
    """Replace the mailbox's folder tracking rules: {"folder", "regarding_type", "regarding_id"}, at most 25."""
    problems = {}
    if len(rules) > codes.MAX_TRACKED_FOLDERS:
        problems["rules"] = reason("TooManyFolders", most=codes.MAX_TRACKED_FOLDERS, given=len(rules),
                                   extra=len(rules) - codes.MAX_TRACKED_FOLDERS)
    seen = set()
    for n, rule in enumerate(rules, 1):
        folder = str(rule.get("folder") or "").strip().strip("/")
        if not folder:
            problems[f"folder {n}"] = reason("FolderNeeded", n=n)
        elif folder.lower() in seen:
            problems[f"folder {n}"] = reason("FolderTwice", given=folder)
        seen.add(folder.lower())
        kind, record_id = rule.get("regarding_type"), rule.get("regarding_id")
        if kind:
            model = REGARDING_MODELS.get(kind)
            if model is None:
                problems[f"regarding {n}"] = reason("RegardingKind", n=n, given=repr(kind))
            elif record_id is None:
                problems[f"regarding {n}"] = reason("RegardingBoth", n=n)
            elif model.get_or_none(model.id == record_id) is None:
                problems[f"regarding {n}"] = reason("RegardingMissing", n=n, kind=kind, given=str(record_id))
    if problems:
        raise ValidationError(problems)
    with database_proxy.atomic():
        FolderTrackingRule.delete().where(FolderTrackingRule.mailbox == mailbox.id).execute()
        return [FolderTrackingRule.create(mailbox=mailbox, folder=str(r["folder"]).strip().strip("/"),
                                          regarding_type=r.get("regarding_type") or None,
                                          regarding_id=r.get("regarding_id") if r.get("regarding_type") else None)
                for r in rules]
