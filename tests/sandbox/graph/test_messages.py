"""Users, mail folders and messages over Graph, on the store the EWS sandbox serves: list with $select, $top,
$filter and $orderby, get, MIME, PATCH with If-Match, move; every body validated against Graph's schema."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

from crmsync_gui.sandbox.graph.call import user_id

EXTENDED = "String {00020329-0000-0000-C000-000000000046} Name CrmTrackingId"


def test_a_user_is_found_by_id_and_by_upn(client, sandbox, user):
    by_upn = client.get(f"/users/{user}", "graph.user").json()
    assert client.get(f"/users/{by_upn['id']}", "graph.user").json() == by_upn
    assert by_upn["id"] == user_id(sandbox.store.get(user)) and by_upn["userPrincipalName"] == user
    missing = client.get("/users/nobody@sandbox.test")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorInvalidUser"


def test_mail_folders_by_well_known_name_and_their_child_folders(client, sandbox, user):
    clients = sandbox.add_folder(user, "Clients")
    names = {f["displayName"] for f in client.get(f"/users/{user}/mailFolders", "page:graph.mailFolder")
             .json()["value"]}
    assert {"Inbox", "Sent Items", "Drafts", "Deleted Items", "Junk Email"} <= names
    assert "Calendar" not in names  # not a mail folder
    inbox = client.get(f"/users/{user}/mailFolders/inbox", "graph.mailFolder").json()
    assert inbox["displayName"] == "Inbox" and inbox["childFolderCount"] == 1
    children = client.get(f"/users/{user}/mailFolders/inbox/childFolders", "page:graph.mailFolder").json()
    assert [(f["id"], f["displayName"]) for f in children["value"]] == [(clients, "Clients")]


def test_listing_selects_pages_filters_and_orders(client, sandbox, user):
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    ids = [sandbox.add_message(user, subject=f"Order {n}", sender="c@x.test", to=[user]) for n in range(5)]
    with sandbox.store.lock:
        for n, item_id in enumerate(ids):
            sandbox.store.find_item(item_id)[1].received = start + timedelta(days=n)
    path = f"/users/{user}/mailFolders/inbox/messages"
    first = client.get(f"{path}?$select=subject,receivedDateTime&$top=2", "page:graph.message").json()
    assert [m["subject"] for m in first["value"]] == ["Order 4", "Order 3"]  # newest first, as Graph
    assert set(first["value"][0]) == {"@odata.etag", "id", "subject", "receivedDateTime"}
    second = client.get(first["@odata.nextLink"], "page:graph.message").json()
    assert [m["subject"] for m in second["value"]] == ["Order 2", "Order 1"]
    since = (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    filtered = client.get(f"{path}?$filter=receivedDateTime ge {since}&$orderby=receivedDateTime asc",
                          "page:graph.message").json()
    assert [m["subject"] for m in filtered["value"]] == ["Order 2", "Order 3", "Order 4"]
    assert "@odata.nextLink" not in filtered
    bad = client.get(f"{path}?$filter=subject eq 'x'")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadRequest"


def test_a_message_its_mime_and_its_internet_headers(client, sandbox, user):
    item_id = sandbox.add_message(user, subject="Quote", body="Here it is", sender=("Carl", "carl@x.test"),
                                  to=[user], categories=["CRM"], message_id="<quote-1@x.test>",
                                  in_reply_to="<ask-1@x.test>")
    message = client.get(f"/users/{user}/messages/{item_id}", "graph.message").json()
    assert (message["subject"], message["internetMessageId"], message["categories"]) == (
        "Quote", "<quote-1@x.test>", ["CRM"])
    assert message["from"] == {"emailAddress": {"name": "Carl", "address": "carl@x.test"}}
    assert message["body"] == {"contentType": "text", "content": "Here it is"}
    assert message["@odata.etag"] == f'W/"{message["changeKey"]}"'
    mime = client.get(f"/users/{user}/messages/{item_id}/$value")
    assert mime.headers["Content-Type"].startswith("text/plain")
    parsed = message_from_bytes(mime.content)
    assert (parsed["Message-ID"], parsed["In-Reply-To"]) == ("<quote-1@x.test>", "<ask-1@x.test>")
    headers = client.get(f"/users/{user}/messages/{item_id}?$select=internetMessageHeaders",
                         "graph.message").json()["internetMessageHeaders"]
    assert {"name": "In-Reply-To", "value": "<ask-1@x.test>"} in headers


def test_the_mime_is_kept_until_what_it_is_written_from_changes(client, sandbox, user):
    item_id = sandbox.add_message(user, subject="Offer", body="Attached", to=[user], attachments=[
        ("offer.pdf", "application/pdf", b"%PDF-1.4 offer")])
    path = f"/users/{user}/messages/{item_id}"
    first = client.get(f"{path}/$value").content
    assert client.get(f"{path}/$value").content == first  # kept: the same boundary too
    client.call("PATCH", path, "graph.message", {"categories": ["Tracked to CRM"]})
    assert client.get(f"{path}/$value").content == first  # a category is not in the MIME
    client.call("PATCH", path, "graph.message", {"subject": "Offer, revised"})
    assert message_from_bytes(client.get(f"{path}/$value").content)["Subject"] == "Offer, revised"
    headers = client.get(f"{path}?$select=internetMessageHeaders", "graph.message").json()["internetMessageHeaders"]
    assert {"name": "Subject", "value": "Offer, revised"} in headers


def test_patch_with_if_match_changes_categories_and_extended_properties_seen_over_ews(client, sandbox, user):
    item_id = sandbox.add_message(user, subject="Tracked", to=[user])
    path = f"/users/{user}/messages/{item_id}"
    etag = client.get(path, "graph.message").json()["@odata.etag"]
    body = {"categories": ["CRM", "Tracked"], "singleValueExtendedProperties": [{"id": EXTENDED, "value": "42"}]}
    changed = client.call("PATCH", path, "graph.message", body, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json()["categories"] == ["CRM", "Tracked"]
    assert changed.json()["@odata.etag"] != etag
    expanded = client.get(f"{path}?$expand=singleValueExtendedProperties($filter=id eq '{EXTENDED}')",
                          "graph.message").json()
    assert expanded["singleValueExtendedProperties"] == [{"id": EXTENDED, "value": "42"}]
    over_ews = sandbox.items(user)[0]
    assert over_ews["categories"] == ["CRM", "Tracked"] and over_ews["extended_properties"] == 1
    stale = client.call("PATCH", path, None, {"categories": []}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "ErrorIrresolvableConflict"
    assert sandbox.items(user)[0]["categories"] == ["CRM", "Tracked"]  # nothing written


def test_move_gives_the_message_a_new_id_in_the_target_folder(client, sandbox, user):
    item_id = sandbox.add_message(user, subject="File me", to=[user])
    archive = sandbox.add_folder(user, "Archive")
    moved = client.call("POST", f"/users/{user}/messages/{item_id}/move", "graph.message",
                        {"destinationId": archive}, sends="action:move@graph.message")
    assert moved.status_code == 201
    assert moved.json()["parentFolderId"] == archive and moved.json()["id"] != item_id
    assert [i["subject"] for i in sandbox.items(user, archive)] == ["File me"]
    gone = client.get(f"/users/{user}/messages/{item_id}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"


def test_what_the_sandbox_does_not_do_is_a_graph_error_never_a_crash(client, user):
    for path, status, code in ((f"/users/{user}/messages/not-an-id", 400, "ErrorInvalidIdMalformed"),
                               (f"/users/{user}/onenote/pages", 501, "NotImplemented"),
                               ("/me/messages", 400, "BadRequest"),
                               (f"/users/{user}/mailFolders/inbox/messages?$orderby=size", 400, "BadRequest")):
        reply = client.get(path)
        assert (reply.status_code, reply.json()["error"]["code"]) == (status, code), path
    wrong_method = client.call("DELETE", f"/users/{user}/mailFolders/inbox/messages")
    assert wrong_method.status_code == 405
    immutable = client.get(f"/users/{user}/mailFolders/inbox/messages", headers={"Prefer": 'IdType="ImmutableId"'})
    assert immutable.status_code == 501 and "ImmutableId" in immutable.json()["error"]["message"]
