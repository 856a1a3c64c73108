"""One CRM user's mailbox seen over both protocols: the EWS sandbox and a GraphServer on its store, the EWS world
of exchange_world (profile, user, mailbox, EWS connector) and a GraphActSide on a small Graph session."""
from __future__ import annotations

import ssl
from dataclasses import dataclass

import aiohttp

from crmsync_gui.core.connectors._graph_act import GraphActSide
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.sandbox.graph import SCOPE, GraphServer
from tests.connectors.exchange_world import World, exchange_world

CLIENT_ID, SECRET, TENANT = "22222222-3333-4444-5555-666666666666", "graph-secret", "contoso.test"
_CODES = {404: "ItemNotFound", 410: "SyncStateNotFound", 412: "ChangeKeyMismatch"}


class PrivateGraphSession:
    """The GraphSession interface (user_url, call, pages) on aiohttp, for these tests only."""

    def __init__(self, graph: GraphServer):
        self.graph = graph
        self.context = ssl.create_default_context(cafile=graph.ca_file)
        self.token: str | None = None

    def user_url(self, job, path: str) -> str:
        return f"{self.graph.graph_url}/users/{job.mailbox.email}/{path}"

    async def _token(self, http) -> str:
        if self.token is None:
            form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET,
                    "scope": SCOPE}
            async with http.post(self.graph.token_url(TENANT), data=form, ssl=self.context) as reply:
                self.token = (await reply.json())["access_token"]
        return self.token

    async def call(self, job, what, method, url, *, params=None, json=None, headers=None):
        async with job.connection(), aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {await self._token(http)}", **(headers or {})}
            async with http.request(method, url, params=params, json=json, headers=headers,
                                    ssl=self.context) as reply:
                body = await reply.json() if reply.content_type == "application/json" else None
                if reply.status >= 400:
                    code = _CODES.get(reply.status, f"HTTP{reply.status}")
                    error = TransientError if reply.status in (410, 412) or reply.status >= 500 else PermanentError
                    raise error(code, f"{reply.status} while {what}: {body}")
                return body

    async def pages(self, job, what, url, *, params=None, headers=None):
        while url:
            page = await self.call(job, what, "GET", url, params=params, headers=headers)
            yield page
            url, params = page.get("@odata.nextLink"), None

    async def close(self):
        pass


@dataclass
class BothWorld:
    ews: World
    graph: GraphServer
    side: GraphActSide

    def __getattr__(self, name):  # address, user, mailbox, job, sandbox, account: the EWS world's
        return getattr(self.ews, name)


def both_world(sandbox, graph: GraphServer, prefix: str) -> BothWorld:
    graph.add_app(CLIENT_ID, SECRET, tenant=TENANT)
    world = exchange_world(sandbox, prefix, sync_filter_templates=True)
    return BothWorld(world, graph, GraphActSide(PrivateGraphSession(graph), world.job))
