"""Email server profile validation, with reasons a person can read."""
from typing import Any
from urllib.parse import urlparse

from crmsync_gui.core import codes
from crmsync_gui.core.messages import reason


def validate_profile(fields: dict[str, Any]) -> dict[str, str]:
    """Return {field: reason} for each unacceptable value; empty when the profile is valid."""
    problems: dict[str, str] = {}
    name = str(fields.get("name") or "").strip()
    if not name:
        problems["name"] = reason("ProfileNeedsName")
    try:
        server_type = codes.ServerType.parse(fields.get("server_type", codes.ServerType.EXCHANGE))
    except ValueError as exc:
        problems["server_type"] = str(exc)
        server_type = None
    try:
        auth_type = codes.AuthType.parse(fields.get("auth_type", codes.AuthType.AUTO_DETECT))
    except ValueError as exc:
        problems["auth_type"] = str(exc)
        auth_type = None
    if auth_type is codes.AuthType.OAUTH and server_type is not None:
        _check_oauth(fields, server_type, problems)
    graph = _check_protocol(fields, server_type, auth_type, problems)

    low, high = codes.MAX_CONNECTIONS_RANGE
    _check_int(fields, "max_concurrent_connections", low, high, problems,
               reason("WhatMaxConnections"))
    low, high = codes.MIN_POLLING_RANGE_MINUTES
    _check_int(fields, "min_polling_interval_minutes", low, high, problems,
               reason("WhatMinPolling"))
    if fields.get("timeout_enabled", True):
        _check_int(fields, "timeout_ms", 1, codes.MAX_TIMEOUT_MS, problems,
                   reason("WhatTimeout"))

    incoming = str(fields.get("incoming_server") or "").strip()
    if graph:
        pass  # a Graph profile's address is its graph_url, checked above; it has no EWS location
    elif not incoming:
        problems["incoming_server"] = reason("ProfileNeedsLocation")
    elif server_type is not None and server_type.is_exchange:
        url = urlparse(incoming)
        if url.scheme not in ("https", "http") or not url.hostname:
            problems["incoming_server"] = reason("ProfileNotEwsUrl", given=incoming)
        elif url.scheme == "http" and fields.get("incoming_use_ssl", True):
            problems["incoming_server"] = reason("ProfileHttpWithSsl")
    elif not _is_host_port(incoming):
        problems["incoming_server"] = reason("ProfileNotHostPort", given=incoming)
    if server_type is not None and not server_type.is_exchange:
        outgoing = str(fields.get("outgoing_server") or "").strip()
        if not outgoing:
            problems["outgoing_server"] = reason("ProfileNeedsSmtp")
        elif not _is_host_port(outgoing):
            problems["outgoing_server"] = reason("ProfileNotHostPort", given=outgoing)
        incoming_ports = _PORTS[server_type]
        for side, ssl_port, plain_ports, what in (("incoming", *incoming_ports),
                                                  ("outgoing", 465, (25, 587), "SMTP")):
            if f"{side}_server" not in problems:
                _check_security(fields, side, ssl_port, plain_ports, what, problems)
    if server_type is codes.ServerType.POP3_SMTP and fields.get("move_failed_to_undeliverable"):
        problems["move_failed_to_undeliverable"] = reason("ProfilePop3NoFolders")
    return problems


# POP3/IMAP: (SSL port, plain/STARTTLS ports, protocol); SMTP's are 465 and 25/587
_PORTS = {codes.ServerType.POP3_SMTP: (995, (110,), "POP3"), codes.ServerType.IMAP_SMTP: (993, (143,), "IMAP")}


