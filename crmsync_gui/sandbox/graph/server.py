"""GraphServer: Microsoft Graph v1.0 and the identity platform's token endpoint on loopback, over the EWS
sandbox's store, in a thread of its own with its own event loop (as the EWS sandbox, for the same reasons).

    with SandboxServer() as ews, GraphServer(ews.store) as graph:   # one store: both protocols see one mailbox
        graph.add_app("app-id", "s3cret")                          # client credentials, tenant contoso.test
        graph.url, graph.graph_url, graph.token_url(), graph.ca_file
"""
from __future__ import annotations

import asyncio
import json
import math
import ssl
import tempfile
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from ..certs import make_certificates
from ..faults import Fault, Faults, Stats
from ..loop_thread import serve_in_thread, stop_thread
from ..oauth import SCOPE as EWS_SCOPE
from ..store import Store
from . import routes
from .batch import run_batch
from .call import Call, user_id
from .replies import GraphError, error_response, json_response, not_implemented
from .throttle import Throttle
from .tokens import ALL_PERMISSIONS, DISCOVERY_PATH, TOKEN_PATH, Grant, TokenIssuer, discovery

DEFAULT_TENANT = "contoso.test"
MALFORMED = b'{"value": [{"id": "AAMk'  # a reply cut short


class GraphServer:
    def __init__(self, store: Store | None = None, host: str = "127.0.0.1", port: int = 0,
                 token_lifetime_s: float = 3599.0, certificates: tuple[Path, Path, Path] | None = None,
                 recorder=None):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the sandbox listens on loopback only, not {host}")
        self.store = store if store is not None else Store()
        self.certificates = certificates  # (ca, cert, key) to serve with; None: a CA of its own, made at start
        self.host, self.port = host, port
        self.tokens = TokenIssuer(token_lifetime_s)
        # beside() an EWS sandbox, one identity platform serves both: a token asked for EWS's scope
        # (outlook.office365.com) is the EWS sandbox's to issue, and only it accepts that token, as with Entra
        self.ews_identity = None
        self._epochs: dict[str, int] = {}
        self.throttle = Throttle()
        self.faults = Faults()
        self.stats = Stats()  # requests by operation (handler name, e.g. message_delta), peak in flight
        # recorder(method, path, request JSON, status, reply JSON): what tests check against Graph's metadata
        self.recorder = recorder
        self._dir: tempfile.TemporaryDirectory | None = None
        self.ca_file: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # --- life cycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """https://127.0.0.1:PORT: the authority's host (url/{tenant}) and Graph's (url/v1.0)."""
        return f"https://{self.host}:{self.port}"

    @property
    def graph_url(self) -> str:
        return f"{self.url}/v1.0"

    def token_url(self, tenant: str = DEFAULT_TENANT) -> str:
        return self.url + TOKEN_PATH.format(tenant=tenant)

    def start(self) -> str:
        if self._thread is not None:
            return self.graph_url
        self._dir = tempfile.TemporaryDirectory(prefix="crmsync-graph-sandbox-")
        ca, cert, key = self.certificates or make_certificates(Path(self._dir.name), self.host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.ca_file = str(ca)

        self._thread, self._loop = serve_in_thread("graph-sandbox", lambda: self._open(context), lambda: self._runner.cleanup())
        return self.graph_url

    @classmethod
    def beside(cls, ews, **options) -> GraphServer:
        """A Graph sandbox over a started EWS sandbox's store, trusted through the same CA when it has one."""
        ca = Path(ews.ca_file) if ews.ca_file else None  # make_certificates() wrote the three files together
        server = cls(ews.store, ews.host, certificates=(ca, ca.with_name("server.pem"),
                                                        ca.with_name("server-key.pem")) if ca else None, **options)
        server.ews_identity = ews.oauth
        return server

    async def _open(self, context: ssl.SSLContext) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_get(DISCOVERY_PATH, self._discovery)
        app.router.add_route("*", "/v1.0/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=context, reuse_address=True)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._thread is None:
            return
        stop_thread(self._thread, self._loop)
        self._thread = None
        self._dir.cleanup()
        self._dir = None

    def __enter__(self) -> GraphServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- apps, tokens and sync states -----------------------------------------------------------------------

    def add_app(self, client_id: str, secret: str | None = None, tenant: str = DEFAULT_TENANT, *,
                certificate_pem: bytes | None = None, permissions=ALL_PERMISSIONS) -> str:
        """Register an app that signs in with a secret and/or a certificate and holds these application
        permissions; returns its token URL."""
        self.tokens.register(tenant, client_id, secret, certificate_pem, permissions)
        if self.ews_identity is not None and secret is not None:
            self.ews_identity.register(tenant, client_id, secret)
        return self.token_url(tenant)

    def expire_tokens(self) -> None:
        self.tokens.expire_all()

    def delta_epoch(self, address: str) -> int:
        return self._epochs.get(address.lower(), 0)

    def expire_delta_tokens(self, address: str) -> None:
        """Every delta and skip token issued so far for this mailbox now answers 410 SyncStateNotFound."""
        with self.store.lock:
            self._epochs[address.lower()] = self.delta_epoch(address) + 1

    # --- faults and counters -------------------------------------------------------------------------------

    def inject(self, kind: str, *, mailbox: str | None = None, operation: str | None = None,
               times: int | None = None, **params) -> Fault:
        """Script a fault (faults.Fault) for requests to this mailbox and operation (the route's handler
        name: list_messages, message_delta, send_mail, ...): kind http (status 401, 403, 404, 410, 429, 503,
        504 answer Graph's error for it), busy (429), error (status with Graph code `code`), drop, delay,
        malformed; back_off_ms > 0 adds Retry-After."""
        return self.faults.add(Fault(kind, mailbox=mailbox, operation=operation, times=times, **params))

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_by_operation(self, mailbox: str | None = None) -> Counter[str]:
        if mailbox is None:
            return Counter(self.stats.requests)
        return Counter(self.stats.requests_by_mailbox.get(mailbox.lower(), Counter()))

    def peak_concurrent(self, mailbox: str) -> int:
        """Most requests served at once for this mailbox (throttled ones never count)."""
        return self.stats.peak_by_mailbox[mailbox.lower()]

    def throttled(self, mailbox: str) -> int:
        """429s the limits gave for this mailbox (scripted faults not included)."""
        return self.throttle.throttled[mailbox.lower()]

    # --- requests -------------------------------------------------------------------------------------------

    async def _discovery(self, request: web.Request) -> web.Response:
        return json_response(discovery(self.url, request.match_info["tenant"]))

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        tenant = request.match_info["tenant"]
        if self.ews_identity is not None and form.get("scope", "").split() == [EWS_SCOPE]:
            status, body = self.ews_identity.issue(tenant, form)
        else:
            status, body = self.tokens.issue(tenant, form, self.token_url(tenant))
        return json_response(body, status, {"Cache-Control": "no-store"})

    def _authorize(self, header: str) -> Grant:
        token = header[7:].strip() if header.startswith("Bearer ") else ""
        state, grant = self.tokens.check(token) if token else ("empty", None)
        if state != "valid":
            message = {"empty": "Access token is empty.", "unknown": "Access token validation failure.",
                       "expired": "Lifetime validation failed, the token is expired."}[state]
            raise GraphError(401, "InvalidAuthenticationToken", message,
                             {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})
        return grant

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        data = await request.read()
        path = "/" + request.match_info["tail"]
        if path == "/$batch" and request.method == "POST":
            try:
                self._authorize(request.headers.get("Authorization", ""))
            except GraphError as exc:
                return error_response(exc)
            return await run_batch(self.serve, request.headers["Authorization"], data)
        return await self.serve(request.method, path, dict(request.query), request.headers, data, request.transport)

    async def serve(self, method: str, path: str, query: dict[str, str], headers: Mapping[str, str], data: bytes,
                    transport=None) -> web.Response:
        """One Graph request (from HTTP, or from a $batch) to its reply; Graph's JSON error for a refusal."""
        body = None
        try:
            grant = self._authorize(headers.get("Authorization", ""))
            handler, params = self._route(grant, method, path)
            with self.store.lock:
                mailbox = self.store.get(params["user"]) or next(
                    (m for m in self.store.mailboxes.values() if user_id(m) == params["user"]), None)
            if mailbox is None:
                raise GraphError(404, "ErrorInvalidUser", f"The requested user '{params['user']}' is invalid.")
            operation = handler.__name__.strip("_")
            with self.throttle.admit(grant.client_id, mailbox.address):
                self.stats.begin(mailbox.address, operation)
                try:
                    for fault in self.faults.take(mailbox.address, operation):
                        if fault.kind == "delay":
                            await asyncio.sleep(fault.seconds)
                        elif fault.kind == "drop" and transport is not None:
                            transport.abort()
                            raise asyncio.CancelledError
                        elif fault.kind == "malformed":
                            return web.Response(status=200, body=MALFORMED, content_type="application/json")
                        elif fault.kind in ("http", "busy", "error"):
                            raise _fault_error(fault)
                    if 'idtype="immutableid"' in headers.get("Prefer", "").lower().replace(" ", ""):
                        raise not_implemented('Prefer: IdType="ImmutableId" (its ids change on a move, as '
                                              "EWS ids do)")
                    body = _body(headers, data)
                    with self.store.lock:
                        call = Call(self.store, self.graph_url, method, path, query, headers, body, mailbox, params,
                                    self)
                        result = handler(call)
                finally:
                    self.stats.end(mailbox.address)
        except GraphError as exc:
            reply = error_response(exc)
            if self.recorder is not None:
                self.recorder(method, path, body, exc.status, json.loads(reply.body))
            return reply
        if isinstance(result, web.StreamResponse):
            return result
        status, reply, *extra = result
        if self.recorder is not None:
            self.recorder(method, path, body, status, reply)
        if reply is None:
            return web.Response(status=status)  # a DELETE (204) or an action such as accept (202): no body
        return json_response(reply, status, extra[0] if extra else None)

    def _route(self, grant: Grant, method: str, path: str):
        if path == "/me" or path.startswith("/me/"):
            raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        found = routes.match(method, path)
        if found is None:
            raise not_implemented(f"the path {path}")
        if found == "method":
            raise GraphError(405, "Request_BadRequest", f"The sandbox does not accept {method} on {path}.")
        handler, permission, params = found
        if permission not in grant.permissions:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return handler, {k: unquote(v) for k, v in params.items()}


# A scripted fault's status -> Graph's code and message for it (Exchange Online's words)
FAULT_ERRORS = {
    401: ("InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."),
    410: ("SyncStateNotFound", "The sync state generation is not found. Restart the synchronization without a "
                               "token."),
    429: ("ApplicationThrottled", "Application is over its MailboxConcurrency limit."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Try again later."),
    504: ("GatewayTimeout", "The gateway did not receive a response from Exchange in time."),
}


def _fault_error(fault: Fault) -> GraphError:
    """kind busy: 429; http: its status with Graph's error for it; error: `code` with that status.
    back_off_ms > 0 adds Retry-After (whole seconds, rounded up)."""
    status = 429 if fault.kind == "busy" else fault.status
    code, message = FAULT_ERRORS.get(status, ("UnknownError", f"HTTP {status} (a fault the sandbox was told to give)"))
    if fault.kind == "error":
        code = fault.code
    headers = {"Retry-After": str(math.ceil(fault.back_off_ms / 1000))} if fault.back_off_ms > 0 else {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="", error="invalid_token"'
    return GraphError(status, code, message, headers)


def _body(headers: Mapping[str, str], data: bytes):
    if not data:
        return None
    if headers.get("Content-Type", "").partition(";")[0].strip() == "text/plain":
        return data  # sendMail's MIME, base64-encoded
    try:
        return json.loads(data)
    except ValueError:
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from None
