"""GraphServer: Microsoft Graph v1.0 and the identity platform's token endpoint on loopback, over the EWS
sandbox's store, in a thread of its own with its own event loop (as the EWS sandbox, for the same reasons).

    with SandboxServer() as ews, GraphServer(ews.store) as graph:   # one store: both protocols see one mailbox
        graph.add_app("app-id", "s3cret")                          # client credentials, tenant contoso.test
        graph.url, graph.graph_url, graph.token_url(), graph.ca_file
"""
from __future__ import annotations

import asyncio
import json
import ssl
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from ..certs import make_certificates
from ..store import Store
from . import routes
from .call import Call, user_id
from .replies import GraphError, error_response, json_response, not_implemented
from .tokens import ALL_PERMISSIONS, DISCOVERY_PATH, TOKEN_PATH, Grant, TokenIssuer, discovery

DEFAULT_TENANT = "contoso.test"


class GraphServer:
    def __init__(self, store: Store | None = None, host: str = "127.0.0.1", port: int = 0,
                 token_lifetime_s: float = 3599.0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the sandbox listens on loopback only, not {host}")
        self.store = store if store is not None else Store()
        self.host, self.port = host, port
        self.tokens = TokenIssuer(token_lifetime_s)
        self.recorder = None  # called with (method, path, request body, status, reply body) for every JSON reply
        self._epochs: dict[str, int] = {}
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
        ca, cert, key = make_certificates(Path(self._dir.name), self.host)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.ca_file = str(ca)
        ready, failure = threading.Event(), []

        def run():
            self._loop = asyncio.new_event_loop()
            try:
                self._loop.run_until_complete(self._open(context))
            except BaseException as exc:  # noqa: BLE001 - handed to start()'s caller
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="graph-sandbox", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            raise failure[0]
        return self.graph_url

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
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
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
        return self.token_url(tenant)

    def expire_tokens(self) -> None:
        self.tokens.expire_all()

    def delta_epoch(self, address: str) -> int:
        return self._epochs.get(address.lower(), 0)

    def expire_delta_tokens(self, address: str) -> None:
        """Every delta and skip token issued so far for this mailbox now answers 410 SyncStateNotFound."""
        with self.store.lock:
            self._epochs[address.lower()] = self.delta_epoch(address) + 1

    # --- requests -------------------------------------------------------------------------------------------

    async def _discovery(self, request: web.Request) -> web.Response:
        return json_response(discovery(self.url, request.match_info["tenant"]))

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        tenant = request.match_info["tenant"]
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
        try:
            reply = self._answer(request, path, data)
        except GraphError as exc:
            reply = error_response(exc)
        if self.recorder is not None and reply.content_type == "application/json":
            self.recorder(request.method, path, data, reply.status, reply.body)
        return reply

    def _answer(self, request: web.Request, path: str, data: bytes) -> web.StreamResponse:
        grant = self._authorize(request.headers.get("Authorization", ""))
        if path == "/me" or path.startswith("/me/"):
            raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        found = routes.match(request.method, path)
        if found is None:
            raise not_implemented(f"the path {path}")
        if found == "method":
            raise GraphError(405, "Request_BadRequest", f"The sandbox does not accept {request.method} on {path}.")
        handler, permission, params = found
        if permission not in grant.permissions:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        body = None
        if data:
            try:
                body = json.loads(data)
            except ValueError:
                raise GraphError(400, "BadRequest", "Unable to read JSON request payload.") from None
        params = {k: unquote(v) for k, v in params.items()}
        with self.store.lock:
            mailbox = self.store.get(params["user"]) or next(
                (m for m in self.store.mailboxes.values() if user_id(m) == params["user"]), None)
            if mailbox is None:
                raise GraphError(404, "ErrorInvalidUser", f"The requested user '{params['user']}' is invalid.")
            call = Call(self.store, self.graph_url, request.method, path, dict(request.query),
                        dict(request.headers), body, mailbox, params, self)
            result = handler(call)
        if isinstance(result, web.StreamResponse):
            return result
        status, reply, *extra = result
        return json_response(reply, status, extra[0] if extra else None)

