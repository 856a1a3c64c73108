"""The contract between the sync pipelines and the connectors.

The engine decides when a mailbox direction runs and hands its pipeline (core/sync/incoming.py,
outgoing.py, act.py) a Job and the profile's connector; the pipeline does the sync and calls the
connector's adapters (MailSource, MailTransport, act.RemoteSide) for the protocol work. Adapters
hold `job.connection()` around every connection they open so the per-server cap (the profile's max
concurrent connections) holds across all queues. Errors are raised as
core.errors.TransientError (retry later; `retry_after_s` for ErrorServerBusy)
or PermanentError (disable the direction).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Protocol

from crmsync_gui.core import codes
from crmsync_gui.core.sync.pipelines import ProfileSync

if TYPE_CHECKING:
    from crmsync_gui.core.sync.act import RemoteSide
    from crmsync_gui.core.sync.arrival import NewMailArrival
    from crmsync_gui.core.sync.incoming import MailSource
    from crmsync_gui.core.sync.mail import MailTransport


class Job(Protocol):
    """What a connector gets from the engine for one mailbox direction run."""

    mailbox: object  # store.models.Mailbox
    profile: object  # store.models.EmailServerProfile
    password: str | None  # resolved from the secret store; never log it
    timeout_s: float  # per request, from the profile (at most 100 s)
    direction: codes.Direction  # the direction this run serves
    username: str  # the profile's impersonation account, else the mailbox's own sign-in or address

    def connection(self) -> AbstractAsyncContextManager[None]:
        """Hold one of the mail server's connection slots while a connection is open.

        While the server's ErrorServerBusy back-off lasts it raises a TransientError (code
        ErrorServerBusy) at once; let it propagate: the engine reschedules without counting it."""

    def watcher_place(self) -> Callable[[], None]:
        """Before opening a push watcher (IMAP IDLE, an EWS stream), which holds a connection for minutes: with
        several workers on one database, a TransientError (WatchersFull) at once when their watchers already
        have half the server's cap, so the syncs keep the other half (then the mailbox stays polled). Returns
        what gives the place back when the watcher ends; the connector still counts its own watchers."""

    def publish(self, event) -> None:
        """Publish a core.events.Event (item tracked, ...)."""


class Connector(Protocol):
    """One protocol's adapters for the mailboxes of one profile."""

    transport: MailTransport  # outgoing email
    arrival: NewMailArrival  # how new email reaches the incoming sync: push stream, IDLE, delta poll or none

    async def test(self, job: Job, direction: codes.Direction) -> None:
        """Raise TransientError/PermanentError when the direction cannot work; return when it can."""

    def mail_source(self, job: Job) -> AbstractAsyncContextManager[MailSource]:
        """The mailbox's email for one incoming run (a session, closed when the run ends)."""

    def act_side(self, job: Job) -> RemoteSide:
        """The mailbox's appointments, contacts and tasks; PermanentError NotSupported where there are none."""

    async def close(self) -> None: ...

    # Optional: `async def track_item(self, job, server_id: str) -> int` tracks one item now (Track now);
    # without it the engine runs a whole incoming sync of the mailbox instead.


ConnectorFactory = Callable[[object], Connector]  # profile -> connector (one per profile, reused)

_FACTORIES: dict[tuple[codes.ServerType, codes.ExchangeProtocol | None], ConnectorFactory] = {}


def register(server_types: list[codes.ServerType], factory: ConnectorFactory,
             protocol: codes.ExchangeProtocol | None = None) -> None:
    """The factory for these server types; for Exchange types, for one protocol (EWS or Microsoft Graph)."""
    for server_type in server_types:
        _FACTORIES[server_type, protocol] = factory


def _key(profile) -> tuple[codes.ServerType, codes.ExchangeProtocol | None]:
    server_type = codes.ServerType(profile.server_type)
    if not server_type.is_exchange:
        return server_type, None
    return server_type, codes.ExchangeProtocol(profile.protocol or codes.ExchangeProtocol.EWS)


def connector_for(profile):
    """What the engine runs for a profile: the pipelines over a new connector of its server type (and protocol)."""
    server_type, protocol = _key(profile)
    try:
        factory = _FACTORIES[server_type, protocol]
    except KeyError:
        from crmsync_gui.core.errors import PermanentError

        over = f" over {protocol.label}" if protocol is not None else ""
        raise PermanentError("NoConnector", f"No connector handles server type {server_type.label}{over} yet.",
                             action="Choose another server type for the profile.") from None
    return ProfileSync(factory(profile))
