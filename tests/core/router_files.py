"""Write Email Router configuration folders for tests, in the layout of ../shared/email-router."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

SAMPLES = SHARED / "email-router"
CONFIG = "Microsoft.Crm.Tools.EmailAgent.xml"
STATE = "Microsoft.Crm.Tools.EmailAgent.SystemState.xml"
KEY = "EncryptionKey.xml"


def samples() -> Path:
    if not (SAMPLES / "contoso-exchange" / CONFIG).exists():
        pytest.skip(f"the Email Router samples are not at {SAMPLES} (they live in the shared folder beside the repo)")
    return SAMPLES


def provider(profile: str, direction: str, server: str, *, cls: str = "ExchangePollingMailboxProvider",
             address: str = "", user_id: str = "", queue_id: str = "", user: str = "svc", extra: str = "") -> str:
    parts = [f"<ProviderClass>Microsoft.Crm.Tools.Email.Providers.{cls}</ProviderClass>",
             f"<ProfileName>{profile}</ProfileName>" if profile else "",
             f"<Direction>{direction}</Direction>",
             f"<EmailServerUrl>{server}</EmailServerUrl>",
             "<EmailAuthMode>WindowsAuthentication</EmailAuthMode>",
             f"<EmailUser>{user}</EmailUser>",
             "<EmailPassword>cGxhY2Vob2xkZXI=</EmailPassword>",
             f"<EmailAddress>{address}</EmailAddress>" if address else "",
             f"<UserId>{user_id}</UserId>" if user_id else "",
             f"<QueueId>{queue_id}</QueueId>" if queue_id else "",
             extra]
    return "<ProviderConfiguration>" + "".join(parts) + "</ProviderConfiguration>"


def exchange_router(folder: Path, server: str = "https://mail.example.local/EWS/Exchange.asmx",
                    mailboxes: list[tuple[str, str]] = (), *, name: str = "Exchange", outgoing: bool = True,
                    settings: str = "<MaxThreads>10</MaxThreads>", extra: str = "", state: bool = True,
                    key: bool = True) -> Path:
    """A router with one Exchange profile; `mailboxes` are (address, user id) pairs."""
    providers = [provider(f"{name} (incoming)", "Inbound", server, address=a, user_id=u) for a, u in mailboxes]
    if outgoing:
        providers.append(provider(f"{name} (outgoing)", "Outbound", server, cls="ExchangePollingSendEmailProvider"))
    config = (f"<Configuration><SystemConfiguration>{settings}</SystemConfiguration>"
              + "".join(providers) + extra + "</Configuration>")
    return write_router(folder, config, state=state, key=key)


def write_router(folder: Path, config: str | bytes, *, state: bool | str = True, key: bool | str = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = config if isinstance(config, bytes) else ('<?xml version="1.0" encoding="utf-8"?>\n' + config).encode()
    (folder / CONFIG).write_bytes(text)
    if state:
        body = state if isinstance(state, str) else "<SystemState></SystemState>"
        (folder / STATE).write_text(body, encoding="utf-8")
    if key:
        body = key if isinstance(key, str) else "<EncryptionKey><Key>a2V5</Key><IV>aXY=</IV></EncryptionKey>"
        (folder / KEY).write_text(body, encoding="utf-8")
    return folder
