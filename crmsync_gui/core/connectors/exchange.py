"""The Exchange connector: EWS through exchangelib, for the Exchange server types.

exchangelib is synchronous, so every call runs in a worker thread of a bounded executor (one per
profile), while the job holds one of the server's connection slots (`job.connection()`). One
exchangelib configuration (and so one session pool) exists per profile settings + credentials and
is reused across cycles, with the profile's timeout, SSL choice, authentication type and trusted
CA file. The CA file is applied per profile, on the sessions of our own Protocol subclass, so
certificate checking stays on for every other profile and library.

Every exchangelib or HTTP error becomes a TransientError or PermanentError (errors.py) with a
stable trace code; messages never contain the password, and a log filter keeps exchangelib's
debug logs free of it (its request-header dumps include the Authorization header).
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import logging
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import quote, quote_plus, urlsplit

import exchangelib
import oauthlib.oauth2
import requests
import requests.adapters
from exchangelib import errors as ews
from exchangelib.items import ID_ONLY, Message
from exchangelib.protocol import CachingProtocol, FailFast, Protocol
from exchangelib.services import SyncFolderItems
from exchangelib.transport import AUTH_TYPE_MAP

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import _exchange_act as ews_act
from crmsync_gui.core.connectors._internet_mail import keep_unreadable
from crmsync_gui.core.errors import MessageRejected, PermanentError, SyncError, TransientError
from crmsync_gui.core.store.base import database_proxy, utcnow
from crmsync_gui.core.store.models import FolderSyncState, TrackingDecision
from crmsync_gui.core.sync import act, mime, outgoing, tracking
from crmsync_gui.core.sync import connector as contract
from crmsync_gui.core.sync.mail import IncomingEmail

log = logging.getLogger(__name__)

TRACKED_CATEGORY = ews_act.TRACKED_CATEGORY  # on every tracked email, so users see it in Outlook
PAGE_SIZE = 100  # SyncFolderItems MaxChangesReturned per request
SETTLE_ROUNDS = 3  # extra reads per folder and cycle to take in our own writes, at most
MAX_THREADS_PER_PROFILE = 16  # Exchange allows ~27 concurrent EWS connections per user; stay well under
# Negotiate is Kerberos where requests-gssapi and a Kerberos set-up are installed; otherwise SPNEGO's own
# fallback, NTLM, which requests_ntlm speaks inside the Negotiate scheme when the server offers only that.
_NEGOTIATE = exchangelib.GSSAPI if exchangelib.GSSAPI in AUTH_TYPE_MAP else exchangelib.NTLM
_AUTH = {codes.AuthType.AUTO_DETECT: None, codes.AuthType.NTLM: exchangelib.NTLM,
         codes.AuthType.BASIC: exchangelib.BASIC, codes.AuthType.NEGOTIATE: _NEGOTIATE,
         codes.AuthType.OAUTH: exchangelib.OAUTH2}
# The MIME carries everything tracking needs (parsed by core/sync/mime.py, as for IMAP and POP3),
# attachments included, so a page of 100 emails is one request.
_UNDELIVERABLE = codes.UNDELIVERABLE_FOLDER.split("/")[-1]  # a folder under the Inbox
_EMAIL_FIELDS = ("mime_content", "conversation_index", "datetime_received", "size", "categories")


# -- per-profile TLS and timeout -----------------------------------------------------------------

class ProfileConfiguration(exchangelib.Configuration):
    """An exchangelib configuration carrying the profile's CA file and request timeout."""

    def __init__(self, *, trusted_ca_file: str | None, timeout_s: float, **kwargs):
        super().__init__(**kwargs)
        self.trusted_ca_file = trusted_ca_file
        self.timeout_s = timeout_s


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.TIMEOUT = self.config.timeout_s

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


class _TrustedCAAdapter(requests.adapters.HTTPAdapter):
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


# -- secrets out of logs and messages ----------------------------------------------------------

