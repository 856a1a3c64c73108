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


def test_a_task_links_the_record_it_comes_from(client, sandbox, user):
    """linkedResources: written with the task's POST or on their own, shown by $expand, found by $filter."""
    sandbox.add_task(user, subject="Call Dana")
    [default] = client.get(f"/users/{user}/todo/lists", "page:graph.todoTaskList").json()["value"]
    tasks = f"/users/{user}/todo/lists/{default['id']}/tasks"
    link = {"applicationName": "crmsync", "displayName": "Send quote", "externalId": "ab'12"}
    made = client.call("POST", tasks, "graph.todoTask", {"title": "Send quote", "linkedResources": [link]},
                       sends="graph.todoTask").json()
    assert [{k: r[k] for k in link} for r in made["linkedResources"]] == [link]
    found = client.get(f"{tasks}?$filter=linkedResources/any(r: r/externalId eq 'ab''12')&$select=title",
                       "page:graph.todoTask").json()["value"]
    assert [(t["id"], t["title"]) for t in found] == [(made["id"], "Send quote")]
    assert client.get(f"{tasks}?$filter=linkedResources/any(r: r/externalId eq 'other')",
                      "page:graph.todoTask").json()["value"] == []
    shown = client.get(f"{tasks}/{made['id']}?$expand=linkedResources", "graph.todoTask").json()
    assert [r["externalId"] for r in shown["linkedResources"]] == ["ab'12"]
    client.call("POST", f"{tasks}/{made['id']}/linkedResources", "graph.linkedResource",
                {"applicationName": "Mail", "externalId": "m-1"}, sends="graph.linkedResource")
    listed = client.get(f"{tasks}/{made['id']}/linkedResources", "page:graph.linkedResource").json()["value"]
    assert [r["externalId"] for r in listed] == ["ab'12", "m-1"]
    assert "linkedResources" not in client.get(f"{tasks}/{made['id']}", "graph.todoTask").json()
    refused = client.get(f"{tasks}?$filter=title eq 'Send quote'")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "BadRequest"
    patched = client.call("PATCH", f"{tasks}/{made['id']}", None, {"linkedResources": [link]}, sends="graph.todoTask")
    assert patched.status_code == 400


def test_a_patch_clears_a_contacts_email_and_phone_as_ews_holds_none(client, sandbox, user):
    seeded = sandbox.add_contact(user, given_name="Dana", email="dana@x.test", phone="+1 555 0100")
    dana = client.get(f"/users/{user}/contacts/{seeded}", "graph.contact").json()
    cleared = client.call("PATCH", f"/users/{user}/contacts/{seeded}", "graph.contact",
                          {"emailAddresses": [], "businessPhones": []}, sends="graph.contact",
                          headers={"If-Match": dana["@odata.etag"]}).json()
    assert (cleared["emailAddresses"], cleared["businessPhones"]) == ([], [])
    fields = sandbox.store.get(user).items[seeded].fields  # EWS's schema wants an Entry in each, or no element
    assert "EmailAddresses" not in fields and "PhoneNumbers" not in fields
