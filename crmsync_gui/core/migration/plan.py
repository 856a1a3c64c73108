"""From what the routers say and what the database holds, a plan: nothing is written here.

The plan names every profile, mailbox and owner to create or update, every
entry left without an owner (with the reason), every remap that needs the
admin's confirmation, and every warning. `apply.apply_plan` carries it out.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlparse

from peewee import fn

from crmsync_gui.core import admin, codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.migration.directory import Directory
from crmsync_gui.core.migration.reader import RouterSource, find_routers
from crmsync_gui.core.migration.router import ProviderConfig, RouterConfig, read_router
from crmsync_gui.core.store.models import CrmQueue, CrmUser, EmailServerProfile, Mailbox


# Fields a migration sets on a profile; an admin's other settings (connections, timeouts) are left alone.
class PlanAction(StrEnum):
    """What migrating does to a profile or mailbox."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"  # a profile the file describes but that cannot be made (its problem says why)


class OwnerAction(StrEnum):
    """What migrating does to a mailbox's user or queue."""

    EXISTING = "existing"
    CREATE = "create"
    LINK = "link"  # give an existing row the file's id


PROFILE_FIELDS = ("server_type", "auth_type", "incoming_server", "outgoing_server", "incoming_use_ssl",
                  "outgoing_use_ssl", "incoming_starttls", "outgoing_starttls", "username", "process_email_from")
MAILBOX_FIELDS = ("name", "profile", "username", "incoming_method", "outgoing_method")

_AUTH_MODES = {
    "windowsauthentication": codes.AuthType.NEGOTIATE, "negotiate": codes.AuthType.NEGOTIATE,
    "ntlm": codes.AuthType.NTLM, "clear": codes.AuthType.BASIC, "basic": codes.AuthType.BASIC,
    "oauth": codes.AuthType.OAUTH,
}
_EXCHANGE_ONLINE_HOSTS = {"outlook.office365.com", "outlook.office.com", "outlook.office365.us",
                          "partner.outlook.cn"}  # EWS of Exchange Online, its US government and China clouds
_DEFAULT_PORTS = {"pop3": 110, "pop3s": 995, "imap": 143, "imaps": 993, "smtp": 25, "smtps": 465}
_DIRECTION_WORDS = ("incoming", "outgoing", "inbound", "outbound", "in", "out")
_STARTTLS_PORTS = {110, 143, 25, 587}  # plain ports: the router's SSL there is an upgraded connection


@dataclass
class ProfilePlan:
    name: str
    server_type: int
    auth_type: int
    incoming_server: str
    outgoing_server: str = ""
    incoming_use_ssl: bool = True
    outgoing_use_ssl: bool = True
    incoming_starttls: bool = False
    outgoing_starttls: bool = False
    username: str | None = None
    process_email_from: datetime | None = None
    sends_email: bool = False  # the router had an outgoing configuration for this server
    sources: list[str] = field(default_factory=list)  # "router: router profile name (direction)"
    accounts: list[str] = field(default_factory=list)  # sign-ins whose passwords the router held
    action: PlanAction = PlanAction.CREATE
    changes: list[str] = field(default_factory=list)
    needs_credentials: bool = False
    problem: str = ""  # why it is skipped

    def fields(self) -> dict:
        return {key: getattr(self, key) for key in PROFILE_FIELDS}

    def to_dict(self) -> dict:
        data = asdict(self)
        data["server_type"] = codes.ServerType(self.server_type).label
        data["auth_type"] = codes.AuthType(self.auth_type).label
        return data


@dataclass
class OwnerPlan:
    """The user or queue a mailbox belongs to: an existing row, or one the migration creates."""

    kind: str  # "user" or "queue"
    email: str
    name: str
    external_id: str = ""
    action: OwnerAction = OwnerAction.EXISTING
    row_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name} <{self.email}>"


