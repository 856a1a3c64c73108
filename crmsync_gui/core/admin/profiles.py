"""Email server profiles: save one, with its password."""
from __future__ import annotations

from typing import Any

from crmsync_gui.core import codes
from crmsync_gui.core.domain.profile import validate_profile
from crmsync_gui.core.errors import ValidationError
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.base import database_proxy
from crmsync_gui.core.store.models import EmailServerProfile

PROFILE_FIELDS = {f for f in EmailServerProfile._meta.fields if f not in ("id", "secret_ref", "created_at")}


def save_profile(fields: dict[str, Any], *, profile: EmailServerProfile | None = None,
                 password: str | None = None, secrets: SecretStore | None = None) -> EmailServerProfile:
    """Create or update a profile after validation; raise ValidationError listing every problem.

    A non-empty `password` goes to `secrets` and its reference is saved with the profile, in one transaction.
    """
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({k: "not a profile field" for k in sorted(unknown)})
    merged = {k: getattr(profile, k) for k in PROFILE_FIELDS if profile is not None} | fields
    problems = validate_profile(merged)
    if "name" not in problems:
        clash = EmailServerProfile.select().where(EmailServerProfile.name == str(merged["name"]).strip())
        if profile is not None:
            clash = clash.where(EmailServerProfile.id != profile.id)
        if clash.exists():
            problems["name"] = f"a profile named '{merged['name']}' already exists"
    if problems:
        raise ValidationError(problems)
    for key in ("server_type", "auth_type"):
        if key in fields:
            enum = codes.ServerType if key == "server_type" else codes.AuthType
            fields[key] = int(enum.parse(fields[key]))
    profile = profile or EmailServerProfile()
    with database_proxy.atomic():
        for key, value in fields.items():
            setattr(profile, key, value.strip() if isinstance(value, str) else value)
        if password:
            profile.secret_ref = secrets.put(password, profile.secret_ref)
        profile.save()
    return profile
