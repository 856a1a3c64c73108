"""EWS sessions of one Exchange profile: TLS, timeouts, sign-in, and secrets kept out of logs.

exchangelib is synchronous, so every call runs in a worker thread of a bounded executor (one per
profile), while the job holds one of the server's connection slots (`job.connection()`). One
exchangelib configuration (and so one session pool) exists per profile settings + credentials and
is reused across cycles, with the profile's timeout, SSL choice, authentication type and trusted
CA file. The CA file is applied per profile, on the sessions of our own Protocol subclass, so
certificate checking stays on for every other profile and library. Messages never contain the
password, and a log filter keeps exchangelib's debug logs free of it (its request-header dumps
include the Authorization header).
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import exchangelib
from exchangelib.folders import Calendar, Contacts, Inbox, Root, SentItems, Tasks
from exchangelib.protocol import CachingProtocol, FailFast, Protocol
from exchangelib.transport import AUTH_TYPE_MAP

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _redaction as redaction
from crmsync_gui.core.connectors import _unencrypted
from crmsync_gui.core.connectors._ews_errors import map_error
from crmsync_gui.core.connectors._ews_reply import BoundedAdapter
from crmsync_gui.core.errors import PermanentError

MAX_THREADS_PER_PROFILE = 16  # Exchange allows ~27 concurrent EWS connections per user; stay well under
# Negotiate is Kerberos where requests-gssapi and a Kerberos set-up are installed; otherwise SPNEGO's own
# fallback, NTLM, which requests_ntlm speaks inside the Negotiate scheme when the server offers only that.
_NEGOTIATE = exchangelib.GSSAPI if exchangelib.GSSAPI in AUTH_TYPE_MAP else exchangelib.NTLM
_AUTH = {codes.AuthType.AUTO_DETECT: None, codes.AuthType.NTLM: exchangelib.NTLM,
         codes.AuthType.BASIC: exchangelib.BASIC, codes.AuthType.NEGOTIATE: _NEGOTIATE,
         codes.AuthType.OAUTH: exchangelib.OAUTH2}
# exchangelib logs requests and errors; requests_oauthlib logs the token request's body (the client secret)
redaction.install_log_filter("exchangelib", "requests_oauthlib", "oauthlib")

# -- per-profile TLS and timeout -----------------------------------------------------------------

class ServerVersion:
    """The version of one profile's Exchange server, asked once for all its mailboxes."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version: exchangelib.Version | None = None