@dataclass
class MailboxPlan:
    email: str
    name: str
    profile: str | None
    incoming: bool
    outgoing: bool
    username: str | None = None
    owner: OwnerPlan | None = None
    action: PlanAction = PlanAction.CREATE  # never SKIP: a mailbox that cannot migrate is Unmapped
    changes: list[str] = field(default_factory=list)
    conflict: str = ""  # a remap the admin must confirm
    sources: list[str] = field(default_factory=list)
    router_last_poll: datetime | None = None
    router_last_error: str = ""

    def to_dict(self) -> dict:
        data = asdict(self)
        data["owner"] = self.owner.label if self.owner else None
        data["owner_action"] = self.owner.action if self.owner else None
        return data


@dataclass
class Unmapped:
    email: str
    reason: str
    where: str
    mailbox_created: bool = True  # False when the mailbox itself could not be migrated

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class MigrationPlan:
    routers: list[str]
    folders: list[str] = field(default_factory=list)
    settings: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # router -> name -> value/note
    profiles: list[ProfilePlan] = field(default_factory=list)
    mailboxes: list[MailboxPlan] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown_elements: list[dict] = field(default_factory=list)  # {"router", "element", "count"}

    @property
    def conflicts(self) -> list[MailboxPlan]:
        return [m for m in self.mailboxes if m.conflict]

    def counts(self) -> dict[str, int]:
        """What applying would do, over profiles, mailboxes, users and queues."""
        tally = Counter()
        for item in [*self.profiles, *self.mailboxes]:
            if item.action != PlanAction.SKIP:
                tally[item.action] += 1
        for mailbox in self.mailboxes:
            if mailbox.owner and mailbox.owner.action == OwnerAction.CREATE:
                tally[PlanAction.CREATE] += 1
            elif mailbox.owner and mailbox.owner.action == OwnerAction.LINK:
                tally["update"] += 1
        return {"created": tally[PlanAction.CREATE], "updated": tally[PlanAction.UPDATE],
                "unchanged": tally[PlanAction.UNCHANGED]}

    def to_dict(self) -> dict:
        return {
            "applied": False,
            "routers": self.routers,
            "folders": self.folders,
            "profiles": [p.to_dict() for p in self.profiles],
            "mailboxes": [m.to_dict() for m in self.mailboxes],
            "unmapped": [u.to_dict() for u in self.unmapped],
            "conflicts": [{"email": m.email, "message": m.conflict} for m in self.conflicts],
            "needs_credentials": [{"profile": p.name, "accounts": p.accounts}
                                  for p in self.profiles if p.needs_credentials],
            "warnings": [{"message": w} for w in self.warnings],
            "unknown_elements": self.unknown_elements,
            "settings": self.settings,
            **self.counts(),
        }


@dataclass
class _Group:
    """The provider configurations of one router profile in one direction."""

    router: str
    name: str
    direction: str
    kind: str  # exchange, pop3, imap, smtp
    server: str  # EWS URL, or host:port
    use_ssl: bool
    entries: list[ProviderConfig]

    @property
    def source(self) -> str:
        named = self.direction in self.name.lower()
        return f"{self.router}: {self.name}" + ("" if named else f" ({self.direction})")


def plan_migration(paths: list) -> MigrationPlan:
    """Read the routers at `paths` (folders or files) and plan their migration against the open database."""
    return plan_from_sources(find_routers(paths))


def plan_from_sources(sources: list[RouterSource]) -> MigrationPlan:
    plan = plan_from_routers([read_router(source) for source in sources])
    plan.folders = [str(source.folder) for source in sources]
    return plan


