"""Microsoft Graph over HTTPS for one Exchange profile: one pooled async client, app-only sign-in, and
Exchange Online's limits per app and mailbox.

- One aiohttp ClientSession per profile (aiohttp is already a dependency; msgraph-sdk would add ~380 MB),
  its connections capped at the profile's maximum and TLS verified (the profile's trusted CA file, else the
  system's). Every request also holds one of the engine's connection slots (`job.connection()`).
- Sign-in is msal's client-credentials grant (a client secret, or a certificate: thumbprint and private
  key file); the token is kept and renewed before it expires, and once more when Graph calls it expired.
  msal is synchronous, so only a token request (about once an hour) runs in a worker thread.
- Per mailbox: at most 4 requests in flight (MailboxConcurrency) and 10,000 per 10 minutes, counted
  here so the budget is never overdrawn; 429/503/504 are waited out as Retry-After asks (a server back-off,
  not a failure), and a wait longer than a job should hold ends the job with `ServerBackingOff`, which the
  engine records as the server's pause for that mailbox.
- Every error becomes a TransientError or PermanentError (_graph_errors.map_error).
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json as jsonlib
import logging
import os
import ssl
import time
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import aiohttp
import msal
import requests
import requests.adapters

from crmsync_gui.core import codes, events
from crmsync_gui.core.connectors import _redaction as redaction
from crmsync_gui.core.connectors._graph_errors import GraphReply, map_error, map_token_error
from crmsync_gui.core.errors import PermanentError, TransientError
from crmsync_gui.core.sync.job import ServerBackingOff

log = logging.getLogger(__name__)

MAILBOX_CONCURRENCY = 4  # Exchange Online's MailboxConcurrency per app and mailbox
BUDGET = 10_000  # requests per app and mailbox ...
BUDGET_WINDOW_S = 600.0  # ... per 10 minutes
BATCH_MOST = 20  # requests in one $batch
BUDGET_SHOWN_EVERY_S = 5.0  # a RequestBudget event per mailbox at most this often
LONGEST_WAIT_S = 30.0  # a longer Retry-After ends the job; the engine comes back for the mailbox then
WAITS_PER_CALL = 5  # throttled answers one call waits out before it leaves the rest to the engine
_GLOBAL_SCOPE = "https://graph.microsoft.com/.default"
# national clouds' Graph hosts → their scope; any other host (a sandbox) uses the global cloud's
_CLOUD_SCOPES = {"graph.microsoft.us": "https://graph.microsoft.us/.default",
                 "dod-graph.microsoft.us": "https://dod-graph.microsoft.us/.default",
                 "microsoftgraph.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn/.default"}
redaction.install_log_filter("msal", "urllib3")  # msal logs token requests; never a secret in a log line


class BudgetSpent(ServerBackingOff):
    """The mailbox used Graph's 10,000 requests of the last 10 minutes: the job stops until there is room
    (the server's pause, not the mailbox's failure, as for ErrorServerBusy)."""

    def __init__(self, wait_s: float, address: str):
        TransientError.__init__(self, "GraphBudgetSpent", f"Mailbox {address} used its Microsoft Graph budget of "
                                f"{BUDGET:,} requests in {BUDGET_WINDOW_S / 60:.0f} minutes; it syncs again in "
                                f"{wait_s:.0f} s.", retry_after_s=wait_s)


class Budget:
    """Requests sent for one mailbox in the last 10 minutes (Graph's per-mailbox budget)."""

    def __init__(self, limit: int = BUDGET, window_s: float = BUDGET_WINDOW_S, clock=time.monotonic):
        self.limit, self.window_s, self._clock = limit, window_s, clock
        self._sent: deque[float] = deque()
        self.shown_at: float | None = None  # when a RequestBudget event last told of it

    def used(self) -> int:
        self._forget()
        return len(self._sent)

    def spend(self, count: int) -> float:
        """Count `count` requests about to go; 0, or the seconds until the budget has room for them."""
        self._forget()
        room = self.limit - len(self._sent)
        if count > room:
            return max(0.001, self._sent[count - room - 1] + self.window_s - self._clock())
        now = self._clock()
        self._sent.extend([now] * count)
        return 0.0

    def carry(self, mailbox) -> None:
        """Count what the mailbox's last job stored as sent at the time it was counted (a restart forgets
        nothing Graph still counts: the budget is never overdrawn, and frees as Graph frees it)."""
        used, at = getattr(mailbox, "request_budget_used", None), getattr(mailbox, "request_budget_at", None)
        if not used or at is None:
            return
        age = (datetime.now(UTC).replace(tzinfo=None) - at).total_seconds()
        if 0 <= age < self.window_s:
            self._sent.extend([self._clock() - age] * min(used, self.limit))

    def _forget(self) -> None:
        horizon = self._clock() - self.window_s
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()


@dataclass
class _OnLoop:
    """What belongs to one event loop: the HTTP client, the per-mailbox slots, the token lock."""

    loop: asyncio.AbstractEventLoop
    http: aiohttp.ClientSession
    slots: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    batch_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    token_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass(frozen=True)
class _Credentials:
    client_id: str
    authority: str  # https://login.microsoftonline.com/{tenant}
    secret_hash: str
    thumbprint: str | None
    key_file: str | None


class GraphSession:
    """Graph plumbing of one Exchange profile, shared by its mail source, transport and ACT side."""

    def __init__(self, profile):
        self.profile_id = profile.id
        self.graph_base = (profile.graph_url or codes.GRAPH_URL).rstrip("/")
        self.scope = _CLOUD_SCOPES.get(urlsplit(self.graph_base).hostname or "", _GLOBAL_SCOPE)
        self._cap = max(1, min(int(profile.max_concurrent_connections or 1), codes.MAX_CONNECTIONS_RANGE[1]))
        self._ca_file = profile.trusted_ca_file or None
        self._on_loop: _OnLoop | None = None
        self._apps: dict[_Credentials, msal.ConfidentialClientApplication] = {}
        self._token: tuple[_Credentials, str, float] | None = None  # credentials, token, when to renew it
        self.folder_ids: dict[tuple[str, str], str] = {}  # (mailbox, tracked folder name) → Graph folder id
        self.budgets: dict[str, Budget] = {}  # mailbox address → its requests in the last 10 minutes
        self.waited_s: Counter[str] = Counter()  # mailbox address → seconds waited as Graph asked
        self.tokens_fetched = 0
        self.clock = time.monotonic  # when the token is due for renewal (tests move it on)

    # -- the interface the mail source, transport and ACT side use ---------------------------------------

    def user_url(self, job, path: str) -> str:
        return f"{self.graph_base}/users/{quote(job.mailbox.email, safe='@')}/{path.lstrip('/')}"

    async def call(self, job, what: str, method: str, url: str, *, params=None, json=None, headers=None,
                   data: bytes | None = None) -> dict | None:
        """One Graph request; its JSON reply (None when it has no body). `what` completes "... while {what}"."""
        status, reply_headers, body = await self._exchange(job, what, method, url, params, json, headers, data)
        if not body:
            return None
        try:
            return jsonlib.loads(body)
        except ValueError as exc:
            raise map_error(exc, what) from None

    async def download(self, job, what: str, url: str) -> bytes:
        """A reply that is not JSON (a message's MIME, `$value`)."""
        return (await self._exchange(job, what, "GET", url, None, None, None, None))[2]

    async def pages(self, job, what: str, url: str, *, params=None, headers=None) -> AsyncIterator[dict]:
        """Each page of a collection, following @odata.nextLink; a delta round's last page has @odata.deltaLink."""
        next_url: str | None = url
        while next_url:
            page = await self.call(job, what, "GET", next_url, params=params, headers=headers) or {}
            yield page
            next_url, params = page.get("@odata.nextLink"), None  # the link carries the query

    async def batch(self, job, what: str, requests: list[dict]) -> list[dict]:
        """Small requests ({"method", "url", optional "body", "headers"}, urls from user_url) in JSON $batch
        requests of up to 20; their answers ({"status", "headers", "body"}) in the same order. Throttled
        answers are waited out and sent again; other errors are the caller's to read from the answers."""
        answers: list[dict | None] = [None] * len(requests)
        todo, waits = list(range(len(requests))), 0
        while todo:
            chunk, todo = todo[:BATCH_MOST], todo[BATCH_MOST:]
            results = await self._batch_once(job, what, [requests[i] for i in chunk])
            again, wait = [], 0.0
            for index, result in zip(chunk, results, strict=True):
                status = result.get("status", 500)
                if status == 424 or status in (429, 503, 504):  # a dependency throttled, or throttled itself
                    again.append(index)
                    wait = max(wait, GraphReply.from_body(status, result.get("body"), result.get("headers"), "",
                                                          "").retry_after_s or 0.0)
                else:
                    answers[index] = result
            if again:
                if waits == WAITS_PER_CALL + BATCH_MOST:  # a 424 chain shortens by one a round at least
                    raise ServerBackingOff(wait or LONGEST_WAIT_S)
                waits += 1
                if wait:
                    await self._wait(job, wait, what)
                todo = again + todo
        return answers  # type: ignore[return-value]

    async def close(self) -> None:
        on_loop, self._on_loop = self._on_loop, None
        if on_loop is not None and not on_loop.loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is on_loop.loop:
                await on_loop.http.close()

    # -- limits ----------------------------------------------------------------------------------------------

    def budget(self, job) -> Budget:
        key = job.mailbox.email.lower()
        if key not in self.budgets:
            self.budgets[key] = Budget()
            self.budgets[key].carry(job.mailbox)
        return self.budgets[key]

    def budget_used(self, address: str) -> int:
        """Requests sent for this mailbox in the last 10 minutes (of Graph's 10,000)."""
        budget = self.budgets.get(address.lower())
        return budget.used() if budget else 0

    def _spend(self, job, count: int) -> None:
        budget = self.budget(job)
        wait = budget.spend(count)
        now = budget._clock()
        if wait or budget.shown_at is None or now - budget.shown_at >= BUDGET_SHOWN_EVERY_S:
            budget.shown_at = now
            job.publish(events.RequestBudget(job.mailbox.id, budget.used(), budget.limit, budget.window_s))
        if wait:  # never overdraw Graph's budget: come back when it has room
            raise BudgetSpent(wait, job.mailbox.email)

    async def _wait(self, job, wait_s: float, what: str) -> None:
        if wait_s > LONGEST_WAIT_S:
            raise ServerBackingOff(wait_s)
        log.info("%s: Microsoft Graph asked to wait %.1f s while %s", job.mailbox.email, wait_s, what)
        self.waited_s[job.mailbox.email.lower()] += wait_s
        await asyncio.sleep(wait_s)

    @asynccontextmanager
    async def _slots(self, job, count: int = 1):
        """Hold `count` of the mailbox's 4 request slots (a $batch runs up to 4 of its requests at once)."""
        on_loop = await self._loop_state()
        key = job.mailbox.email.lower()
        slots = on_loop.slots.setdefault(key, asyncio.Semaphore(MAILBOX_CONCURRENCY))
        if count <= 1:
            async with slots:
                yield
            return
        held = 0
        try:
            async with on_loop.batch_locks.setdefault(key, asyncio.Lock()):  # one taker of several at a time
                for _ in range(count):
                    await slots.acquire()
                    held += 1
            yield
        finally:
            for _ in range(held):
                slots.release()

    # -- HTTP ------------------------------------------------------------------------------------------------

    async def _loop_state(self) -> _OnLoop:
        loop = asyncio.get_running_loop()
        if self._on_loop is None or self._on_loop.loop is not loop:
            context = ssl.create_default_context(cafile=self._ca_file) if self._ca_file else ssl.create_default_context()
            http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._cap, ssl=context),
                                         trust_env=False, raise_for_status=False)
            self._on_loop = _OnLoop(loop, http)
        return self._on_loop

    async def _exchange(self, job, what, method, url, params, json, headers, data, *,
                        slot_held: bool = False) -> tuple[int, dict, bytes]:
        """One request, a renewed token once on a 401, throttled answers waited out. `slot_held`: the caller
        holds the mailbox's slots for it (a $batch)."""
        waits, stale = 0, None
        while True:
            self._spend(job, 1)
            token = await self._access_token(job, what, stale=stale)
            async with contextlib.AsyncExitStack() as held:
                if not slot_held:
                    await held.enter_async_context(self._slots(job))
                await held.enter_async_context(job.connection())
                status, reply_headers, body = await self._send(job, what, method, url, params, json, data,
                                                               {**(headers or {}), "Authorization": f"Bearer {token}"})
            if status < 400:
                return status, reply_headers, body
            reply = GraphReply.from_body(status, body, reply_headers, method, url)
            if status == 401 and stale is None:  # expired early or revoked: one new token, then it is a refusal
                stale = token
                continue
            if status in (429, 503, 504):
                if waits == WAITS_PER_CALL:
                    raise ServerBackingOff(reply.retry_after_s or LONGEST_WAIT_S)
                await self._wait(job, reply.retry_after_s or min(2.0 ** waits, LONGEST_WAIT_S), what)
                waits += 1
                continue
            raise map_error(reply, what)

    async def _send(self, job, what, method, url, params, json, data, headers) -> tuple[int, dict, bytes]:
        on_loop = await self._loop_state()
        try:
            async with on_loop.http.request(method, url, params=params, json=json, data=data, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=job.timeout_s)) as reply:
                return reply.status, dict(reply.headers), await reply.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise map_error(exc, what, job.password) from None

    async def _batch_once(self, job, what: str, requests: list[dict]) -> list[dict]:
        """One $batch; its requests run in up to 4 lanes (dependsOn), never more at once for the mailbox."""
        lanes = min(MAILBOX_CONCURRENCY, len(requests))
        steps = []
        for index, request in enumerate(requests):
            step = {"id": str(index + 1), "method": request["method"],
                    "url": request["url"].removeprefix(self.graph_base) or "/"}
            for key in ("body", "headers"):
                if request.get(key) is not None:
                    step[key] = request[key]
            if index >= lanes:
                step["dependsOn"] = [str(index + 1 - lanes)]
            steps.append(step)
        self._spend(job, len(steps) - 1)  # each request counts; _exchange counts one
        async with self._slots(job, lanes):  # all at once, or two batches could each wait for the other's
            _status, _headers, body = await self._exchange(job, what, "POST", f"{self.graph_base}/$batch", None,
                                                           {"requests": steps}, None, None, slot_held=True)
        try:
            reply = jsonlib.loads(body or b"{}")
        except ValueError as exc:
            raise map_error(exc, what) from None
        by_id = {answer.get("id"): answer for answer in reply.get("responses", [])}
        return [by_id.get(step["id"], {"status": 500}) for step in steps]

    # -- sign-in ---------------------------------------------------------------------------------------------

    def _credentials(self, job) -> _Credentials:
        """Who signs in and with what (checked on every request, so a changed secret or key file is used)."""
        profile = job.profile
        client_id = (profile.username or "").strip()
        tenant = (profile.oauth_tenant or "").strip()
        if not client_id or not tenant:
            raise PermanentError("BadConfiguration", f"Profile {profile.name} signs in to Microsoft Graph but lacks "
                                 f"its {'tenant' if not tenant else 'application (client) ID'}.",
                                 action="Set the profile's tenant and its application (client) ID, from the app's "
                                        "Overview in the Microsoft Entra admin center.")
        authority = f"{(profile.oauth_authority or codes.GRAPH_AUTHORITY).rstrip('/')}/{tenant}"
        thumbprint = (profile.certificate_thumbprint or "").replace(":", "").strip() or None
        key_file = (profile.private_key_file or "").strip() or None
        if thumbprint and key_file:
            try:
                stat = os.stat(key_file)
            except OSError as exc:
                raise _unreadable_key(profile, key_file, exc) from None
            version = f"{key_file}|{stat.st_mtime_ns}|{stat.st_size}"  # a replaced key file is read again
        elif job.password:
            redaction.remember(job.password)
            version = job.password
        else:
            raise PermanentError("BadConfiguration", f"Profile {profile.name} has neither a client secret nor a "
                                 "certificate to sign in to Microsoft Graph with.",
                                 action="Give the profile the app's client secret as its password, or the "
                                        "certificate's thumbprint and private key file.")
        return _Credentials(client_id, authority, hashlib.sha256(version.encode()).hexdigest(), thumbprint, key_file)

    async def _access_token(self, job, what: str, *, stale: str | None = None) -> str:
        """The app's token, renewed before it expires; `stale`: a token Graph refused as expired."""
        credentials = self._credentials(job)

        def usable(held) -> bool:
            return bool(held) and held[0] == credentials and held[1] != stale and self.clock() < held[2]

        if usable(self._token):
            return self._token[1]
        async with (await self._loop_state()).token_lock:
            if usable(self._token):
                return self._token[1]  # another request renewed it meanwhile
            result = await asyncio.to_thread(self._fetch_token, credentials, job)
            if "access_token" not in result:
                raise map_token_error(result, f"signing in to Microsoft Graph for {what}", job.password)
            lifetime = float(result.get("expires_in") or 3600)
            now = self.clock()
            # renew 5 minutes before expiry, or a fifth of the lifetime for a short-lived token
            self._token = (credentials, result["access_token"], now + lifetime - min(300.0, lifetime / 5))
            self.tokens_fetched += 1
            return result["access_token"]

    def _fetch_token(self, credentials: _Credentials, job) -> dict:
        """A new token by msal's client-credentials grant (blocking: in a worker thread)."""
        try:
            app = self._apps.get(credentials)
            if app is None:
                app = msal.ConfidentialClientApplication(
                    credentials.client_id, client_credential=_credential(credentials, job),
                    authority=credentials.authority,
                    instance_discovery=False, http_client=_verifying_session(self._ca_file))
                self._apps[credentials] = app
            app.token_cache = msal.TokenCache()  # the token is kept here; msal's cache would hand the old one back
            return app.acquire_token_for_client(scopes=[self.scope])
        except ValueError as exc:  # msal's refusal of an authority or a key it cannot use
            return {"error": "invalid_request", "error_description": str(exc)}
        except requests.exceptions.RequestException as exc:
            raise map_error(exc, "signing in to Microsoft Graph") from None


