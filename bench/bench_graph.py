"""Graph sandbox: a delta first sync of a 10,000-message folder and an idle delta round, requests counted.

The folder is seeded into the store the EWS sandbox shares (so generation costs what bench_sandbox measures);
the client is plain requests with a client-credentials token, Prefer: odata.maxpagesize=100 (quick: 500
messages). The sandbox counts the requests it served.
"""
from __future__ import annotations

import requests

from bench.harness import at_most, progress, record, timed

PAGE = 100


def _seed(server, address: str, count: int) -> None:
    from crmsync_gui.sandbox import seed

    server.store.add(address, "pw", "Bench User")
    with server.store.lock:
        mailbox = server.store.get(address)
        inbox = mailbox.distinguished("inbox")
        for n in range(count):
            seed.put(mailbox, inbox, seed.message(subject=f"Order {n}", body="x" * 200, sender="c@x.test",
                                                  to=[address], message_id=f"<bench-{n}@x.test>"))


def _round(session: requests.Session, url: str, ca_file: str) -> tuple[int, str, int]:
    """(entries, deltaLink, requests) of one delta round."""
    entries = calls = 0
    while True:
        body = session.get(url, headers={"Prefer": f"odata.maxpagesize={PAGE}"}, verify=ca_file, timeout=60).json()
        calls += 1
        entries += len(body["value"])
        if "@odata.deltaLink" in body:
            return entries, body["@odata.deltaLink"], calls
        url = body["@odata.nextLink"]


def run(quick: bool) -> list[dict]:
    from crmsync_gui.sandbox.graph import SCOPE, GraphServer

    count = 500 if quick else 10_000
    address = "bench@sandbox.test"
    with GraphServer() as server:
        server.add_app("bench-app", "bench-secret")
        with timed() as seeded:
            _seed(server, address, count)
        progress(f"seeded {count} messages in {seeded.seconds:.1f} s")
        token = requests.post(server.token_url(), verify=server.ca_file, timeout=10, data={
            "grant_type": "client_credentials", "client_id": "bench-app", "client_secret": "bench-secret",
            "scope": SCOPE}).json()["access_token"]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        start = f"{server.graph_url}/users/{address}/mailFolders/inbox/messages/delta"
        with timed() as first:
            entries, link, calls = _round(session, start, server.ca_file)
        assert entries == count, f"the first round gave {entries} of {count} messages"
        progress(f"first delta round: {entries} messages, {calls} requests, {first.seconds:.1f} s")
        with timed() as idle:
            nothing, _link, idle_calls = _round(session, link, server.ca_file)
        assert nothing == 0
        served = sum(server.requests_by_operation(address).values())
        session.close()
    return [
        record(f"Graph delta first sync of {count} messages", first.seconds, "s", target=at_most(60),
               note=f"{calls} requests of {PAGE}; {count / first.seconds:,.0f} messages/s"),
        record(f"Graph delta first sync of {count} messages: requests", calls, "requests",
               target=at_most(count // PAGE + 1)),
        record("Graph idle delta round", idle.seconds, "s", target=at_most(1),
               note=f"{idle_calls} request; {served} requests served in all"),
    ]