def plan_from_routers(routers: list[RouterConfig]) -> MigrationPlan:
    from crmsync_gui.core.migration.router import KNOWN_SETTINGS

    plan = MigrationPlan(routers=[r.label for r in routers])
    for router in routers:
        plan.warnings.extend(router.warnings)
        plan.settings[router.label] = {
            name: {"value": value, "note": KNOWN_SETTINGS[name.rsplit("/", 1)[-1]]}
            for name, value in router.settings.items()}
        max_attempts = router.settings.get("ProviderOverrides/MaximumDeliveryAttempts")
        if max_attempts and max_attempts.isdigit() and int(max_attempts) != codes.MAX_DELIVERY_ATTEMPTS:
            plan.warnings.append(f"{router.label}: the router made up to {max_attempts} delivery attempts; "
                                 f"crmsync makes {codes.MAX_DELIVERY_ATTEMPTS}.")
        for element, count in sorted(router.unknown_elements.items()):
            plan.unknown_elements.append({"router": router.label, "element": element, "count": count})
    if plan.unknown_elements:
        plan.warnings.append(f"{sum(u['count'] for u in plan.unknown_elements)} element(s) the migration does not "
                             "know were ignored; they are listed under unknown elements.")
    states = {address: state for router in routers for address, state in router.states.items()}
    groups = _groups(routers, plan)
    profile_of_group = _plan_profiles(groups, plan)
    _match_existing_profiles(plan)
    _plan_mailboxes(groups, profile_of_group, states, plan)
    for profile in plan.profiles:
        polls = [m.router_last_poll for m in plan.mailboxes if m.profile == profile.name and m.router_last_poll]
        if polls and profile.action != PlanAction.SKIP:
            # mail the router already handled is not processed again; later mail is
            profile.process_email_from = min(polls)
    _compare_profiles(plan)
    return plan


def _groups(routers: list[RouterConfig], plan: MigrationPlan) -> list[_Group]:
    groups: dict[tuple, _Group] = {}
    for router in routers:
        for entry in router.providers:
            try:
                kind, server, use_ssl = _server_of(entry)
            except ValueError as exc:  # urllib's: a port that is not a number or out of range, an unclosed [
                plan.warnings.append(f"{entry.where}: skipped, since '{entry.server_url}' is not a readable server "
                                     f"address ({exc}).")
                continue
            if not kind:
                plan.warnings.append(f"{entry.where}: skipped, since the server '{entry.server_url}' "
                                     f"({entry.provider_class or 'no provider class'}) is neither Exchange, "
                                     "POP3, IMAP nor SMTP.")
                continue
            name = entry.profile_name or f"{_host(server)} ({entry.direction})"
            if not entry.profile_name:
                plan.warnings.append(f"{entry.where}: has no <ProfileName>; it is grouped as '{name}'.")
            key = (router.label, name.lower(), entry.direction, kind, server.lower())
            if key not in groups:
                same_name = [g for k, g in groups.items() if k[:3] == key[:3]]
                if same_name:
                    plan.warnings.append(f"{router.label}: the profile name '{name}' is used for two servers "
                                         f"({same_name[0].server} and {server}); they become separate profiles.")
                groups[key] = _Group(router.label, name, entry.direction, kind, server, use_ssl, [])
            groups[key].entries.append(entry)
    return list(groups.values())


def _server_of(entry: ProviderConfig) -> tuple[str, str, bool]:
    """(kind, server, use SSL) of an entry: the EWS URL for Exchange, host:port otherwise.

    Raise ValueError when the address is not a readable URL or host:port."""
    cls = entry.provider_class.lower()
    url = entry.server_url.strip()
    parsed = urlparse(url if "://" in url else f"//{url}")
    port = parsed.port  # urllib checks the port only when asked for it
    scheme = parsed.scheme.lower()
    if "exchange" in cls or scheme in ("http", "https"):
        return "exchange", url, scheme != "http"
    kind = next((k for k in ("pop3", "imap", "smtp") if k in cls or scheme.startswith(k)), "")
    if not kind and "pop" in cls:
        kind = "pop3"
    if not kind or not parsed.hostname:
        return "", url, True
    port = port or _DEFAULT_PORTS.get(scheme) or _DEFAULT_PORTS[kind]
    secure_ports = {995, 993, 465, 587}
    use_ssl = entry.use_ssl if entry.use_ssl is not None else (scheme.endswith("s") or port in secure_ports)
    return kind, f"{parsed.hostname}:{port}", use_ssl


def _starttls(group: _Group) -> bool:
    """SSL on a plain port is STARTTLS (.NET's SmtpClient, which the router used, knows no other for SMTP)."""
    port = group.server.rpartition(":")[2]
    return group.use_ssl and port.isdigit() and int(port) in _STARTTLS_PORTS


