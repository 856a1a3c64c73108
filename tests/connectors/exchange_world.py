"""One CRM user's Exchange mailbox on the EWS sandbox, as the Exchange connector tests set it up: an approved
mailbox on a profile trusting the sandbox's CA, a connector and the engine's side of a job."""
from __future__ import annotations

import asyncio
import itertools
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from crmsync_gui.core import admin, codes
from crmsync_gui.core.connectors import exchange

_numbers = itertools.count(1)


@dataclass
class Job:
    """What the engine hands a connector, with a real connection cap."""

    mailbox: object
    profile: object
    password: str | None
    timeout_s: float = 10
    events: list = field(default_factory=list)
    slots: asyncio.Semaphore | None = None
    held: int = 0
    peak: int = 0

    @asynccontextmanager
    async def connection(self):
        self.slots = self.slots or asyncio.Semaphore(self.profile.max_concurrent_connections)
        async with self.slots:
            self.held += 1
            self.peak = max(self.peak, self.held)
            try:
                yield
            finally:
                self.held -= 1

    def watcher_place(self):
        return lambda: None

    def publish(self, event):
        self.events.append(event)


@dataclass
class World:
    address: str
    user: object
    mailbox: object
    job: Job
    connector: exchange.ExchangeConnector
    sandbox: object

    @property
    def account(self):
        return self.connector.session.account(self.job)

    def close(self) -> None:
        asyncio.run(self.connector.close())


def exchange_world(sandbox, prefix: str, *, password: str = "pw", sync_filter_templates: bool = False,
                   tracking_option: codes.TrackingOption | None = None, mailbox_password: str | None = None,
                   **profile_fields) -> World:
    """Ann's mailbox (a fresh address) on a new profile; `profile_fields` override the profile's (Basic auth)."""
    n = next(_numbers)
    address = f"{prefix}{n}@sandbox.test"
    sandbox.add_mailbox(address, mailbox_password or password, name="Ann")
    profile = admin.save_profile({"name": f"Sandbox {prefix} {n}", "incoming_server": sandbox.url,
                                  "auth_type": codes.AuthType.BASIC, "trusted_ca_file": sandbox.ca_file}
                                 | profile_fields)
    user = admin.add_user("Ann Lee", address)
    if tracking_option is not None:
        user.tracking_option = tracking_option
        user.save()
    if sync_filter_templates:
        admin.copy_templates_to_user(user)  # "My contacts", "My appointments", "My open tasks"
    mailbox = admin.map_mailbox(admin.add_mailbox("Ann", address, profile), user)
    mailbox = mailbox.__class__.get_by_id(mailbox.id)
    connector = exchange.ExchangeConnector(profile)
    return World(address, user, mailbox, Job(mailbox, profile, password), connector, sandbox)
