"""Fixtures for the Graph sandbox tests: a Graph sandbox over the EWS sandbox's store (whose EWS traffic the
EWS fixture still checks), an app signed in with a token, and a plain HTTP client that validates every JSON
body it sends or receives with ../shared/tools/graph_validate.py against Graph's v1.0 metadata."""
from __future__ import annotations

import itertools

import pytest
import requests

from crmsync_gui.sandbox.graph import SCOPE, GraphServer
from tests import graph_check

TENANT, CLIENT_ID, SECRET = "contoso.test", "11111111-2222-3333-4444-555555555555", "app-secret"
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def graph_schema():
    """graph_validate.GraphSchema over Graph's published v1.0 metadata (the tests exist to prove conformance)."""
    schema = graph_check.load_graph_schema()
    if schema is None:
        pytest.skip(graph_check.SCHEMA_ABSENT)
    return schema


class GraphClient:
    """Plain requests to the Graph sandbox, trusting its CA, with a bearer token; every body is validated.

    `kind` says what a 2xx JSON reply must be: a type (graph.message), a page (page:graph.message) or a delta
    page (delta:graph.message); error replies must have Graph's error shape, and a JSON reply nobody
    expected fails the test. `sends` names the JSON request body's type, or action:NAME@BINDING; `data` is a
    body that is not JSON (sendMail's MIME)."""

    def __init__(self, server: GraphServer, schema, token: str | None):
        self.server, self.schema, self.token = server, schema, token
        self.session = requests.Session()
        self.seen = 0  # JSON bodies validated

    def call(self, method: str, path_or_url: str, kind: str | None = None, body: dict | None = None,
             sends: str = "graph.message", headers: dict | None = None, data: bytes | None = None
             ) -> requests.Response:
        if body is not None:
            problems = self._check(body, sends)
            assert problems == [], f"a request body Graph would refuse: {problems[:5]}"
        url = path_or_url if path_or_url.startswith("https://") else self.server.graph_url + path_or_url
        headers = dict(headers or {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        # verify= per request: a session's own verify loses to REQUESTS_CA_BUNDLE from the environment
        reply = self.session.request(method, url, json=body, data=data, headers=headers, timeout=10,
                                     verify=self.server.ca_file)
        if reply.headers.get("Content-Type", "").startswith("application/json"):
            data = reply.json()
            problems = self.schema.check_error(data) if reply.status_code >= 400 else (
                [f"a JSON reply the test did not expect: {data}"] if kind is None else self._check(data, kind))
            assert problems == [], f"{method} {url} -> {reply.status_code}: {problems[:5]}"
        return reply

    def _check(self, data, kind: str) -> list[str]:
        self.seen += 1
        return graph_check.check(self.schema, kind, data)

    def batch(self, steps: list[dict], kinds: dict[str, str] | None = None) -> requests.Response:
        """POST /$batch; each step's body must be a graph.message, each answer's body what `kinds` names
        for its id (error answers: Graph's error shape)."""
        for step in steps:
            if "body" in step:
                assert self._check(step["body"], "graph.message") == [], f"step {step['id']} Graph would refuse"
        reply = self.session.post(self.server.graph_url + "/$batch", json={"requests": steps}, timeout=10,
                                  headers={"Authorization": f"Bearer {self.token}"}, verify=self.server.ca_file)
        if reply.status_code == 200:
            for answer in reply.json()["responses"]:
                kind = (kinds or {}).get(answer["id"])
                problems = self.schema.check_error(answer["body"]) if answer["status"] >= 400 else (
                    self._check(answer["body"], kind) if kind else ["an answer the test did not expect"])
                assert problems == [], f"batch answer {answer['id']}: {problems[:5]}"
        else:
            assert self.schema.check_error(reply.json()) == []
        return reply

    def get(self, path_or_url: str, kind: str | None = None, **kwargs) -> requests.Response:
        return self.call("GET", path_or_url, kind, **kwargs)


def request_token(server: GraphServer, tenant: str = TENANT, **form) -> requests.Response:
    data = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
            "scope": SCOPE} | form
    return requests.post(server.token_url(tenant), data=data, verify=server.ca_file, timeout=10)


@pytest.fixture
def graph(sandbox):
    """A Graph sandbox over the EWS sandbox's store, with one app registered (a client secret)."""
    with GraphServer(sandbox.store) as server:
        server.add_app(CLIENT_ID, SECRET, tenant=TENANT)
        yield server


@pytest.fixture
def client(graph, graph_schema):
    """A GraphClient signed in as the app."""
    reply = request_token(graph)
    assert reply.status_code == 200, reply.text
    return GraphClient(graph, graph_schema, reply.json()["access_token"])


@pytest.fixture
def user(sandbox):
    """A fresh mailbox's address (reachable over EWS and Graph)."""
    address = f"gina{next(_numbers)}@sandbox.test"
    sandbox.add_mailbox(address, "gina-pw", name="Gina Example")
    return address
