"""One CRM user's mailbox seen over both protocols, for the Graph ACT tests: the Graph world (a Graph profile, its
GraphConnector and job, graph_world.py) and, for what the user does in Outlook, an exchangelib account on the
same mailbox through the EWS sandbox (an EWS connector on a profile of its own)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors.exchange import ExchangeConnector
from tests.connectors.exchange_world import Job
from tests.connectors.graph_world import GraphWorld, graph_world

OUTLOOK_PASSWORD = "unused-over-graph"  # graph_world's EWS password for the mailbox


@dataclass
class BothWorld:
    graph_world: GraphWorld
    outlook: ExchangeConnector
    outlook_job: Job

    def __getattr__(self, name):  # address, user, mailbox, job, connector, sandbox, graph: the Graph world's
        return getattr(self.graph_world, name)

    @property
    def account(self):
        """The mailbox over EWS, as Outlook sees it."""
        return self.outlook.session.account(self.outlook_job)

    @property
    def side(self):
        return self.connector.act_side(self.job)

    def close(self) -> None:
        asyncio.run(self.outlook.close())
        asyncio.run(self.connector.close())


def both_world(sandbox, graph, prefix: str) -> BothWorld:
    world = graph_world(sandbox, graph, prefix, sync_filter_templates=True)
    outlook = admin.save_profile({"name": f"Outlook of {world.address}", "incoming_server": sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file})
    return BothWorld(world, ExchangeConnector(outlook), Job(world.mailbox, outlook, OUTLOOK_PASSWORD))
