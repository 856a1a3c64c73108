"""Contacts and To Do tasks over Graph: list, create, PATCH and delta, on the store EWS serves."""
from __future__ import annotations


def _round(client, url: str, kind: str) -> tuple[list[dict], str]:
    entries = []
    while True:
        body = client.get(url, f"delta:{kind}", headers={"Prefer": "odata.maxpagesize=2"}).json()
        entries += body["value"]
        if "@odata.deltaLink" in body:
            return entries, body["@odata.deltaLink"]
        url = body["@odata.nextLink"]


def test_contacts_list_create_patch_and_delta(client, sandbox, user):
    seeded = sandbox.add_contact(user, given_name="Dana", surname="Lee", email="dana@x.test", company="Lee & Co",
                                 phone="+1 555 0100")
    folders = client.get(f"/users/{user}/contactFolders", "page:graph.contactFolder").json()["value"]
    assert [f["displayName"] for f in folders] == ["Contacts"]
    [dana] = client.get(f"/users/{user}/contacts", "page:graph.contact").json()["value"]
    assert (dana["id"], dana["displayName"], dana["companyName"], dana["businessPhones"]) == (
        seeded, "Dana Lee", "Lee & Co", ["+1 555 0100"])
    assert dana["emailAddresses"] == [{"name": "Dana Lee", "address": "dana@x.test"}]
    entries, delta_link = _round(client, f"/users/{user}/contacts/delta", "graph.contact")
    assert [e["id"] for e in entries] == [seeded]
    made = client.call("POST", f"/users/{user}/contacts", "graph.contact",
                       {"givenName": "Eli", "surname": "Ng", "displayName": "Eli Ng",
                        "emailAddresses": [{"address": "eli@x.test"}]}, sends="graph.contact").json()
    changed = client.call("PATCH", f"/users/{user}/contacts/{seeded}", "graph.contact", {"jobTitle": "Buyer"},
                          sends="graph.contact", headers={"If-Match": dana["@odata.etag"]})
    assert changed.json()["jobTitle"] == "Buyer"
    entries, _ = _round(client, delta_link, "graph.contact")
    assert sorted(e["id"] for e in entries) == sorted([seeded, made["id"]])
    assert {i["subject"] or i["id"] for i in sandbox.items(user, "contacts")} >= {seeded, made["id"]}


def test_todo_lists_and_tasks_with_delta(client, sandbox, user):
    seeded = sandbox.add_task(user, subject="Call Dana", status="InProgress")
    [default] = client.get(f"/users/{user}/todo/lists", "page:graph.todoTaskList").json()["value"]
    assert default["wellknownListName"] == "defaultList"
    tasks = f"/users/{user}/todo/lists/{default['id']}/tasks"
    [task] = client.get(tasks, "page:graph.todoTask").json()["value"]
    assert (task["id"], task["title"], task["status"]) == (seeded, "Call Dana", "inProgress")
    entries, delta_link = _round(client, f"{tasks}/delta", "graph.todoTask")
    assert [e["id"] for e in entries] == [seeded]
    made = client.call("POST", tasks, "graph.todoTask", {"title": "Send quote", "dueDateTime": {
        "dateTime": "2026-12-10T17:00:00", "timeZone": "UTC"}}, sends="graph.todoTask").json()
    client.call("PATCH", f"{tasks}/{seeded}", "graph.todoTask", {"status": "completed"}, sends="graph.todoTask")
    entries, _ = _round(client, delta_link, "graph.todoTask")
    assert {e["id"]: e["status"] for e in entries} == {seeded: "completed", made["id"]: "notStarted"}
    assert made["dueDateTime"]["dateTime"].startswith("2026-12-10T17:00:00")
    assert {i["subject"] for i in sandbox.items(user, "tasks")} == {"Call Dana", "Send quote"}


def test_deleting_a_contact_and_a_task(client, sandbox, user):
    contact = sandbox.add_contact(user, given_name="Dana", email="dana@x.test")
    task = sandbox.add_task(user, subject="Call Dana")
    [default] = client.get(f"/users/{user}/todo/lists", "page:graph.todoTaskList").json()["value"]
    _, contacts_link = _round(client, f"/users/{user}/contacts/delta", "graph.contact")
    tasks = f"/users/{user}/todo/lists/{default['id']}/tasks"
    _, tasks_link = _round(client, f"{tasks}/delta", "graph.todoTask")
    assert client.call("DELETE", f"/users/{user}/contacts/{contact}").status_code == 204
    assert client.call("DELETE", f"{tasks}/{task}").status_code == 204
    assert sandbox.items(user, "contacts") == [] and sandbox.items(user, "tasks") == []
    assert [i["id"] for i in sandbox.items(user, "deleteditems")] != []  # the contact, as Outlook keeps it
    assert [e["id"] for e in _round(client, contacts_link, "graph.contact")[0] if "@removed" in e] == [contact]
    assert [e["id"] for e in _round(client, tasks_link, "graph.todoTask")[0] if "@removed" in e] == [task]
    again = client.call("DELETE", f"{tasks}/{task}")
    assert again.status_code == 404 and again.json()["error"]["code"] == "ErrorItemNotFound"
