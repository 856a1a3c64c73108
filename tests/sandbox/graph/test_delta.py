"""Delta per mail folder: paged rounds (Prefer: odata.maxpagesize), skip and delta tokens as absolute links,
@removed entries, changes made while paging, and 410 SyncStateNotFound for an expired token."""
from __future__ import annotations


def _round(client, url: str, page_size: int = 2) -> tuple[list[dict], str, int]:
    """All entries of one delta round, its deltaLink and how many pages it took."""
    entries, pages = [], 0
    while True:
        reply = client.get(url, "delta:graph.message", headers={"Prefer": f"odata.maxpagesize={page_size}"})
        assert reply.status_code == 200 and reply.headers["Preference-Applied"] == f"odata.maxpagesize={page_size}"
        body, pages = reply.json(), pages + 1
        assert len(body["value"]) <= page_size
        entries += body["value"]
        if "@odata.deltaLink" in body:
            return entries, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]
        assert "$skiptoken=" in url


def test_delta_rounds_page_report_changes_and_removals(client, sandbox, user):
    ids = [sandbox.add_message(user, subject=f"M{n}", to=[user]) for n in range(5)]
    first, delta_link, pages = _round(client, f"/users/{user}/mailFolders/inbox/messages/delta")
    assert sorted(m["subject"] for m in first) == ["M0", "M1", "M2", "M3", "M4"] and pages == 3
    assert delta_link.startswith(client.server.graph_url) and "$deltatoken=" in delta_link
    idle, delta_link, _ = _round(client, delta_link)
    assert idle == []
    client.call("PATCH", f"/users/{user}/messages/{ids[0]}", "graph.message", {"isRead": True})
    with sandbox.store.lock:
        mailbox, item = sandbox.store.find_item(ids[1])
        mailbox.remove_item(item)
    new = sandbox.add_message(user, subject="M5", to=[user])
    changes, delta_link, _ = _round(client, delta_link)
    assert [(c["id"], c.get("isRead"), c.get("@removed")) for c in changes] == [
        (ids[0], True, None), (ids[1], None, {"reason": "deleted"}), (new, False, None)]


def test_changes_made_while_paging_come_in_the_next_round_not_twice(client, sandbox, user):
    for n in range(4):
        sandbox.add_message(user, subject=f"M{n}", to=[user])
    page = client.get(f"/users/{user}/mailFolders/inbox/messages/delta", "delta:graph.message",
                      headers={"Prefer": "odata.maxpagesize=2"}).json()
    late = sandbox.add_message(user, subject="late", to=[user])
    rest, delta_link, _ = _round(client, page["@odata.nextLink"])
    assert sorted(m["subject"] for m in page["value"] + rest) == ["M0", "M1", "M2", "M3"]
    following, _, _ = _round(client, delta_link)
    assert [m["id"] for m in following] == [late]


def test_select_is_kept_across_pages(client, sandbox, user):
    for n in range(3):
        sandbox.add_message(user, subject=f"M{n}", to=[user])
    entries, _, _ = _round(client, f"/users/{user}/mailFolders/inbox/messages/delta?$select=subject")
    assert {frozenset(e) for e in entries} == {frozenset({"@odata.etag", "id", "subject"})}


def test_an_expired_delta_token_is_410_sync_state_not_found(client, graph, sandbox, user):
    sandbox.add_message(user, subject="M", to=[user])
    _, delta_link, _ = _round(client, f"/users/{user}/mailFolders/inbox/messages/delta")
    graph.expire_delta_tokens(user)
    gone = client.get(delta_link)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "SyncStateNotFound"
    again, _, _ = _round(client, f"/users/{user}/mailFolders/inbox/messages/delta")
    assert [m["subject"] for m in again] == ["M"]
    corrupt = client.get(f"/users/{user}/mailFolders/inbox/messages/delta?$deltatoken=garbage")
    assert corrupt.status_code == 400 and corrupt.json()["error"]["code"] == "ErrorInvalidSyncStateData"