_AUTH_HEADER = re.compile(r"""(['"]?(?:proxy-)?authorization['"]?\s*[:=]\s*)(['"]?)[^'",}\n]+""", re.IGNORECASE)
_CLIENT_SECRET = re.compile(r"""(client_secret['"]?\s*[:=]\s*['"]?)[^&'",}\s]+""", re.IGNORECASE)
_known_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def redact(text: str, *secrets: str | None) -> str:
    text = _CLIENT_SECRET.sub(r"\1[redacted]", _AUTH_HEADER.sub(r"\1\2[redacted]", text))
    with _secrets_lock:
        known = set(_known_secrets)
    for secret in {*known, *(s for s in secrets if s)}:
        if len(secret) >= 3:
            for form in {secret, quote_plus(secret), quote(secret, safe="")}:  # as sent in a form body too
                text = text.replace(form, "[redacted]")
    return text


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _install_log_filter() -> None:
    log_filter = _RedactingFilter()
    # exchangelib logs requests and errors; requests_oauthlib logs the token request's body (the client secret)
    packages = ("exchangelib", "requests_oauthlib", "oauthlib")
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in packages]
    for name in names:
        logging.getLogger(name).addFilter(log_filter)


_install_log_filter()


# -- error mapping -------------------------------------------------------------------------------

def _cause(exc: BaseException) -> BaseException | None:
    return exc.__cause__ or exc.__context__