def _plan_profiles(groups: list[_Group], plan: MigrationPlan) -> dict[int, ProfilePlan]:
    """Merge each server's incoming and outgoing groups into one profile; return group id -> profile."""
    profile_of: dict[int, ProfilePlan] = {}
    by_server: dict[tuple, ProfilePlan] = {}
    incoming = [g for g in groups if g.kind != "smtp"]
    smtp = [g for g in groups if g.kind == "smtp"]
    for group in groups:
        if group.kind != "exchange":
            continue
        key = ("exchange", group.server.lower())
        profile = by_server.get(key)
        if profile is None:
            profile = by_server[key] = ProfilePlan(name=group.name, server_type=codes.ServerType.EXCHANGE,
                                                  auth_type=_auth(group), incoming_server=group.server,
                                                  incoming_use_ssl=group.use_ssl, outgoing_use_ssl=group.use_ssl)
        _add_source(profile, group)
        profile_of[id(group)] = profile
    for group in incoming:
        if group.kind == "exchange":
            continue
        outgoing = _smtp_for(group, smtp, plan)
        key = (group.kind, group.server.lower(), outgoing.server.lower() if outgoing else "")
        profile = by_server.get(key)
        if profile is None:
            server_type = codes.ServerType.POP3_SMTP if group.kind == "pop3" else codes.ServerType.IMAP_SMTP
            profile = by_server[key] = ProfilePlan(
                name=group.name, server_type=server_type, auth_type=_auth(group), incoming_server=group.server,
                outgoing_server=outgoing.server if outgoing else "", incoming_use_ssl=group.use_ssl,
                outgoing_use_ssl=outgoing.use_ssl if outgoing else True, incoming_starttls=_starttls(group),
                outgoing_starttls=_starttls(outgoing) if outgoing else False)
        _add_source(profile, group)
        profile_of[id(group)] = profile
        if outgoing is not None:
            if id(outgoing) not in profile_of:
                _add_source(profile, outgoing)
            profile_of[id(outgoing)] = profile
    for group in smtp:
        if id(group) not in profile_of:
            plan.warnings.append(f"{group.source}: not imported, since no POP3 or IMAP profile of the router "
                                 f"goes with the SMTP server {group.server}; create a profile with both by hand.")
    for profile in by_server.values():
        _finish_profile(profile, groups, profile_of, plan)
    _unique_names(list(by_server.values()), plan)
    plan.profiles.extend(by_server.values())
    return profile_of


def _smtp_for(group: _Group, smtp: list[_Group], plan: MigrationPlan) -> _Group | None:
    """The router's outgoing SMTP profile that goes with a POP3/IMAP profile: its only one, or one in its domain."""
    mine = [g for g in smtp if g.router == group.router]
    if len(mine) > 1:
        domain = _host(group.server).split(".", 1)[-1]
        mine = [g for g in mine if _host(g.server).split(".", 1)[-1] == domain]
    if len(mine) == 1:
        return mine[0]
    plan.warnings.append(f"{group.source}: no single SMTP profile of the router goes with it, so the profile "
                         "has no outgoing server yet; add one before enabling outgoing email.")
    return None


def _add_source(profile: ProfilePlan, group: _Group) -> None:
    profile.sources.append(group.source)
    profile.sends_email |= group.direction == "outgoing"
    for entry in group.entries:  # a mailbox's own sign-in is listed with the mailbox, not here
        profile_level = entry.has_password and entry.email_user and not entry.email_address
        if profile_level and entry.email_user not in profile.accounts:
            profile.accounts.append(entry.email_user)


