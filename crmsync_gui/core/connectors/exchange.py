"""The Exchange connector: EWS through exchangelib, for the Exchange server types.

An adapter below the sync pipelines: email in through an EwsMailSource (_ews_mail.py), email out
through an EwsTransport, appointments, contacts and tasks through an EwsActSide (_ews_act.py), push
through streaming notifications (_ews_push.py); all of
them share the profile's EwsSession (_ews_session.py: threads, TLS, sign-in, redaction), and every
exchangelib or HTTP error becomes a TransientError or PermanentError (_ews_errors.py).
"""
from __future__ import annotations

import contextlib

from crmsync_gui.core import codes
from crmsync_gui.core.connectors._ews_act import EwsActSide
from crmsync_gui.core.connectors._ews_mail import EwsMailSource, EwsTransport
from crmsync_gui.core.connectors._ews_push import EwsPush
from crmsync_gui.core.connectors._ews_session import EwsSession
from crmsync_gui.core.sync import act
from crmsync_gui.core.sync import connector as contract


class ExchangeConnector:
    """Serves every mailbox of one Exchange profile (the engine makes one per profile and reuses it)."""

    def __init__(self, profile):
        self.session = EwsSession(profile)
        self.transport = EwsTransport(self.session)
        self.push = EwsPush(self.session, int(profile.max_concurrent_connections or 0))
        self.arrival = self.push  # streaming notifications on the folders each mailbox's last run read

    async def test(self, job, direction: codes.Direction) -> None:
        account = self.session.account(job)
        targets = {codes.Direction.INCOMING: ["inbox"], codes.Direction.OUTGOING: ["sent"],
                   codes.Direction.ACT: list(act.FOLDER.values())}[direction]
        for target in targets:
            await self.session.call(job, f"opening the {target} folder of {job.mailbox.email}", getattr, account,
                                    target)

    @contextlib.asynccontextmanager
    async def mail_source(self, job):
        self.push.run_starts(job.mailbox.id)
        try:
            source = EwsMailSource(self.session, job)
            yield source
        finally:
            self.push.run_ended(job.mailbox.id)
        self.push.folders_read[job.mailbox.id] = source.folders_read  # after a good run only

    def act_side(self, job) -> EwsActSide:
        return EwsActSide(self.session, job)

    async def close(self) -> None:
        await self.push.close()
        await self.session.close()


contract.register([codes.ServerType.EXCHANGE, codes.ServerType.EXCHANGE_HYBRID,
                   codes.ServerType.EXCHANGE_ONLINE_HYBRID], ExchangeConnector, codes.ExchangeProtocol.EWS)
