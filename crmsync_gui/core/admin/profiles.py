"""Email server profiles: save one, with its password."""
from __future__ import annotations

from typing import Any

from crmsync_gui.core import codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.messages import reason
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import EmailServerProfile

PROFILE_FIELDS = {f for f in EmailServerProfile._meta.fields if f not in ("id", "secret_ref", "created_at")}


def default_protocol(server_type) -> codes.ExchangeProtocol:
    """A new profile's protocol: Microsoft Graph for Exchange Online (its EWS is blocked by default since
    October 2026 and gone from April 2027), EWS for every other server type."""
    try:
        online = codes.ServerType.parse(server_type) is codes.ServerType.EXCHANGE_ONLINE_HYBRID
    except ValueError:
        online = False  # validation names the bad server type
    return codes.ExchangeProtocol.GRAPH if online else codes.ExchangeProtocol.EWS


def save_profile(fields: dict[str, Any], *, profile: EmailServerProfile | None = None,
                 password: str | None = None, secrets: SecretStore | None = None) -> EmailServerProfile:
    """Create or update a profile after validation; raise ValidationError listing every problem.

    A non-empty `password` goes to `secrets` and its reference is saved with the profile, in one transaction.
    """
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({k: "not a profile field" for k in sorted(unknown)})
    if profile is None and "protocol" not in fields:
        fields = fields | {"protocol": default_protocol(fields.get("server_type", codes.ServerType.EXCHANGE))}
    merged = {k: getattr(profile, k) for k in PROFILE_FIELDS if profile is not None} | fields
    problems = validate_profile(merged)
    if "name" not in problems:
        clash = EmailServerProfile.select().where(EmailServerProfile.name == str(merged["name"]).strip())
        if profile is not None:
            clash = clash.where(EmailServerProfile.id != profile.id)
        if clash.exists():
            problems["name"] = reason("ProfileNameTaken", given=str(merged["name"]))
    if problems:
        raise ValidationError(problems)
    for key, enum in (("server_type", codes.ServerType), ("auth_type", codes.AuthType),
                      ("protocol", codes.ExchangeProtocol)):
        if key in fields:
            fields[key] = int(enum.parse(fields[key]))
    profile = profile or EmailServerProfile()
    with database_proxy.atomic():
        for key, value in fields.items():
            setattr(profile, key, value.strip() if isinstance(value, str) else value)
        if password:
            profile.secret_ref = secrets.put(password, profile.secret_ref)
        profile.save()
    return profile