def _finish_profile(profile: ProfilePlan, groups: list[_Group], profile_of: dict, plan: MigrationPlan) -> None:
    mine = [g for g in groups if profile_of.get(id(g)) is profile]
    names = list(dict.fromkeys(g.name for g in mine))
    profile.name = _merged_name(names, codes.ServerType(profile.server_type))
    users = {e.email_user for g in mine for e in g.entries if e.email_user}
    incoming_users = {e.email_user for g in mine if g.direction == "incoming" for e in g.entries if e.email_user}
    if len(users) == 1:
        profile.username = users.pop()  # one account for every mailbox: the profile signs in (impersonation)
    elif len(incoming_users) == 1:
        profile.username = next(iter(incoming_users))
    if profile.username and profile.username not in profile.accounts:
        profile.accounts.insert(0, profile.username)
    modes = {_auth(g) for g in mine}
    if len(modes) > 1:
        plan.warnings.append(f"Profile '{profile.name}': the router used different sign-in methods for incoming "
                             f"and outgoing email; {codes.AuthType(profile.auth_type).label} is used for both.")
    if any(not g.use_ssl for g in mine):
        plan.warnings.append(f"Profile '{profile.name}': the router connected without SSL; the profile keeps "
                             "that, but turn SSL on if the server supports it.")
    if codes.ServerType(profile.server_type).is_exchange and _is_exchange_online(profile.incoming_server):
        plan.warnings.append(f"Profile '{profile.name}': its server is Exchange Online, which blocks Exchange Web "
                             "Services by default since 1 October 2026 and turns them off on 1 April 2027. The "
                             "profile is migrated on EWS; register an app in Microsoft Entra (application "
                             f"permissions {', '.join(codes.GRAPH_PERMISSIONS)}, admin consent granted) and set "
                             "the profile's protocol to Microsoft Graph with the app's tenant, client ID and "
                             "secret or certificate.")
    profile.needs_credentials = bool(profile.accounts) or profile.auth_type != codes.AuthType.AUTO_DETECT
    problems = validate_profile(profile.fields() | {"name": profile.name})
    if problems:
        profile.action = PlanAction.SKIP
        profile.problem = "; ".join(problems.values())
        plan.warnings.append(f"Profile '{profile.name}' cannot be created: {profile.problem}.")


def _is_exchange_online(server: str) -> bool:
    host = _host(server).lower()
    return host in _EXCHANGE_ONLINE_HOSTS or host.endswith(".outlook.office365.com")


def _merged_name(names: list[str], server_type: codes.ServerType) -> str:
    if len(names) == 1:
        return names[0]
    stripped = [_strip_direction(n) for n in names]
    if len(set(s.lower() for s in stripped)) == 1 and stripped[0]:
        return stripped[0]
    words = [s.split() for s in stripped]
    common = []
    for column in zip(*words, strict=False):
        if len({w.lower() for w in column}) != 1:
            break
        common.append(column[0])
    return f"{' '.join(common)} {server_type.label}" if common else " + ".join(names)


def _strip_direction(name: str) -> str:
    words = name.replace("(", " ").replace(")", " ").replace("-", " ").split()
    return " ".join(w for w in words if w.lower() not in _DIRECTION_WORDS)


def _unique_names(profiles: list[ProfilePlan], plan: MigrationPlan) -> None:
    seen: set[str] = set()
    for profile in profiles:
        if profile.name.lower() in seen:
            router = profile.sources[0].split(":", 1)[0]
            new = _free_name(f"{profile.name} ({router})", seen)
            plan.warnings.append(f"Two profiles are named '{profile.name}'; the one from {router} "
                                 f"({profile.incoming_server}) becomes '{new}'.")
            profile.name = new
        seen.add(profile.name.lower())


def _free_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate, number = f"{name} {number}", number + 1
    return candidate


def _match_existing_profiles(plan: MigrationPlan) -> None:
    """Update a profile of the same name for the same server; never take over one for another server.

    The name given instead is found again on the next run, so a second migration updates it.
    """
    taken: set[str] = set()
    for profile in plan.profiles:
        old, number = profile.name, 1
        candidate = old
        while True:
            existing = _profile_named(candidate)
            if candidate.lower() not in taken and (existing is None or _same_server(existing, profile)):
                break
            candidate = f"{old} (Email Router)" + (f" {number}" if number > 1 else "")
            number += 1
        if candidate != old:
            plan.warnings.append(f"A profile named '{old}' already exists for another server; the imported one "
                                 f"is named '{candidate}'.")
        profile.name = candidate
        taken.add(candidate.lower())


