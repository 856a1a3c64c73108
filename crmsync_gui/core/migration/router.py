"""What one Email Router's files say: system settings, provider configurations, system state.

Only what the migration understands is kept; every other element is
reported (file and element path), never silently dropped. Passwords are not
read: only whether one was there, so the plan can list what needs credentials.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from crmsync_gui.core.migration.reader import (
    CONFIG_FILE,
    KEY_FILE,
    STATE_FILE,
    RouterSource,
    local_name,
    parse_file,
)

# SystemConfiguration settings and what crmsync does with each; anything else there is reported as unknown.
KNOWN_SETTINGS = {
    "MaxThreads": "crmsync sizes its workers itself; not carried over",
    "MaxThreadExecution": "crmsync times out each request per profile (at most 100,000 ms); not carried over",
    "SchedulingPeriod": "crmsync schedules each mailbox every 2 to 12 minutes; not carried over",
    "ConfigRefreshPeriod": "crmsync reads its configuration from its database; not needed",
    "ConfigUpdatePeriod": "crmsync reads its configuration from its database; not needed",
    "LogLevel": "crmsync records errors in its own trace log; not carried over",
    "LogFile": "crmsync records errors in its own trace log; not carried over",
    "CacheCapacity": "not needed by crmsync",
    "PendingStatusDelay": "crmsync picks up Pending Send email on every outgoing scan; not carried over",
    "SendingStatusDelay": "crmsync never sends an email twice; not carried over",
    "MaximumDeliveryAttempts": "crmsync makes at most 10 delivery attempts",
    "EWSRetrieveMessageCount": "crmsync pages EWS results itself; not carried over",
    "BatchSize": "not carried over",
    "RequestBatchSize": "not carried over",
}
SETTING_GROUPS = {"ProviderOverrides"}

PROVIDER_FIELDS = {
    "ProviderAssembly", "ProviderClass", "ProfileName", "Direction", "CrmServerUrl", "CrmAuthMode",
    "EmailServerUrl", "EmailAuthMode", "EmailUser", "EmailPassword", "EmailAddress", "UserId", "QueueId",
    "AccessCredentials", "UseSsl",
}
STATE_FIELDS = {"EmailAddress", "LastSuccessfulPoll", "LastMessageReceived", "LastError"}
KEY_FIELDS = {"Key", "IV"}


@dataclass
class ProviderConfig:
    """One <ProviderConfiguration>: a profile's direction, for one mailbox or for all of them."""

    router: str
    position: int  # 1-based, to point the admin at the entry in the file
    profile_name: str = ""
    direction: str = ""  # "incoming" or "outgoing"
    provider_class: str = ""
    server_url: str = ""
    auth_mode: str = ""
    email_user: str = ""
    has_password: bool = False
    email_address: str = ""
    user_id: str = ""
    queue_id: str = ""
    use_ssl: bool | None = None

    @property
    def where(self) -> str:
        return f"{self.router}/{CONFIG_FILE}, ProviderConfiguration #{self.position}"


@dataclass
class ProviderState:
    email_address: str
    last_successful_poll: datetime | None = None
    last_message_received: datetime | None = None
    last_error: str = ""


@dataclass
class RouterConfig:
    """Everything understood from one router's three files, with what was skipped and why."""

    label: str
    settings: dict[str, str] = field(default_factory=dict)
    providers: list[ProviderConfig] = field(default_factory=list)
    states: dict[str, ProviderState] = field(default_factory=dict)
    has_encryption_key: bool = False
    warnings: list[str] = field(default_factory=list)
    unknown_elements: Counter = field(default_factory=Counter)  # "file: <Parent>/<Child>" -> count


def read_router(source: RouterSource) -> RouterConfig:
    router = RouterConfig(label=source.label)
    _read_configuration(parse_file(source.config, "Configuration"), router)
    if source.state is None:
        router.warnings.append(f"{router.label}: {STATE_FILE} is missing, so the router's last poll times and "
                               "errors are unknown; mail is processed from the profiles' default start.")
    else:
        _read_state(parse_file(source.state, "SystemState"), router)
    if source.key is None:
        router.warnings.append(f"{router.label}: {KEY_FILE} is missing. It is not needed (passwords are never "
                               "carried over), but the router's export may be incomplete.")
    else:
        key = parse_file(source.key, "EncryptionKey")
        _note_unknown(router, KEY_FILE, key, KEY_FIELDS)
        router.has_encryption_key = True
    return router