def map_error(exc: BaseException, what: str, password: str | None = None) -> SyncError:
    """An exchangelib/HTTP error as the engine's transient/permanent taxonomy, in the admin's words."""
    detail = redact(f"{type(exc).__name__}: {exc}", password)[:400]
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, ews.ErrorServerBusy):
        wait = exc.back_off
        return TransientError("ErrorServerBusy", f"The Exchange server is busy and asked to wait while {what}"
                              f"{f' ({wait:g} s)' if wait is not None else ''}.", retry_after_s=wait)
    if isinstance(exc, oauthlib.oauth2.OAuth2Error):
        said = redact(f"{exc.error}: {exc.description or ''}", password)[:400]
        if exc.error in ("temporarily_unavailable", "server_error"):
            return TransientError("ServerError", f"The identity provider failed while {what} ({said}).")
        return PermanentError("AuthenticationFailed", f"The identity provider refused the app's sign-in while {what} "
                              f"({said}).", action="Check the profile's OAuth tenant, the application (client) ID "
                              "and its client secret (it may have expired), then run Test & Enable.")
    if isinstance(exc, ews.UnauthorizedError | ews.ErrorInvalidClientSecurityContext):
        return PermanentError("AuthenticationFailed", f"Exchange refused the sign-in while {what} ({detail}).")
    if isinstance(exc, ews.ErrorNonExistentMailbox | ews.ErrorMailboxConfiguration):
        return PermanentError("MailboxNotFound", f"Exchange has no such mailbox while {what} ({detail}).")
    if isinstance(exc, ews.ErrorAccessDenied | ews.ErrorImpersonateUserDenied | ews.ErrorImpersonationDenied
                  | ews.ErrorImpersonationFailed | ews.ErrorNotDelegate):
        return PermanentError("AccessDenied", f"The account may not open this mailbox while {what} ({detail}).")
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(_cause(exc), requests.exceptions.SSLError):
        return PermanentError("CertificateInvalid", f"The Exchange server's certificate was not trusted while "
                              f"{what} ({detail}).")
    if isinstance(exc, ews.ErrorTimeoutExpired | requests.exceptions.Timeout | TimeoutError):
        cause = _cause(exc)
        if isinstance(exc, ews.ErrorTimeoutExpired) and "ConnectionError" in str(exc) and not isinstance(
                cause, requests.exceptions.Timeout):
            return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} "
                                                      f"({detail}).")
        return TransientError("Timeout", f"The Exchange server did not answer in time while {what}.")
    if isinstance(exc, requests.exceptions.ConnectionError | ConnectionError):
        return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} ({detail}).")
    if isinstance(exc, ews.ErrorMailboxStoreUnavailable | ews.ErrorMailboxMoveInProgress):
        return TransientError("StoreUnavailable", f"The mailbox's store is offline while {what} ({detail}).")
    if isinstance(exc, ews.ErrorInternalServerTransientError | ews.ErrorTooManyObjectsOpened
                  | ews.ErrorExceededConnectionCount | ews.ErrorInternalServerError | ews.ErrorConnectionFailed
                  | ews.ErrorConnectionFailedTransientError | ews.MalformedResponseError | ews.SOAPError
                  | ews.RateLimitError):
        return TransientError("ServerError", f"The Exchange server failed while {what} ({detail}).")
    if isinstance(exc, ews.ErrorInvalidSchemaVersionForMailboxVersion | ews.RedirectError | ews.ErrorInvalidServerVersion):
        return PermanentError("BadConfiguration", f"The server location or version does not fit while {what} "
                              f"({detail}).")
    if isinstance(exc, ews.ResponseMessageError):
        # Any other EWS error: retried (10 failures in a row then count as permanent), since it may pass.
        return TransientError(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused a request while {what} ({detail}).")
    if isinstance(exc, ews.TransportError):
        if refused := re.search(r"\[Errno -?\d+\] [^'\")\]]+", str(exc)):  # exchangelib's wrapped ConnectionError
            return TransientError("ConnectionFailed", f"Could not connect to the Exchange server while {what} "
                                                      f"({refused.group(0).strip()}).")
        if "certificate" in str(exc).lower() or "ssl" in str(exc).lower():
            return PermanentError("CertificateInvalid", f"The Exchange server's certificate was not trusted "
                                  f"while {what} ({detail}).")
        return TransientError("ServerError", f"The Exchange server failed while {what} ({detail}).")
    if isinstance(exc, ews.EWSError):
        return PermanentError(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused a request while {what} ({detail}).")
    raise exc  # not a server error: a bug, which must crash loudly


# -- the connector ---------------------------------------------------------------------------------

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
    ca_file = profile.trusted_ca_file or None
    if ca_file and not os.path.isfile(ca_file):
        raise PermanentError("BadConfiguration", f"The trusted CA file {ca_file} of profile {profile.name} "
                             "does not exist.", action="Point the profile at the PEM file of the private CA.")
    max_connections = max(1, min(int(profile.max_concurrent_connections or 1), MAX_THREADS_PER_PROFILE))
    return _Settings(service_endpoint(profile), _AUTH[auth], ca_file, float(timeout_s), max_connections,
                     tenant if auth == codes.AuthType.OAUTH else None)


def _credentials(settings: _Settings, username: str, password: str):
    if settings.oauth_tenant:
        return OAuthAppCredentials(client_id=username, client_secret=password, tenant_id=settings.oauth_tenant)
    return exchangelib.Credentials(username, password)


class ExchangeConnector:
    """Serves every mailbox of one Exchange profile (the engine makes one per profile and reuses it)."""

    def __init__(self, profile):
        self.profile_id = profile.id
        limit = max(1, min(int(profile.max_concurrent_connections or 1), MAX_THREADS_PER_PROFILE))
        self._executor = ThreadPoolExecutor(max_workers=limit, thread_name_prefix=f"ews-profile-{profile.id}")
        self._configs: dict[tuple, ProfileConfiguration] = {}
        self._accounts: dict[tuple, exchangelib.Account] = {}
        self._folders: dict[tuple, object] = {}
        self._lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------------------

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
            with _secrets_lock:
                _known_secrets.add(password)
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
                    trusted_ca_file=settings.trusted_ca_file, timeout_s=settings.timeout_s)
                self._configs[config_key] = config
            account = exchangelib.Account(
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

    def _folder(self, account, name: str):
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

    # -- Connector --------------------------------------------------------------------------------

    async def test(self, job, direction: codes.Direction) -> None:
        account = self.account(job)
        targets = {codes.Direction.INCOMING: ["inbox"], codes.Direction.OUTGOING: ["sent"],
                   codes.Direction.ACT: list(ews_act.FOLDER.values())}[direction]
        for target in targets:
            await self.call(job, f"opening the {target} folder of {job.mailbox.email}", getattr, account, target)

    async def sync_incoming(self, job) -> int:
        account = self.account(job)
        processed = 0
        for folder_name in tracking.tracked_folders(job.mailbox):
            processed += await self._sync_folder(job, account, folder_name)
        return processed

    async def _sync_folder(self, job, account, folder_name: str) -> int:
        mailbox = job.mailbox
        what = f"syncing folder {folder_name} of {mailbox.email}"
        folder = await self.call(job, what, self._folder, account, folder_name)
        row, _ = FolderSyncState.get_or_create(mailbox=mailbox, folder=folder_name, direction=codes.Direction.INCOMING)
        settings = tracking.organization_settings()
        move_failed = bool(job.profile.move_failed_to_undeliverable)

        def fetch(state, ignore=()):
            return asyncio.ensure_future(self.call(job, what, _fetch_page, account, folder, folder_name, state,
                                                   list(ignore)))

        processed = 0
        address_book: dict = {}  # sender/recipient → CRM record, looked up once per run
        to_mark = await self._owed_marks(job, account, folder_name)  # tracked before, category never set
        settle_rounds = 0
        ahead = fetch(row.state)
        try:
            while True:
                try:
                    changes, state, last = await ahead
                except TransientError as error:
                    if error.code != "EwsInvalidSyncStateData" or not row.state:
                        raise
                    # The server forgot our place: start over; items already decided are not tracked twice.
                    row.state = None
                    ahead = fetch(None)
                    continue
                # The next page downloads while this one is parsed and tracked; the state is saved after.
                ahead = None if last else fetch(state)
                changes = await asyncio.get_running_loop().run_in_executor(self._executor, _parse_page, changes,
                                                                           folder_name)
                # Items decided before cost one query for the page instead of one each.
                known = tracking.known_keys(mailbox, [e.email for e in changes if isinstance(e, _Fetched)], settings,
                                            address_book)
                unreadable = [e for e in changes if isinstance(e, mime.UnreadableEmailError)]
                if unreadable and move_failed:  # moved before recorded: a failed move leaves the page to redo
                    await self.call(job, f"moving unreadable email to {codes.UNDELIVERABLE_FOLDER}",
                                    _move_to_undeliverable, account, [e.server_id for e in unreadable])
                for error in unreadable:
                    processed += keep_unreadable(job, error, folder_name, moved=move_failed)
                for entry in changes:
                    if not isinstance(entry, _Fetched) or entry.item_id in known.decided:
                        continue
                    result = tracking.track_email(mailbox, entry.email, settings=settings, address_book=address_book,
                                                  known=known, mark_pending=True)
                    processed += 0 if result.already_decided else 1
                    if result.tracked and not result.already_decided:
                        to_mark.append(entry)
                with database_proxy.atomic():
                    row.state, row.updated_at = state, utcnow()
                    row.save()
                if last:
                    if not to_mark or settle_rounds >= SETTLE_ROUNDS:
                        return processed
                    # Categories go on once the folder is read, and the next read ignores those changes
                    # of ours, so no tracked email is downloaded twice; new mail meanwhile still comes.
                    await self.call(job, f"marking tracked email in {folder_name}", _add_category, account, to_mark)
                    _marks_done(mailbox, [f.item_id for f in to_mark])
                    ahead = fetch(state, ignore=[f.item_id for f in to_mark])
                    to_mark, settle_rounds = [], settle_rounds + 1
        finally:
            if ahead is not None and not ahead.done():
                ahead.cancel()
                with contextlib.suppress(BaseException):
                    await ahead

    async def _owed_marks(self, job, account, folder_name: str) -> list[_Fetched]:
        """Emails tracked by an earlier run that stopped before their category went on: marked in this run.

        Costs nothing when none is owed (one query of the store), so an idle cycle stays one request."""
        owed = [server_id for (server_id,) in TrackingDecision.select(TrackingDecision.server_id).where(
            TrackingDecision.mailbox == job.mailbox, TrackingDecision.folder == folder_name,
            TrackingDecision.mark_pending == True).tuples()]  # noqa: E712 (peewee)
        if not owed:
            return []
        found = await self.call(job, f"reading tracked email still to mark in {folder_name}", _categories_of,
                                account, owed)
        _marks_done(job.mailbox, sorted(set(owed) - {f.item_id for f in found}))  # deleted meanwhile: nothing owed
        log.info("%s: %d tracked emails in %s still get their category", job.mailbox.email, len(found), folder_name)
        return found

    async def send_outgoing(self, job) -> int:
        return await outgoing.send_pending(job, EwsTransport(self))

    async def sync_act(self, job) -> int:
        """Contacts, appointments and tasks both ways (core/sync/act.py decides; this reads and writes EWS)."""
        mailbox = job.mailbox
        if mailbox.owner_user_id is None:
            raise PermanentError("NotSupported", f"Mailbox {mailbox.name} belongs to a queue; queues sync email only.",
                                 action="Set its appointments, contacts and tasks option to None.")
        account = self.account(job)
        side = ews_act.EwsActSide(self, job, account)
        processed = 0
        for entity in codes.SyncEntity:
            if not act.covers(mailbox, entity):
                continue
            row, _ = FolderSyncState.get_or_create(mailbox=mailbox, folder=ews_act.FOLDER[entity],
                                                   direction=codes.Direction.ACT)
            # Our own writes happen after the read, so the next read must see them (else an item we
            # created and the user then deleted would never show up as deleted): read again until a
            # round writes nothing to Exchange. An idle cycle is one read per folder.
            for _round in range(SETTLE_ROUNDS):
                changed, deleted, state = await self.call(
                    job, f"reading the {ews_act.FOLDER[entity]} folder of {mailbox.email}", ews_act.fetch_changes,
                    account, entity, row.state)
                plan = act.make_plan(mailbox, entity, ews_act.snapshot(mailbox, entity, changed, deleted))
                act.record_plan(mailbox, entity, plan)  # what the console shows before anything is done
                done = await act.execute(mailbox, plan, side)
                processed += sum(count for action, count in done.items() if action != "skip")
                with database_proxy.atomic():  # only after the plan ran: a crash replays the same changes
                    row.state, row.updated_at = state, utcnow()
                    row.save()
                if not act.writes_exchange(plan):
                    break
        return processed

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


# -- blocking helpers (run in the profile's threads) ------------------------------------------------

def _naive_utc(value):
    if value is None:
        return None
    return datetime.fromtimestamp(value.timestamp(), UTC).replace(tzinfo=None)  # a plain datetime, not EWSDateTime


def to_incoming(item: Message, folder_name: str) -> IncomingEmail:
    """An EWS message as the protocol-independent IncomingEmail, from its MIME; raises UnreadableEmailError."""
    email = mime.parse_email(item.mime_content or b"", server_id=item.id, folder=folder_name,
                             raw_size=item.size or None)
    if item.datetime_received:  # when it reached this mailbox, more exact than the Date header
        email.received_at = _naive_utc(item.datetime_received)
    if not email.thread_index and item.conversation_index:
        email.thread_index = base64.b64encode(item.conversation_index).decode()
    return email


def _fetch_page(account, folder, folder_name: str, sync_state, ignore: list[str]):
    """One SyncFolderItems request: (created or changed emails, new state, last page?)."""
    service = SyncFolderItems(account=account)
    fields = {f for f in folder.normalize_fields(fields=list(_EMAIL_FIELDS)) if not f.field.is_attribute}
    changes = []
    for change in service.call(folder=folder, shape=ID_ONLY, additional_fields=fields, sync_state=sync_state,
                               ignore=[(i, None) for i in ignore] or None, max_changes_returned=PAGE_SIZE,
                               sync_scope=None):
        if isinstance(change, Exception):
            raise change
        change_type, item = change
        if change_type in (service.CREATE, service.UPDATE) and isinstance(item, Message):
            changes.append(item)
    return changes, service.sync_state, bool(service.includes_last_item_in_range)


def _parse_page(items: list[Message], folder_name: str) -> list:
    """The emails of a page, each a _Fetched or an UnreadableEmailError (kept for the administrator)."""
    parsed = []
    for item in items:
        try:
            parsed.append(_Fetched(item.id, item.changekey, item.categories or [], to_incoming(item, folder_name)))
        except mime.UnreadableEmailError as error:
            parsed.append(error)
    return parsed


@dataclass(frozen=True)
class _Fetched:
    item_id: str
    change_key: str
    categories: list[str]
    email: IncomingEmail | None  # None: an item fetched only to be marked


def _categories_of(account, item_ids: list[str]) -> list[_Fetched]:
    """The current change key and categories of these items (the ones still there)."""
    found = []
    for item in account.fetch(ids=[(i, None) for i in item_ids], only_fields=["categories"]):
        if isinstance(item, ews.ErrorItemNotFound):
            continue
        if isinstance(item, Exception):
            raise item
        found.append(_Fetched(item.id, item.changekey, item.categories or [], None))
    return found


def _marks_done(mailbox, item_ids: list[str]) -> None:
    for start in range(0, len(item_ids), 500):  # stay under SQLite's bound-parameter limit
        TrackingDecision.update(mark_pending=False).where(
            TrackingDecision.mailbox == mailbox, TrackingDecision.server_id.in_(item_ids[start:start + 500])).execute()


def _add_category(account, fetched: list[_Fetched]) -> None:
    """Show users what was tracked: add the category, keeping theirs (AutoResolve: a category is safe to add)."""
    updates = [(Message(account=account, id=f.item_id, changekey=f.change_key,
                        categories=[*f.categories, TRACKED_CATEGORY]), ["categories"])
               for f in fetched if TRACKED_CATEGORY not in f.categories]
    if updates:
        for result in account.bulk_update(items=updates):
            if isinstance(result, Exception) and not isinstance(result, ews.ErrorItemNotFound):  # deleted meanwhile
                raise result


def _move_to_undeliverable(account, item_ids: list[str]) -> None:
    """Move emails into Inbox/Undeliverable, making the folder when it is missing."""
    try:
        target = account.inbox / _UNDELIVERABLE
    except ews.ErrorFolderNotFound:
        target = exchangelib.Folder(parent=account.inbox, name=_UNDELIVERABLE)
        target.save()
    for result in account.bulk_move(ids=[(item_id, None) for item_id in item_ids], to_folder=target):
        if isinstance(result, Exception) and not isinstance(result, ews.ErrorItemNotFound):  # deleted meanwhile
            raise result


# -- outgoing through EWS ------------------------------------------------------------------------

class EwsTransport:
    """MailTransport over EWS: CreateItem with SendAndSaveCopy; was_sent looks in Sent Items."""

    def __init__(self, connector: ExchangeConnector):
        self.connector = connector

    async def send(self, job, message: EmailMessage) -> None:
        account = self.connector.account(job)
        await self.connector.call(job, f"sending email {message['Message-ID']}", _send_mime, account,
                                  message.as_bytes())

    async def was_sent(self, job, message_id: str) -> bool | None:
        account = self.connector.account(job)
        return await self.connector.call(job, f"looking for email {message_id} in Sent Items", _in_sent_items,
                                         account, message_id)


_REJECTIONS = (ews.ErrorInvalidRecipients, ews.ErrorMessageSizeExceeded)


def _send_mime(account, mime: bytes) -> None:
    try:
        Message(account=account, folder=account.sent, mime_content=mime).send_and_save()
    except _REJECTIONS as exc:
        raise MessageRejected(f"Ews{type(exc).__name__.removeprefix('Error')}",
                              f"Exchange refused this email: {exc}.",
                              action="Correct the recipients or the size, then send it again.") from None


def _in_sent_items(account, message_id: str) -> bool:
    return account.sent.filter(message_id=message_id).only("id").count() > 0


contract.register([codes.ServerType.EXCHANGE, codes.ServerType.EXCHANGE_HYBRID,
                   codes.ServerType.EXCHANGE_ONLINE_HYBRID], ExchangeConnector)