def _compare_profiles(plan: MigrationPlan) -> None:
    for profile in plan.profiles:
        if profile.action == PlanAction.SKIP:
            continue
        existing = _profile_named(profile.name)
        if existing is None:
            continue
        profile.changes = [k for k, v in profile.fields().items() if getattr(existing, k) != v]
        profile.action = PlanAction.UPDATE if profile.changes else PlanAction.UNCHANGED
        profile.needs_credentials = profile.needs_credentials and not existing.secret_ref


def _profile_named(name: str) -> EmailServerProfile | None:
    return EmailServerProfile.get_or_none(fn.LOWER(EmailServerProfile.name) == name.lower())


def _same_server(existing: EmailServerProfile, profile: ProfilePlan) -> bool:
    return (existing.server_type == profile.server_type
            and existing.incoming_server.strip().lower() == profile.incoming_server.strip().lower())


def _plan_mailboxes(groups: list[_Group], profile_of: dict, states: dict, plan: MigrationPlan) -> None:
    directory = Directory()
    planned: dict[str, MailboxPlan] = {}
    owners_taken: dict[tuple[str, str], str] = {}  # (kind, identity) -> address of the mailbox that has it
    for group in groups:
        profile = profile_of.get(id(group))
        for entry in group.entries:
            address = entry.email_address
            if not address:
                continue
            if not admin.is_email_address(address):
                plan.unmapped.append(Unmapped(address, f"'{address}' is not an email address", entry.where,
                                              mailbox_created=False))
                continue
            if profile is None:
                plan.unmapped.append(Unmapped(address, "its router profile was not imported (see warnings)",
                                              entry.where, mailbox_created=False))
                continue
            if profile.action == PlanAction.SKIP:
                plan.unmapped.append(Unmapped(address, f"its profile '{profile.name}' cannot be created "
                                                       f"({profile.problem})", entry.where, mailbox_created=False))
                continue
            mailbox = planned.get(address)
            if mailbox is not None:
                if mailbox.profile != profile.name:
                    plan.warnings.append(f"{entry.where}: {address} is also in profile '{mailbox.profile}'; "
                                         "the first one is kept.")
                    continue
                mailbox.incoming |= entry.direction == "incoming"
                mailbox.outgoing |= entry.direction == "outgoing"
                mailbox.sources.append(entry.where)
                continue
            mailbox = MailboxPlan(
                email=address, name=address, profile=profile.name,
                incoming=entry.direction == "incoming",
                outgoing=entry.direction == "outgoing" or profile.sends_email,
                username=entry.email_user if entry.email_user and entry.email_user != profile.username else None,
                sources=[entry.where])
            state = states.get(address)
            if state is not None:
                mailbox.router_last_poll = state.last_successful_poll
                mailbox.router_last_error = state.last_error
            owner, reason = _owner_for(entry, directory)
            if owner is not None:
                identity = (owner.kind, owner.external_id or owner.email)
                if identity in owners_taken:
                    owner, reason = None, (f"the {owner.kind} {owner.email} is already given the mailbox "
                                           f"{owners_taken[identity]} by this migration; one {owner.kind} "
                                           "has one mailbox")
                else:
                    owners_taken[identity] = address
            if owner is None:
                plan.unmapped.append(Unmapped(address, reason, entry.where))
            mailbox.owner = owner
            if owner is not None:
                mailbox.name = owner.name
            planned[address] = mailbox
            plan.mailboxes.append(mailbox)
    for mailbox in plan.mailboxes:
        _compare_mailbox(mailbox, plan, directory)


