"""The Microsoft Graph connector: Exchange Online over Graph v1.0, for Exchange profiles whose protocol is Graph.

An adapter below the sync pipelines: email in through a GraphMailSource (delta per folder, _graph_mail.py),
new email found by a delta poll of each folder under a minute after the last run (core/sync/arrival.py),
email out through a GraphTransport (a draft with the journaled Message-ID, then send), appointments, contacts
and tasks through a GraphActSide (_graph_act.py), ids translated for a cut-over (_graph_ids.py); all of them share
the profile's GraphSession (_graph_session.py: one async HTTP client, app-only sign-in, Exchange Online's
per-mailbox limits), and every HTTP or Graph error becomes a TransientError or PermanentError naming
the Entra setting to change (_graph_errors.py).
"""
from __future__ import annotations

import contextlib

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._graph_act import GraphActSide
from crmsync_gui.core.connectors._graph_errors import missing_permissions
from crmsync_gui.core.connectors._graph_ids import translate_ids
from crmsync_gui.core.connectors._graph_mail import GraphMailSource, GraphTransport
from crmsync_gui.core.connectors._graph_session import GraphSession
from crmsync_gui.core.errors import PermanentError
from crmsync_gui.core.sync import connector as contract
from crmsync_gui.core.sync.arrival import DeltaPoll

# What each direction needs, tried with a request that reads (or, for Mail.Send, one Graph refuses for
# want of recipients, so nothing is sent): a 403 names the permission the app lacks.
_NO_RECIPIENTS = {"message": {"subject": "crmsync permission check"}, "saveToSentItems": False}
_PROBES = {
    codes.Direction.INCOMING: [("Mail.ReadWrite", "GET", "mailFolders/inbox", None)],
    codes.Direction.OUTGOING: [("Mail.ReadWrite", "GET", "mailFolders/sentitems", None),
                               ("Mail.Send", "POST", "sendMail", _NO_RECIPIENTS)],
    codes.Direction.ACT: [("Calendars.ReadWrite", "GET", "events?$top=1&$select=id", None),
                          ("Contacts.ReadWrite", "GET", "contacts?$top=1&$select=id", None),
                          ("Tasks.ReadWrite.All", "GET", "todo/lists?$top=1", None)],
}


class GraphConnector:
    """Serves every mailbox of one Exchange profile over Graph (the engine makes one per profile and reuses it)."""

    def __init__(self, profile):
        self.session = GraphSession(profile)
        self.transport = GraphTransport(self.session)
        self.arrival = DeltaPoll()  # webhooks want a public HTTPS endpoint: each folder's delta, under a minute

    async def test(self, job, direction: codes.Direction) -> None:
        """Raise when the direction cannot work; a missing application permission is named."""
        missing = []
        for permission, method, path, body in _PROBES[direction]:
            try:
                await self.session.call(job, f"checking the {permission} permission for {job.mailbox.email}", method,
                                        self.session.user_url(job, path), json=body)
            except PermanentError as error:
                if error.code == "PermissionMissing":
                    missing.append(permission)
                elif not (permission == "Mail.Send" and error.code.startswith("Graph")):  # allowed, refused as empty
                    raise
        if missing:
            raise missing_permissions(missing, job.mailbox.email)

    @contextlib.asynccontextmanager
    async def mail_source(self, job):
        yield GraphMailSource(self.session, job)

    def act_side(self, job) -> GraphActSide:
        return GraphActSide(self.session, job)

    async def translate_ids(self, job, ids: list[str], *, to: codes.ExchangeProtocol) -> dict[str, str]:
        """The mailbox's item ids over `to` (translateExchangeIds), for a cut-over (core/admin/cutover.py)."""
        return await translate_ids(self.session, job, ids, to=to)

    async def close(self) -> None:
        await self.arrival.close()
        await self.session.close()


contract.register([codes.ServerType.EXCHANGE, codes.ServerType.EXCHANGE_HYBRID,
                   codes.ServerType.EXCHANGE_ONLINE_HYBRID], GraphConnector, codes.ExchangeProtocol.GRAPH)