def _read_configuration(root: Element, router: RouterConfig) -> None:
    position = 0
    for child in root:
        name = local_name(child.tag)
        if name == "SystemConfiguration":
            _read_settings(child, router)
        elif name == "ProviderConfiguration":
            position += 1
            provider = _read_provider(child, router, position)
            if provider is not None:
                router.providers.append(provider)
        else:
            router.unknown_elements[f"{CONFIG_FILE}: <Configuration>/<{name}>"] += 1


def _read_settings(element: Element, router: RouterConfig, prefix: str = "") -> None:
    for child in element:
        name = local_name(child.tag)
        if name in SETTING_GROUPS and not prefix:
            _read_settings(child, router, prefix=f"{name}/")
        elif name in KNOWN_SETTINGS:
            router.settings[f"{prefix}{name}"] = _text(child)
        else:
            parent = f"SystemConfiguration>/<{prefix.rstrip('/')}" if prefix else "SystemConfiguration"
            router.unknown_elements[f"{CONFIG_FILE}: <{parent}>/<{name}>"] += 1


def _read_fields(element: Element, known, router: RouterConfig, where: str) -> dict[str, str]:
    """The text of each known child element by name; each other child is counted as unknown at `where`."""
    values = {}
    for child in element:
        name = local_name(child.tag)
        if name in known:
            values[name] = _text(child)
        else:
            router.unknown_elements[f"{where}/<{name}>"] += 1
    return values


def _read_provider(element: Element, router: RouterConfig, position: int) -> ProviderConfig | None:
    values = _read_fields(element, PROVIDER_FIELDS, router, f"{CONFIG_FILE}: <ProviderConfiguration>")
    provider = ProviderConfig(
        router=router.label, position=position,
        profile_name=values.get("ProfileName", ""),
        provider_class=values.get("ProviderClass", "").rsplit(".", 1)[-1],
        server_url=values.get("EmailServerUrl", ""),
        auth_mode=values.get("EmailAuthMode", ""),
        email_user=values.get("EmailUser", ""),
        has_password=bool(values.get("EmailPassword")),
        email_address=values.get("EmailAddress", "").lower(),
        user_id=values.get("UserId", "").lower(),
        queue_id=values.get("QueueId", "").lower(),
        use_ssl=_bool(values["UseSsl"]) if values.get("UseSsl") else None,
    )
    provider.direction = _direction(values.get("Direction", ""), provider.provider_class)
    if not provider.direction:
        router.warnings.append(f"{provider.where}: skipped, since neither <Direction> nor <ProviderClass> says "
                               "whether it is for incoming or outgoing email.")
        return None
    if not provider.server_url:
        router.warnings.append(f"{provider.where}: skipped, since it has no <EmailServerUrl>.")
        return None
    return provider


def _read_state(root: Element, router: RouterConfig) -> None:
    for child in root:
        name = local_name(child.tag)
        if name != "ProviderState":
            router.unknown_elements[f"{STATE_FILE}: <SystemState>/<{name}>"] += 1
            continue
        values = _read_fields(child, STATE_FIELDS, router, f"{STATE_FILE}: <ProviderState>")
        address = values.get("EmailAddress", "").lower()
        if not address:
            router.warnings.append(f"{router.label}/{STATE_FILE}: a <ProviderState> without <EmailAddress> "
                                   "was skipped.")
            continue
        router.states[address] = ProviderState(
            address, _time(values.get("LastSuccessfulPoll"), router),
            _time(values.get("LastMessageReceived"), router), values.get("LastError", ""))


def _note_unknown(router: RouterConfig, file_name: str, root: Element, known: set[str]) -> None:
    for child in root:
        if local_name(child.tag) not in known:
            router.unknown_elements[f"{file_name}: <{local_name(root.tag)}>/<{local_name(child.tag)}>"] += 1


def _direction(direction: str, provider_class: str) -> str:
    text = direction.strip().lower()
    if text in ("inbound", "incoming", "in"):
        return "incoming"
    if text in ("outbound", "outgoing", "out"):
        return "outgoing"
    lowered = provider_class.lower()
    if "send" in lowered:
        return "outgoing"
    if "mailbox" in lowered or "polling" in lowered:
        return "incoming"
    return ""


def _text(element: Element) -> str:
    return (element.text or "").strip()


def _bool(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes")


def _time(text: str | None, router: RouterConfig) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        router.warnings.append(f"{router.label}/{STATE_FILE}: the time '{text}' is not readable and was ignored.")
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)  # naive UTC, as the store keeps times
    return moment