def _credential(credentials: _Credentials, job):
    """What msal signs in with: the certificate's key (read from its file) and thumbprint, or the secret."""
    if credentials.key_file is None:
        return job.password
    try:
        with open(credentials.key_file, encoding="ascii") as handle:
            return {"private_key": handle.read(), "thumbprint": credentials.thumbprint}
    except (OSError, ValueError) as exc:
        raise _unreadable_key(job.profile, credentials.key_file, exc) from None


def _unreadable_key(profile, key_file: str, exc: Exception) -> PermanentError:
    return PermanentError("BadConfiguration", f"The private key file {key_file} of profile {profile.name} cannot be "
                          f"read ({exc.strerror if isinstance(exc, OSError) else exc}).",
                          action="Point the profile at the PEM file of the certificate's private key, readable "
                                 "by the account the engine runs as.")


class _VerifyingAdapter(requests.adapters.HTTPAdapter):
    """Verifies the identity platform against the profile's CA file (or the system's): set on the adapter,
    because requests lets REQUESTS_CA_BUNDLE in the environment override a session's own `verify`."""

    def __init__(self, ca_file: str | None):
        self.ca_file = ca_file
        super().__init__(max_retries=0)

    def send(self, request, **kwargs):
        kwargs["verify"] = self.ca_file or True
        return super().send(request, **kwargs)


def _verifying_session(ca_file: str | None) -> requests.Session:
    session = requests.Session()
    session.mount("https://", _VerifyingAdapter(ca_file))
    return session
