"""The contract between the engine and the connectors.

The engine decides when a mailbox direction runs and hands the connector a
Job; the connector does the protocol work, holding `job.connection()` around
every connection it opens so the per-server cap (the profile's max concurrent
connections) holds across all queues. Errors are raised as
core.errors.TransientError (retry later; `retry_after_s` for ErrorServerBusy)
or PermanentError (disable the direction).
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from crmsync_gui.core import codes


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

    def publish(self, event) -> None:
        """Publish a core.events.Event (item tracked, ...)."""


class Connector(Protocol):
    """One protocol's way to serve a mailbox. Each method returns how many items it processed."""

    async def test(self, job: Job, direction: codes.Direction) -> None:
        """Raise TransientError/PermanentError when the direction cannot work; return when it can."""

    async def sync_incoming(self, job: Job) -> int: ...

    async def send_outgoing(self, job: Job) -> int: ...

    async def sync_act(self, job: Job) -> int: ...

    async def close(self) -> None: ...

    # Optional: `async def track_item(self, job, server_id: str) -> int` tracks one item now (Track now);
    # without it the engine runs a whole incoming sync of the mailbox instead.


ConnectorFactory = Callable[[object], Connector]  # profile -> connector (one per profile, reused)

_FACTORIES: dict[codes.ServerType, ConnectorFactory] = {}


def register(server_types: list[codes.ServerType], factory: ConnectorFactory) -> None:
    for server_type in server_types:
        _FACTORIES[server_type] = factory


def connector_for(profile) -> Connector:
    """A new connector for a profile, by its server type."""
    try:
        factory = _FACTORIES[codes.ServerType(profile.server_type)]
    except KeyError:
        from crmsync_gui.core.errors import PermanentError

        raise PermanentError("NoConnector", f"No connector handles server type "
                             f"{codes.ServerType(profile.server_type).label} yet.",
                             action="Choose another server type for the profile.") from None
    return factory(profile)