def _check_security(fields: dict, side: str, ssl_port: int, plain_ports: tuple[int, ...], what: str,
                    problems: dict) -> None:
    """A well-known port that contradicts Use SSL / STARTTLS: the connection would hang or fail at TLS."""
    _, _, port = str(fields.get(f"{side}_server") or "").strip().rpartition(":")
    if not port.isdigit():
        return
    port, use_ssl, starttls = int(port), fields.get(f"{side}_use_ssl", True), fields.get(f"{side}_starttls", False)
    plain = reason("PortsOr", first=str(plain_ports[0]), second=str(plain_ports[1])) if len(plain_ports) == 2 \
        else str(plain_ports[0])
    if port == ssl_port and (not use_ssl or starttls):
        problems[f"{side}_starttls" if use_ssl else f"{side}_use_ssl"] = reason(
            "ProfileSslPort", port=str(port), what=what, plain=plain)
    elif port in plain_ports and use_ssl and not starttls:
        problems[f"{side}_starttls"] = reason("ProfilePlainPort", port=str(port), ssl_port=str(ssl_port))


def _check_oauth(fields: dict, server_type: codes.ServerType, problems: dict) -> None:
    """OAuth here is an app's client credentials (Exchange Online): client ID, secret and tenant."""
    if not server_type.is_exchange:
        problems["auth_type"] = reason("OAuthExchangeOnly")
        return
    tenant = str(fields.get("oauth_tenant") or "").strip()
    if not tenant:
        problems["oauth_tenant"] = reason("OAuthNeedsTenant")
    elif "://" in tenant and not tenant.startswith("https://"):
        problems["oauth_tenant"] = reason("OAuthTokenUrlHttps", given=tenant)
    elif "://" not in tenant and any(c.isspace() or c in "/?#" for c in tenant):
        problems["oauth_tenant"] = reason("OAuthNotTenant", given=tenant)
    if not str(fields.get("username") or "").strip():
        problems["username"] = reason("OAuthNeedsClientId")


def _check_protocol(fields: dict, server_type, auth_type, problems: dict) -> bool:
    """EWS or Microsoft Graph for an Exchange profile; True when it is a valid Graph profile's choice."""
    try:
        given = fields.get("protocol")
        protocol = codes.ExchangeProtocol.parse(codes.ExchangeProtocol.EWS if given is None else given)
    except ValueError as exc:
        problems["protocol"] = str(exc)
        return False
    if protocol is not codes.ExchangeProtocol.GRAPH:
        return False
    if server_type is not None and not server_type.is_exchange:
        problems["protocol"] = reason("GraphExchangeOnly")
        return False
    if auth_type is not None and auth_type is not codes.AuthType.OAUTH:
        problems["auth_type"] = reason("GraphNeedsOAuth")
    if "://" in str(fields.get("oauth_tenant") or ""):
        problems["oauth_tenant"] = reason("GraphTenantNotUrl")
    for key, what in (("graph_url", "WhatGraphAddress"), ("oauth_authority", "WhatAuthority")):
        url = urlparse(str(fields.get(key) or "").strip())
        if fields.get(key) and (url.scheme != "https" or not url.hostname):
            problems[key] = reason("NotHttpsUrl", what=reason(what), given=str(fields[key]))
    thumbprint = str(fields.get("certificate_thumbprint") or "").strip().replace(":", "")
    key_file = str(fields.get("private_key_file") or "").strip()
    if thumbprint and (len(thumbprint) != 40 or any(c not in "0123456789abcdefABCDEF" for c in thumbprint)):
        problems["certificate_thumbprint"] = reason("ThumbprintDigits")
    elif bool(thumbprint) != bool(key_file):
        problems["private_key_file" if thumbprint else "certificate_thumbprint"] = reason("CertificateNeedsBoth")
    return True


def _check_int(fields: dict, key: str, low: int, high: int, problems: dict, what: str) -> None:
    """`what`: the number's name, a Reason."""
    if key not in fields or fields[key] is None:
        return
    try:
        value = int(fields[key])
    except (TypeError, ValueError):
        problems[key] = reason("NotWholeNumber", what=what, given=repr(fields[key]))
        return
    if not low <= value <= high:
        problems[key] = reason("OutOfRange", what=what, low=low, high=high, value=value)


def _is_host_port(text: str) -> bool:
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    if not host or any(c.isspace() for c in host) or "/" in host:
        return False
    return not port or (port.isdigit() and 0 < int(port) < 65536)