class ProfileConfiguration(exchangelib.Configuration):
    """An exchangelib configuration carrying the profile's CA file, request timeout and server version."""

    def __init__(self, *, trusted_ca_file: str | None, timeout_s: float, server_version: ServerVersion | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.trusted_ca_file = trusted_ca_file
        self.timeout_s = timeout_s
        self.server_version = server_version


class _ProfileProtocolCache(CachingProtocol):
    # Our own cache (not exchangelib's global one), keyed on the TLS and timeout settings too.
    _protocol_cache: dict = {}
    _protocol_cache_lock = threading.Lock()

    @staticmethod
    def _cache_key(config):
        return config.service_endpoint, config.credentials, config.trusted_ca_file, config.timeout_s


class ProfileProtocol(Protocol, metaclass=_ProfileProtocolCache):
    """exchangelib's Protocol with the profile's CA bundle on every session it opens."""

    RETRY_WAIT = 0  # with FailFast, pass the server's own BackOffMilliseconds through (even 0)
    HTTP_ADAPTER_CLS = BoundedAdapter  # replies read whole, within the profile's timeout and a byte cap

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.TIMEOUT = self.config.timeout_s

    @property
    def version(self):
        # exchangelib asks each Protocol's server its version (a ConvertId round trip), and each mailbox with a
        # password of its own has its own Protocol: a profile's server is asked once, for all its mailboxes
        shared = getattr(self.config, "server_version", None)
        if shared is None or (self.config.version and self.config.version.build):
            return super().version
        with shared.lock:
            if shared.version is None:
                shared.version = super().version
            self.config.version = shared.version
        return self.config.version

    def raw_session(self, prefix, oauth2_client=None, oauth2_session_params=None, oauth2_token_endpoint=None):
        # Every session exchangelib opens for this profile, including auth-type detection, comes from here.
        session = super().raw_session(prefix, oauth2_client, oauth2_session_params, oauth2_token_endpoint)
        if self.config.trusted_ca_file:
            for url in filter(None, (prefix, oauth2_token_endpoint)):
                session.mount(url, _TrustedCAAdapter(self.config.trusted_ca_file, pool_block=True,
                                                     pool_connections=self.CONNECTIONS_PER_SESSION,
                                                     pool_maxsize=self.CONNECTIONS_PER_SESSION, max_retries=0))
        return session


class OAuthAppCredentials(exchangelib.OAuth2Credentials):
    """An app's client credentials; `tenant` is a Microsoft tenant ID or domain, or another provider's token URL."""

    @property
    def token_url(self):
        return self.tenant_id if self.tenant_id.startswith("https://") else super().token_url

    def session_params(self):
        # The client credentials grant has no refresh token, so no auto-refresh (it would send a refresh grant
        # the identity provider refuses: exchangelib issue #1345). An expired token raises TokenExpiredError
        # instead, on which exchangelib opens a new session that fetches a new token and retries.
        return {"token": self.access_token}


class _TrustedCAAdapter(BoundedAdapter):
    """Verifies the server against the profile's CA file only.

    Set on the adapter, not as `session.verify`, because requests lets REQUESTS_CA_BUNDLE in the
    environment override a session's CA bundle.
    """

    def __init__(self, ca_file: str, **kwargs):
        self.ca_file = ca_file
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        kwargs["verify"] = self.ca_file
        return super().send(request, **kwargs)


# -- settings and credentials -------------------------------------------------------------------

@dataclass(frozen=True)
class _Settings:
    endpoint: str
    auth_type: str | None
    trusted_ca_file: str | None
    timeout_s: float
    max_connections: int
    oauth_tenant: str | None = None


def service_endpoint(profile) -> str:
    """The EWS URL of a profile, checked against its Use SSL choice."""
    text = (profile.incoming_server or "").strip()
    if not text:
        raise PermanentError("BadConfiguration", f"Profile {profile.name} has no Exchange server location.",
                             action="Set it to the EWS URL, e.g. https://mail.contoso.com/EWS/Exchange.asmx.")
    if "://" not in text:
        text = ("https://" if profile.incoming_use_ssl else "http://") + text
    parts = urlsplit(text)
    if (parts.scheme == "https") != bool(profile.incoming_use_ssl):
        raise PermanentError("BadConfiguration", f"Profile {profile.name} says Use SSL is "
                             f"{'on' if profile.incoming_use_ssl else 'off'} but its server location is {text}.",
                             action="Make the location's https:// or http:// agree with Use SSL.")
    if parts.path in ("", "/"):
        text = text.rstrip("/") + "/EWS/Exchange.asmx"
    return text


def _settings(profile, timeout_s: float) -> _Settings:
    auth = codes.AuthType(profile.auth_type)
    tenant = (profile.oauth_tenant or "").strip() or None
    if auth == codes.AuthType.OAUTH and not (tenant and profile.username):
        raise PermanentError("BadConfiguration", f"Profile {profile.name} uses OAuth but lacks its "
                             f"{'tenant' if not tenant else 'application (client) ID'}.",
                             action="Set the profile's OAuth tenant, its user name to the app's client ID and its "
                                    "password to the client secret.")
    authority = (profile.oauth_authority or "").strip().rstrip("/")
    if tenant and authority and "://" not in tenant:  # the profile's identity platform (a national cloud), as Graph's
        tenant = f"{authority}/{tenant}/oauth2/v2.0/token"
    ca_file = profile.trusted_ca_file or None
    if ca_file and not os.path.isfile(ca_file):
        raise PermanentError("BadConfiguration", f"The trusted CA file {ca_file} of profile {profile.name} "
                             "does not exist.", action="Point the profile at the PEM file of the private CA.")
    max_connections = max(1, min(int(profile.max_concurrent_connections or 1), MAX_THREADS_PER_PROFILE))
    endpoint = service_endpoint(profile)
    if urlsplit(endpoint).scheme == "http":
        _unencrypted.check(profile, urlsplit(endpoint).hostname or "", f"Exchange server {endpoint}")
    return _Settings(endpoint, _AUTH[auth], ca_file, float(timeout_s), max_connections,
                     tenant if auth == codes.AuthType.OAUTH else None)


class ProfileAccount(exchangelib.Account):
    """An exchangelib Account whose root and distinguished folders are looked up under a lock of its own.

    exchangelib caches Account.root, .inbox and the others with threaded_cached_property, whose lock
    belongs to the property, so one for every account of the process: each mailbox's first folder
    lookup (a GetFolder round trip) waited for every other mailbox's, and first syncs ran one at a time.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._folder_lock = threading.RLock()  # re-entered: a folder's lookup needs the root
        self._found: dict[str, object] = {}

    def _folder(self, name: str, find):
        found = self._found.get(name)
        if found is None:
            with self._folder_lock:
                found = self._found.get(name)
                if found is None:
                    found = self._found[name] = find()
        return found

    @property
    def root(self):
        return self._folder("root", lambda: Root.get_distinguished(account=self))

    @property
    def inbox(self):
        return self._folder("inbox", lambda: self.root.get_default_folder(Inbox))

    @property
    def sent(self):
        return self._folder("sent", lambda: self.root.get_default_folder(SentItems))

    @property
    def calendar(self):
        return self._folder("calendar", lambda: self.root.get_default_folder(Calendar))

    @property
    def contacts(self):
        return self._folder("contacts", lambda: self.root.get_default_folder(Contacts))

    @property
    def tasks(self):
        return self._folder("tasks", lambda: self.root.get_default_folder(Tasks))


def _credentials(settings: _Settings, username: str, password: str):
    if settings.oauth_tenant:
        return OAuthAppCredentials(client_id=username, client_secret=password, tenant_id=settings.oauth_tenant)
    return exchangelib.Credentials(username, password)


class EwsSession:
    """The EWS plumbing of one Exchange profile: its threads, its exchangelib accounts and folders."""

    def __init__(self, profile):
        self.profile_id = profile.id
        limit = max(1, min(int(profile.max_concurrent_connections or 1), MAX_THREADS_PER_PROFILE))
        self._executor = ThreadPoolExecutor(max_workers=limit, thread_name_prefix=f"ews-profile-{profile.id}")
        self._configs: dict[tuple, ProfileConfiguration] = {}
        self._accounts: dict[tuple, exchangelib.Account] = {}
        self._folders: dict[tuple, object] = {}
        self._versions: dict[str, ServerVersion] = {}  # service endpoint → its server's version
        self._lock = threading.Lock()

    def sign_in(self, job) -> str:
        """Who the job's requests sign in as (the impersonating account serves many mailboxes)."""
        return self._credentials(job)[0].lower()

    def _credentials(self, job) -> tuple[str, bool]:
        """(user name, impersonate?) from the profile's impersonation account or the mailbox's own."""
        if job.profile.username:
            return job.profile.username, True
        return job.mailbox.username or job.mailbox.email, False

    def account(self, job) -> exchangelib.Account:
        """The (cached) exchangelib account of the job's mailbox; no request is made here."""
        settings = _settings(job.profile, job.timeout_s)
        username, impersonate = self._credentials(job)
        password = job.password or ""
        if password:
            redaction.remember(password)
        secret_hash = hashlib.sha256(password.encode()).hexdigest()
        config_key = (settings, username, secret_hash)
        account_key = (config_key, job.mailbox.email.lower(), impersonate)
        with self._lock:
            account = self._accounts.get(account_key)
            if account is not None:
                return account
            config = self._configs.get(config_key)
            if config is None:
                config = ProfileConfiguration(
                    service_endpoint=settings.endpoint, credentials=_credentials(settings, username, password),
                    auth_type=settings.auth_type, retry_policy=FailFast(), max_connections=settings.max_connections,
                    trusted_ca_file=settings.trusted_ca_file, timeout_s=settings.timeout_s,
                    server_version=self._versions.setdefault(settings.endpoint, ServerVersion()))
                self._configs[config_key] = config
            account = ProfileAccount(
                primary_smtp_address=job.mailbox.email, config=config, autodiscover=False,
                access_type=exchangelib.IMPERSONATION if impersonate else exchangelib.DELEGATE,
                default_timezone=exchangelib.UTC)
            # Account() registered a plain Protocol in exchangelib's global cache; use ours instead.
            with CachingProtocol._protocol_cache_lock:
                CachingProtocol._protocol_cache.pop(CachingProtocol._cache_key(config), None)
            account.protocol = ProfileProtocol(config=config)
            self._accounts[account_key] = account
            return account

    async def call(self, job, what: str, fn, *args, **kwargs):
        """Run a blocking exchangelib call in this profile's threads, holding a connection slot."""
        loop = asyncio.get_running_loop()
        async with job.connection():
            request = loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))
            try:
                return await asyncio.shield(request)
            except asyncio.CancelledError:
                # stopped (its deadline): the request goes on in its thread, so keep the slot until it ends, or
                # the next job's request would be one more at the server than the cap allows
                await asyncio.wait([request])
                if not request.cancelled():
                    request.exception()  # its outcome no longer matters: retrieved, so asyncio does not log it
                raise
            except Exception as exc:  # mapped, or re-raised when it is not a server error
                error = map_error(exc, what, job.password)
        raise error

    def folder(self, account, name: str):
        """A mail folder by its tracked name (Inbox, Inbox/Projects), looked up once."""
        key = (id(account), name.lower())
        folder = self._folders.get(key)
        if folder is None:
            folder = account.inbox
            for part in [p for p in name.split("/") if p] if name.lower() != "inbox" else []:
                if part.lower() == "inbox" and folder is account.inbox:
                    continue
                folder = folder / part
            self._folders[key] = folder
        return folder

    async def close(self) -> None:
        with self._lock:
            configs = list(self._configs.values())
            self._accounts.clear()
            self._configs.clear()
            self._folders.clear()
        for config in configs:
            with _ProfileProtocolCache._protocol_cache_lock:
                cached = _ProfileProtocolCache._protocol_cache.pop(_ProfileProtocolCache._cache_key(config), None)
            if cached and not isinstance(cached[0], Exception):
                cached[0].close()
        self._executor.shutdown(wait=False, cancel_futures=True)
