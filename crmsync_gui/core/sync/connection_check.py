"""Test connection: check a profile's settings against its mail server before (or without) saving them.

The profile editor and `crmsync profiles test` call `test_connection` with the fields as typed. It
builds an unsaved profile and its connector, and runs the connector's own `test(job, direction)`
(core/sync/connector.py) for each direction the profile serves, with a lightweight job for one test
address. Nothing is written to the database; every failure comes back as data (code, message,
remediation), never raised, so the caller can show each direction's outcome.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from peewee import fn

from crmsync_gui.core import codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import PermanentError, SyncError, TransientError, ValidationError
from crmsync_gui.core.store.models import EmailServerProfile, Mailbox
from crmsync_gui.core.sync import trace
from crmsync_gui.core.sync.connector import connector_for
from crmsync_gui.core.sync.job import request_timeout_s

# The directions a profile serves: email both ways (ACT depends on each mailbox, not on the profile)
DIRECTIONS = (codes.Direction.INCOMING, codes.Direction.OUTGOING)
GRACE_S = 5.0  # on top of the profile's request timeout, for the sign-in round trips of one test


@dataclass(frozen=True)
class DirectionTest:
    """One direction's outcome: ok, or the error's code, message and remediation."""

    direction: codes.Direction
    ok: bool
    code: str = ""
    message: str = ""
    remediation: str = ""
    transient: bool = False


class _TestJob:
    """A connector.Job for one test: no engine, no database rows, one connection at a time."""

    def __init__(self, profile, address: str, password: str | None, direction: codes.Direction):
        self.profile = profile
        self.mailbox = SimpleNamespace(id=None, name=address, email=address, username=None, secret_ref=None)
        self.password = password
        self.direction = direction
        self.username = profile.username or address
        self.timeout_s = request_timeout_s(profile)

    @asynccontextmanager
    async def connection(self):
        yield

    def publish(self, event) -> None:
        pass  # a test tracks nothing

    def __repr__(self) -> str:  # never show the password
        return f"<TestJob {self.mailbox.email} {self.direction.name.lower()}>"


def unsaved_profile(fields: dict[str, Any]) -> EmailServerProfile:
    """The profile as typed, checked like a save would (except for its name), never saved."""
    problems = {k: v for k, v in validate_profile(fields).items() if k != "name"}
    if problems:
        raise ValidationError(problems)
    known = {k: v for k, v in fields.items() if k in EmailServerProfile._meta.fields and k != "owner"}
    for key, enum in (("server_type", codes.ServerType), ("auth_type", codes.AuthType)):
        if key in known:
            known[key] = int(enum.parse(known[key]))
    for key in ("max_concurrent_connections", "min_polling_interval_minutes", "timeout_ms"):
        if known.get(key) not in (None, ""):
            known[key] = int(known[key])
    known.setdefault("name", "")
    known["name"] = str(known["name"]).strip() or "(unsaved profile)"
    return EmailServerProfile(**known)


def address_for_test(profile, address: str | None) -> str:
    """The mailbox the test signs in to: the one the administrator gave, else the profile's account."""
    graph = codes.ServerType(profile.server_type).is_exchange and profile.protocol == codes.ExchangeProtocol.GRAPH
    if graph and not (address or "").strip():  # Sign in as is the app's client ID, not a mailbox
        raise ValidationError({"test_address": "give a mailbox's email address to test with (over Microsoft "
                                               "Graph the app signs in, for any mailbox it may open)"})
    address = (address or "").strip() or (profile.username or "").strip()
    if not address:
        raise ValidationError({"test_address": "give an email address to test with (the profile has no "
                                               "Sign in as account)"})
    return address


def stored_password(secrets, *, profile_secret_ref: str | None, username: str | None, address: str | None):
    """The stored password the engine would sign in with for `address`: the profile's when it signs in
    for every mailbox (Sign in as), else that mailbox's own when a mailbox has this address."""
    address = (address or "").strip() or (username or "").strip()
    mailbox = (Mailbox.select().where(fn.LOWER(Mailbox.email) == address.lower()).first()
               if address and not username else None)
    ref = mailbox.secret_ref if mailbox is not None and mailbox.secret_ref else profile_secret_ref
    return secrets.get(ref) if ref else None


async def test_connection(fields: dict[str, Any], *, password: str | None, address: str | None = None,
                          directions=DIRECTIONS) -> list[DirectionTest]:
    """Test each direction of the profile described by `fields` (as typed, unsaved) for one mailbox.

    `password` is the one typed, else the profile's stored one (resolved by the caller from the
    secret store). Raises ValidationError when the fields cannot describe a server; connection
    problems come back per direction. Cancelling it stops waiting at once.
    """
    from crmsync_gui.core.connectors import load_connectors  # as the engine does: each registers itself

    profile = unsaved_profile(fields)
    address = address_for_test(profile, address)
    load_connectors()
    try:
        connector = connector_for(profile)
    except SyncError as exc:
        return [_failed(d, exc) for d in directions]
    try:
        results = []
        for direction in directions:
            results.append(await test_direction(connector, _TestJob(profile, address, password, direction)))
        return results
    finally:
        await connector.close()


async def test_direction(connector, job) -> DirectionTest:
    """The connector's test of job.direction for job.mailbox, as data, within the request timeout plus a grace."""
    limit = job.timeout_s + GRACE_S
    try:
        async with asyncio.timeout(limit):
            await connector.test(job, job.direction)
    except TimeoutError:
        return _failed(job.direction, TransientError("Timeout", f"The mail server did not answer the "
                                                                f"{job.direction.label.lower()} test within {limit:g} s."))
    except SyncError as exc:
        return _failed(job.direction, exc)
    except NotImplementedError:
        return _failed(job.direction, PermanentError("NoConnector", "This server type cannot be tested yet."))
    return DirectionTest(job.direction, ok=True)


def _failed(direction: codes.Direction, error: SyncError) -> DirectionTest:
    message = str(error)
    if error.action and message.endswith(error.action):  # the action is shown as the remediation
        message = message[:-len(error.action)].strip()
    remediation = trace.hint_for(error.code, action=error.action, transient=error.transient)
    for engine_only in ("It is retried; ", "It is retried."):  # true of a sync, not of a test
        if remediation.startswith(engine_only):
            remediation = remediation.removeprefix(engine_only).strip()
            remediation = remediation[:1].upper() + remediation[1:]
    return DirectionTest(direction, ok=False, code=error.code, message=message, remediation=remediation,
                         transient=error.transient)
