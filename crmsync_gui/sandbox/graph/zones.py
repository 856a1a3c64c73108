"""Time zones as Graph takes them: a dateTimeTimeZone's timeZone and `Prefer: outlook.timezone` name an IANA or a
Windows zone; the store keeps an event's zones as EWS does (StartTimeZone/EndTimeZone with the Windows id), so
EWS and Graph clients see the same ones. The Windows ↔ IANA table is the CLDR one exchangelib ships."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from exchangelib.winzone import IANA_TO_MS_TIMEZONE_MAP, MS_TIMEZONE_TO_IANA_MAP

from .replies import GraphError


def windows_id(name: str | None) -> str:
    """The Windows id of a zone named either way ("UTC" when none); Graph's 400 for a zone it does not know."""
    name = name or "UTC"
    if name in MS_TIMEZONE_TO_IANA_MAP:
        return name
    if name in IANA_TO_MS_TIMEZONE_MAP:
        return IANA_TO_MS_TIMEZONE_MAP[name][0]
    raise GraphError(400, "TimeZoneNotSupportedException", f"A valid TimeZone value must be specified. The "
                     f"following TimeZone value is not supported: '{name}'.")


def zone(name: str | None) -> ZoneInfo:
    """The zone named either way."""
    try:
        return ZoneInfo(name if name and name in IANA_TO_MS_TIMEZONE_MAP else MS_TIMEZONE_TO_IANA_MAP[windows_id(name)])
    except ZoneInfoNotFoundError:
        raise GraphError(400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified. The "
                         f"following TimeZone value is not supported: '{name}'.") from None


def wall_clock(moment: datetime, name: str | None) -> datetime:
    """An instant as the clock of the zone shows it (naive)."""
    return moment.astimezone(zone(name)).replace(tzinfo=None)


def instant(value: dict) -> datetime:
    """The UTC instant of a dateTimeTimeZone."""
    try:
        clock = datetime.fromisoformat(value["dateTime"][:19])
    except (KeyError, TypeError, ValueError):
        raise GraphError(400, "ErrorInvalidRequest", "A dateTimeTimeZone needs its dateTime.") from None
    return clock.replace(tzinfo=zone(value.get("timeZone"))).astimezone(UTC)
