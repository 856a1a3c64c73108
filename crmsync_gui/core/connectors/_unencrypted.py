"""Connections without TLS: only to this computer, unless the profile's administrator allowed them.

Without TLS the password and every email cross the network readable, so a profile with SSL off is
refused for any host that is not loopback until its `allow_unencrypted` is set (the CLI's
`profiles add` or `profiles edit` with --allow-unencrypted); an allowed one connects
with a warning in the log on each connection.
"""
from __future__ import annotations

import ipaddress
import logging

from crmsync_gui.core.errors import PermanentError

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check(profile, host: str, server: str) -> None:
    """Call before connecting without TLS to `host` (`server` names it in the administrator's words)."""
    if is_loopback(host):
        return
    if not getattr(profile, "allow_unencrypted", False):
        raise PermanentError("UnencryptedRefused", f"Profile {profile.name} would connect to the {server} without "
                             "encryption, so its password and every email would cross the network readable.",
                             action="Turn Use SSL (or STARTTLS) on in the profile; if the network is trusted, "
                                    "allow unencrypted connections for it explicitly "
                                    f"(crmsync profiles edit '{profile.name}' --allow-unencrypted).")
    log.warning("Profile %s connects to the %s without encryption, as its administrator allowed: passwords and "
                "email cross the network readable.", profile.name, server)
