"""One CRM user's Exchange Online mailbox over Microsoft Graph, as the Graph connector tests set it up: the
EWS sandbox and a Graph sandbox over its store (one mailbox, both protocols), an app registered with a client
secret, an approved mailbox on a Graph profile trusting the sandbox's CA, a connector and a job.

    graph = graph_sandbox(sandbox)                 # GraphServer.beside(sandbox), started, the app registered
    world = graph_world(sandbox, graph, "ann")     # world.connector: a GraphConnector; world.job: its Job
"""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import graph as graph_connector
from crmsync_gui.sandbox.graph import GraphServer
from tests.connectors.exchange_world import Job

TENANT, CLIENT_ID, SECRET = "contoso.test", "0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d", "graph-app-secret"
_numbers = itertools.count(1)


def graph_sandbox(sandbox, **options) -> GraphServer:
    """A started Graph sandbox over the EWS sandbox's store and CA, with the app (all permissions) registered;
    the caller stops it."""
    server = GraphServer.beside(sandbox, **options)
    server.start()
    server.add_app(CLIENT_ID, SECRET, tenant=TENANT)
    return server


def graph_profile_fields(graph: GraphServer, **overrides) -> dict:
    """A Graph profile's fields for this sandbox: app-only OAuth, its authority and Graph URL, its CA."""
    return {"server_type": codes.ServerType.EXCHANGE_ONLINE_HYBRID, "protocol": codes.ExchangeProtocol.GRAPH,
            "auth_type": codes.AuthType.OAUTH, "username": CLIENT_ID, "oauth_tenant": TENANT,
            "oauth_authority": graph.url, "graph_url": graph.graph_url, "trusted_ca_file": graph.ca_file} | overrides


@dataclass
class GraphWorld:
    address: str
    user: object
    mailbox: object
    job: Job
    connector: graph_connector.GraphConnector
    sandbox: object
    graph: GraphServer

    @property
    def session(self):
        return self.connector.session

    def run(self, coro):
        """Run a coroutine on a new loop, closing the connector's HTTP client on it afterwards (the engine
        keeps one loop; a test runs a few)."""
        async def then_close():
            try:
                return await coro
            finally:
                await self.connector.close()

        return asyncio.run(then_close())


def graph_world(sandbox, graph: GraphServer, prefix: str, *, password: str = SECRET,
                tracking_option: codes.TrackingOption | None = None, sync_filter_templates: bool = False,
                **profile_fields) -> GraphWorld:
    """Ann's mailbox (a fresh address) on a new Graph profile; `profile_fields` override the profile's."""
    n = next(_numbers)
    address = f"{prefix}{n}@sandbox.test"
    sandbox.add_mailbox(address, "unused-over-graph", name="Ann")
    profile = admin.save_profile({"name": f"Graph {prefix} {n}"} | graph_profile_fields(graph, **profile_fields))
    user = admin.add_user("Ann Lee", address)
    if tracking_option is not None:
        user.tracking_option = tracking_option
        user.save()
    if sync_filter_templates:
        admin.copy_templates_to_user(user)
    mailbox = admin.map_mailbox(admin.add_mailbox("Ann", address, profile), user)
    mailbox = mailbox.__class__.get_by_id(mailbox.id)
    connector = graph_connector.GraphConnector(profile)
    return GraphWorld(address, user, mailbox, Job(mailbox, profile, password), connector, sandbox, graph)
