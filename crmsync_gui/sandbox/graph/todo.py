"""To Do over Graph: task lists (the mailbox's task folders; Tasks is the defaultList) and their tasks,
with create, PATCH, DELETE and delta, and a task's linkedResources (linked.py)."""
from __future__ import annotations

from ..soap import parse_time, sub, t, xml_time
from ..store import Folder, Item, new_id
from . import linked
from .call import Call
from .delta import delta
from .mail import check_change_key
from .messages import categories
from .replies import GraphError, etag, graph_time

STATUS = {"NotStarted": "notStarted", "InProgress": "inProgress", "Completed": "completed",
          "WaitingOnOthers": "waitingOnOthers", "Deferred": "deferred"}
NOT_FOUND = "The specified object was not found in the store."


def list_json(folder: Folder) -> dict:
    return {"id": folder.id, "displayName": folder.name, "isOwner": True, "isShared": False,
            "wellknownListName": "defaultList" if folder.distinguished == "tasks" else "none"}


def task_json(item: Item, select: list[str] | None = None) -> dict:
    body = item.fields.get("Body")
    due = item.text("DueDate")
    values = {
        "id": item.id, "title": item.text("Subject") or "",
        "status": STATUS.get(item.text("Status") or "NotStarted", "notStarted"),
        "importance": (item.text("Importance") or "Normal").lower(), "isReminderOn": False,
        "createdDateTime": graph_time(item.created), "lastModifiedDateTime": graph_time(item.modified),
        "categories": categories(item),
        "body": {"content": body.text or "" if body is not None else "", "contentType": "text"},
        "dueDateTime": {"dateTime": parse_time(due).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}
        if due else None,
    }
    wanted = set(select) | {"id"} if select else set(values)
    return {"@odata.etag": etag(item.change_key), **{k: v for k, v in values.items() if k in wanted}}


def _apply(item: Item, body: dict) -> None:
    unknown = set(body) - {"title", "status", "importance", "categories", "body", "dueDateTime", "@odata.type"}
    if linked.NAME in unknown:
        raise GraphError(400, "invalidRequest", "linkedResources are written with the task's POST or on "
                         "their own (POST .../linkedResources), not in a PATCH.")
    if unknown:
        raise GraphError(501, "NotImplemented", f"The Graph sandbox does not implement writing "
                         f"'{sorted(unknown)[0]}' of a task.")
    f = item.fields
    if "title" in body:
        f["Subject"] = t("Subject", body["title"] or "")
    if "status" in body:
        ews = {v: k for k, v in STATUS.items()}.get(body["status"])
        if ews is None:
            raise GraphError(400, "invalidRequest", f"'{body['status']}' is not a task status.")
        f["Status"] = t("Status", ews)
    if "importance" in body:
        f["Importance"] = t("Importance", (body["importance"] or "normal").capitalize())
    if "categories" in body:
        holder = t("Categories")
        for c in body["categories"] or []:
            sub(holder, "t", "String", c)
        f["Categories"] = holder
    if "body" in body:
        f["Body"] = t("Body", (body["body"] or {}).get("content") or "", BodyType="Text")
    if "dueDateTime" in body:
        due = body["dueDateTime"]
        if due:
            f["DueDate"] = t("DueDate", xml_time(parse_time(due["dateTime"])))
        else:
            f.pop("DueDate", None)


def _list(call: Call) -> Folder:
    folder = call.mailbox.folders.get(call.params["list"])
    if folder is None or folder.element != "TasksFolder":
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return folder


def _find(call: Call) -> Item:
    item = call.mailbox.items.get(call.params["task"])
    if item is None or item.element != "Task" or item.folder_id != _list(call).id:
        raise GraphError(404, "ErrorItemNotFound", NOT_FOUND)
    return item


def task_lists(call: Call) -> tuple[int, dict]:
    found = [f for f in call.mailbox.folders.values() if f.element == "TasksFolder"]
    return 200, {"@odata.context": call.context("Collection(todoTaskList)"), "value": [list_json(f) for f in found]}


def _shown(item: Item, call: Call) -> dict:
    return linked.expand(task_json(item, call.select()), item, call.query.get("$expand"))


def list_tasks(call: Call) -> tuple[int, dict]:
    wanted = linked.linking(call.query.get("$filter"))
    found = sorted((i for i in call.mailbox.items_in(_list(call)) if i.element == "Task" and wanted(i)),
                   key=lambda i: i.created_seq)
    return 200, {"@odata.context": call.context("Collection(todoTask)"), "value": [_shown(i, call) for i in found]}


def get_task(call: Call) -> tuple[int, dict]:
    return 200, {"@odata.context": call.context("todoTask/$entity"), **_shown(_find(call), call)}


def create_task(call: Call) -> tuple[int, dict]:
    item = Item(new_id("AAMkI", call.mailbox.tag), "Task", "", {})
    item.fields["Status"] = t("Status", "NotStarted")
    body = dict(call.json_body())
    resources = body.pop(linked.NAME, None)
    _apply(item, body)
    if resources is not None:
        linked.write(item, resources, call.mailbox.tag)
    call.mailbox.put_item(item, _list(call))
    reply = task_json(item)
    if resources is not None:  # Graph answers a deep insert with what it inserted
        reply[linked.NAME] = linked.of(item)
    return 201, {"@odata.context": call.context("todoTask/$entity"), **reply}


def patch_task(call: Call) -> tuple[int, dict]:
    item = _find(call)
    check_change_key(call, item)
    _apply(item, call.json_body())
    call.mailbox.touch_item(item)
    return 200, {"@odata.context": call.context("todoTask/$entity"), **task_json(item)}


def delete_task(call: Call) -> tuple[int, None]:
    call.mailbox.remove_item(_find(call))  # To Do deletes a task for good
    return 204, None


def list_linked(call: Call) -> tuple[int, dict]:
    return 200, {"@odata.context": call.context("Collection(linkedResource)"), "value": linked.of(_find(call))}


def add_linked(call: Call) -> tuple[int, dict]:
    item = _find(call)
    made = linked.add(item, call.json_body(), call.mailbox.tag)
    call.mailbox.touch_item(item)
    return 201, {"@odata.context": call.context("linkedResource/$entity"), **made}


def tasks_delta(call: Call):
    return delta(call, _list, "todoTask", lambda item: [task_json(item, call.select())], lambda i: i.element == "Task")