def _owner_for(entry: ProviderConfig, directory: Directory) -> tuple[OwnerPlan | None, str]:
    """Find the entry's user or queue: by the id the file gives, else by its address. Return (owner, reason)."""
    address = entry.email_address
    if entry.user_id and entry.queue_id:
        return None, f"the entry names both a user ({entry.user_id}) and a queue ({entry.queue_id})"
    for kind, ident in (("user", entry.user_id), ("queue", entry.queue_id)):
        if not ident:
            continue
        row = directory.by_external_id[kind].get(ident)
        if row is not None:
            return _owner_of(kind, row), ""
        by_address = directory.by_email[kind].get(address, [])
        if len(by_address) == 1 and not by_address[0].external_id:
            owner = _owner_of(kind, by_address[0])
            owner.external_id, owner.action = ident, OwnerAction.LINK
            return owner, ""
        if by_address:
            return None, (f"the file names {kind} id {ident}, but the {kind} with the address {address} has "
                          f"another id ({by_address[0].external_id}); check which is right")
        return OwnerPlan(kind, address, _name_from_address(address), ident, OwnerAction.CREATE), ""
    users = directory.by_email["user"].get(address, [])
    queues = directory.by_email["queue"].get(address, [])
    if len(users) + len(queues) == 1:
        return _owner_of("user", users[0]) if users else _owner_of("queue", queues[0]), ""
    if users or queues:
        return None, f"{len(users)} user(s) and {len(queues)} queue(s) have the address {address}; choose one"
    return None, f"no user or queue has the address {address}, and the entry names no user or queue id"


def _owner_of(kind: str, row: CrmUser | CrmQueue) -> OwnerPlan:
    name = row.full_name if kind == "user" else row.name
    return OwnerPlan(kind, row.email, name, row.external_id or "", OwnerAction.EXISTING, row.id)


def _name_from_address(address: str) -> str:
    local = address.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").replace("-", ".").split(".") if part)


def _compare_mailbox(mailbox: MailboxPlan, plan: MigrationPlan, directory: Directory) -> None:
    existing = directory.mailboxes.get(mailbox.email, [])
    if len(existing) > 1:
        plan.warnings.append(f"{len(existing)} mailboxes already have the address {mailbox.email}; the "
                             f"migration updates the first (id {existing[0].id}).")
    row = existing[0] if existing else None
    owner = mailbox.owner
    owner_row = directory.by_id[owner.kind].get(owner.row_id) if owner and owner.row_id else None
    current = directory.mailbox_of.get((owner.kind, owner_row.id)) if owner_row is not None else None
    if row is not None and current is not None and current.id == row.id:
        current = None
    taken = (f"{owner_row.label} already has the mailbox '{current.name}' <{current.email}>; mapping it to "
             f"{mailbox.email} breaks that mapping") if current is not None else ""
    if row is None:
        mailbox.action, mailbox.conflict = PlanAction.CREATE, taken
        return
    wanted = _mailbox_fields(mailbox)
    mailbox.changes = [k for k, v in wanted.items() if _value(row, k, directory) != v]
    row_owner = directory.owner_of(row)
    if owner is not None and (owner_row is None or row_owner != (owner.kind, owner_row)):
        mailbox.changes.append("owner")
        if row_owner is not None:
            mailbox.conflict = (f"the mailbox {row.email} belongs to {row_owner[1].label}; the router gives it to "
                                f"{owner.label}")
        else:
            mailbox.conflict = taken
    mailbox.action = PlanAction.UPDATE if mailbox.changes else PlanAction.UNCHANGED


def _mailbox_fields(mailbox: MailboxPlan) -> dict:
    return {
        "name": mailbox.name,
        "profile": mailbox.profile,
        "username": mailbox.username,
        "incoming_method": int(codes.IncomingMethod.SERVER_SIDE_SYNC if mailbox.incoming
                               else codes.IncomingMethod.NONE),
        "outgoing_method": int(codes.OutgoingMethod.SERVER_SIDE_SYNC if mailbox.outgoing
                               else codes.OutgoingMethod.NONE),
    }


def _value(row: Mailbox, key: str, directory: Directory):
    if key == "profile":
        return directory.profile_names.get(row.profile_id)
    return getattr(row, key)


def _auth(group: _Group) -> int:
    modes = [e.auth_mode.strip().lower() for e in group.entries if e.auth_mode]
    return int(_AUTH_MODES.get(modes[0], codes.AuthType.AUTO_DETECT)) if modes else int(codes.AuthType.AUTO_DETECT)


def _host(server: str) -> str:
    parsed = urlparse(server if "://" in server else f"//{server}")
    return parsed.hostname or server
