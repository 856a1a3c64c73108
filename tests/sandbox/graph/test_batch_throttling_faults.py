"""$batch (20 at most, dependsOn), Exchange Online's limits (4 in flight per app and mailbox, then 429
MailboxConcurrency with Retry-After; 10,000 per 10 minutes) and scripted faults, with the counters tests read."""
from __future__ import annotations

import asyncio
import ssl

import aiohttp
import pytest

from crmsync_gui.sandbox.graph.replies import GraphError
from crmsync_gui.sandbox.graph.throttle import Throttle


def test_a_batch_answers_each_request_and_respects_depends_on(client, sandbox, user):
    item_id = sandbox.add_message(user, subject="Batched", to=[user])
    requests = [
        {"id": "1", "method": "GET", "url": f"/users/{user}/messages/{item_id}?$select=subject"},
        {"id": "2", "method": "PATCH", "url": f"/users/{user}/messages/{item_id}", "dependsOn": ["1"],
         "headers": {"Content-Type": "application/json"}, "body": {"categories": ["CRM"]}},
        {"id": "3", "method": "GET", "url": f"/users/{user}/messages/AAMkI999.gone"},
        {"id": "4", "method": "GET", "url": f"/users/{user}/mailFolders/inbox", "dependsOn": ["3"]},
    ]
    reply = client.batch(requests, {"1": "graph.message", "2": "graph.message"})
    answers = {a["id"]: a for a in reply.json()["responses"]}
    assert {k: a["status"] for k, a in answers.items()} == {"1": 200, "2": 200, "3": 404, "4": 424}
    assert answers["1"]["body"]["subject"] == "Batched" and answers["2"]["body"]["categories"] == ["CRM"]
    assert [m["categories"] for m in sandbox.items(user)] == [["CRM"]]
    too_many = [{"id": str(n), "method": "GET", "url": f"/users/{user}"} for n in range(21)]
    refused = client.batch(too_many)
    assert refused.status_code == 400 and "20" in refused.json()["error"]["message"]


def test_eight_at_once_to_one_mailbox_four_served_four_throttled(client, graph, sandbox, user):
    sandbox.add_message(user, subject="Busy", to=[user])
    graph.inject("delay", mailbox=user, operation="list_messages", seconds=0.5)  # keeps the first four in flight
    url = f"{graph.graph_url}/users/{user}/mailFolders/inbox/messages"

    async def eight():
        connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=graph.ca_file))
        async with aiohttp.ClientSession(connector=connector) as session:
            async def one():
                async with session.get(url, headers={"Authorization": f"Bearer {client.token}"}) as reply:
                    return reply.status, reply.headers.get("Retry-After"), await reply.json()
            return await asyncio.gather(*(one() for _ in range(8)))

    results = asyncio.run(eight())
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * 4 + [429] * 4
    for status, retry_after, body in results:
        problems = client.schema.check_page(body, "graph.message") if status == 200 else client.schema.check_error(body)
        assert problems == []
        if status == 429:
            assert retry_after == "1" and body["error"]["code"] == "ApplicationThrottled"
            assert body["error"]["message"] == "Application is over its MailboxConcurrency limit."
    assert graph.peak_concurrent(user) == 4 and graph.throttled(user) == 4
    assert graph.requests_by_operation(user)["list_messages"] == 4


def test_the_ten_minute_request_budget_then_429_with_retry_after():
    throttle = Throttle(per_window=3)
    for _ in range(3):
        with throttle.admit("app", "ann@x.test"):
            pass
    with pytest.raises(GraphError) as refused, throttle.admit("app", "ann@x.test"):
        pass
    assert refused.value.status == 429 and refused.value.code == "ApplicationThrottled"
    assert 590 <= int(refused.value.headers["Retry-After"]) <= 601
    with throttle.admit("other-app", "ann@x.test"):  # the budget is per app and mailbox
        pass


@pytest.mark.parametrize(("fault", "status", "code", "retry_after"), [
    ({"kind": "busy", "back_off_ms": 2500}, 429, "ApplicationThrottled", "3"),
    ({"kind": "http", "status": 503, "back_off_ms": 1000}, 503, "ServiceUnavailable", "1"),
    ({"kind": "http", "status": 504}, 504, "GatewayTimeout", None),
    ({"kind": "http", "status": 401}, 401, "InvalidAuthenticationToken", None),
    ({"kind": "http", "status": 403}, 403, "ErrorAccessDenied", None),
    ({"kind": "http", "status": 404}, 404, "MailboxNotEnabledForRESTAPI", None),
    ({"kind": "http", "status": 410}, 410, "SyncStateNotFound", None),
])
def test_scripted_faults_answer_graphs_errors_once(client, graph, user, fault, status, code, retry_after):
    path = f"/users/{user}/mailFolders/inbox/messages/delta"
    graph.inject(mailbox=user, operation="message_delta", times=1, **fault)
    reply = client.get(path)
    assert (reply.status_code, reply.json()["error"]["code"], reply.headers.get("Retry-After")) == (
        status, code, retry_after)
    assert client.get(path, "delta:graph.message").status_code == 200  # times=1: the next one is served


def test_dropped_connections_malformed_json_and_slow_replies(client, graph, user):
    path = f"/users/{user}/mailFolders/inbox/messages"
    graph.inject("drop", mailbox=user, operation="list_messages", times=1)
    with pytest.raises(Exception, match="Connection aborted|RemoteDisconnected|ConnectionError"):
        client.get(path)
    graph.inject("malformed", mailbox=user, operation="list_messages", times=1)
    broken = client.session.get(graph.graph_url + path, headers={"Authorization": f"Bearer {client.token}"},
                                verify=graph.ca_file, timeout=10)
    with pytest.raises(ValueError):
        broken.json()
    graph.inject("delay", mailbox=user, operation="list_messages", times=1, seconds=1.0)
    with pytest.raises(Exception, match="timed out"):
        client.session.get(graph.graph_url + path, headers={"Authorization": f"Bearer {client.token}"},
                           verify=graph.ca_file, timeout=0.3)
    other = f"/users/{user}/mailFolders"  # faults hit only the operation they name
    assert client.get(other, "page:graph.mailFolder").status_code == 200
