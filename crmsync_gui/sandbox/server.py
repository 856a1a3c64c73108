"""SandboxServer: the EWS endpoint on loopback, in a thread of its own with its own event loop.

Its own thread and loop (aiohttp) so it runs the same beside pytest, a benchmark's client threads or the
console's Qt/qasync loop, and never blocks or is blocked by them.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import ssl
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from lxml import etree

from . import seed as seeding
from .certs import make_certificates
from .faults import Fault, Faults, Stats
from .generate import GeneratedUser, populate
from .loop_thread import serve_in_thread, stop_thread
from .ntlm import NtlmConnections, accept_password
from .oauth import TOKEN_PATH, OAuthApps
from .operations import OPERATIONS, Call
from .soap import M_NS, T_NS, BadRequest, envelope, fault, local, m, parse_envelope, response_message, sub
from .store import Mailbox, Store
from .subscriptions import Subscriptions

EWS_PATH = "/EWS/Exchange.asmx"
DEFAULT_MAX_CONCURRENT = 27  # Exchange's default EWSMaxConcurrency per user
MALFORMED = b"<?xml version='1.0'?><s:Envelope><s:Body><broken"


class SandboxServer:
    """A loopback Exchange Web Services server that exchangelib talks to as if it were Exchange.

        with SandboxServer() as sandbox:             # HTTPS on 127.0.0.1, a free port
            sandbox.add_mailbox("ann@sandbox.test", "secret", name="Ann")
            url, ca = sandbox.url, sandbox.ca_file   # trust ca explicitly; verification stays on
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: bool = True,
                 max_concurrent_per_mailbox: int = DEFAULT_MAX_CONCURRENT,
                 recorder: Callable[[str, bytes, bytes], None] | None = None, ntlm: bool = False,
                 negotiate: bool = False):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the sandbox listens on loopback only, not {host}")
        self.host, self.port, self.tls = host, port, tls
        self.max_concurrent_per_mailbox = max_concurrent_per_mailbox
        self.ntlm = NtlmConnections() if ntlm or negotiate else None  # NTLM besides Basic (see ntlm.py)
        # Offer Negotiate (SPNEGO) instead of NTLM: with no Kerberos here, the tokens inside are NTLM ones,
        # as Windows accepts too. IIS with only the Negotiate provider looks like this.
        self.ntlm_schemes = ("Negotiate",) if negotiate else ("NTLM",)
        self.recorder = recorder  # called with (operation, request, reply) for every SOAP reply given
        self.streaming_limit: float | None = None  # cap on a GetStreamingEvents connection, in seconds (tests)
        self.heartbeat_seconds = 30.0  # a ConnectionStatus OK envelope this often when nothing happens
        self.open_streams = 0  # GetStreamingEvents connections being served now
        self.peak_streams = 0  # the most served at once
        self.store = Store()
        self.faults = Faults()
        self.stats = Stats()
        self.subscriptions = Subscriptions()
        self._impersonators: set[str] = set()
        self.oauth = OAuthApps()  # apps that sign in with OAuth 2.0 bearer tokens (see oauth.py)
        self._down: int | None | bool = False  # False: up; None: refusing connections; int: answering that status
        self._dir: tempfile.TemporaryDirectory | None = None
        self._ssl: ssl.SSLContext | None = None
        self.ca_file: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # --- life cycle -----------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}{EWS_PATH}"

    def start(self) -> str:
        """Start serving; return the EWS URL (https://127.0.0.1:PORT/EWS/Exchange.asmx)."""
        if self._thread is not None:
            return self.url
        self._dir = tempfile.TemporaryDirectory(prefix="crmsync-ews-sandbox-")
        if self.tls:
            ca, cert, key = make_certificates(Path(self._dir.name), self.host)
            self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self._ssl.load_cert_chain(cert, key)
            self.ca_file = str(ca)
        self._thread, self._loop = serve_in_thread("ews-sandbox", self._open, lambda: self._runner.cleanup())
        return self.url

    async def _open(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[_soap_on_failure])
        app.router.add_post(EWS_PATH, self._handle)
        app.router.add_post(TOKEN_PATH, self._token)
        # a client gone mid-request (a killed engine's streaming subscription) ends its handler, not stop()'s wait
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True)
        await self._runner.setup()
        await self._listen()

    async def _listen(self) -> None:
        self._site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self._ssl, reuse_address=True)
        await self._site.start()
        self.port = self._site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._thread is None:
            return
        stop_thread(self._thread, self._loop)
        self._thread = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _in_loop(self, coro) -> None:
        asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    def go_down(self, http_status: int | None = None) -> None:
        """A full outage: refuse connections (http_status None) or answer every request with that status."""
        self._down = http_status
        if http_status is None and self._site is not None:
            self._in_loop(self._site.stop())
            self._site = None

    def come_up(self) -> None:
        """End an outage; the server listens again on the same port."""
        if self._site is None and self._thread is not None:
            self._in_loop(self._listen())
        self._down = False

    # --- mailboxes and what they hold -----------------------------------------------------------------------

    def add_mailbox(self, address: str, password: str, name: str | None = None) -> Mailbox:
        """A mailbox with the distinguished folders; it signs in as `address` (Basic, or NTLM in UPN form or
        as SANDBOX\\localpart when the server has ntlm=True)."""
        mailbox = self.store.add(address, password, name or address.split("@")[0])
        if self.ntlm is not None:
            accept_password(address, password)
        return mailbox

    def populate(self, mailboxes: int, items: int, seed: int = 1) -> list[GeneratedUser]:
        """Add generated mailboxes (user1@sandbox.test, ...) with about `items` realistic items each."""
        return populate(self.store, mailboxes, items, seed)

    def add_app(self, client_id: str, secret: str, tenant: str = "contoso.test") -> str:
        """Register an OAuth app (client credentials) that may act for every mailbox; return its token URL."""
        self.oauth.register(tenant, client_id, secret)
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}{TOKEN_PATH.format(tenant=tenant)}"

    def grant_impersonation(self, address: str) -> None:
        """Let this account act for any mailbox through the ExchangeImpersonation header."""
        self._impersonators.add(address.lower())

    def add_folder(self, address: str, name: str, parent: str = "inbox") -> str:
        """A folder under a distinguished folder (or a folder id); returns its id."""
        with self.store.lock:
            mailbox = self._mailbox(address)
            parent_folder = mailbox.folders.get(parent) or mailbox.distinguished(parent)
            return mailbox.add_folder(parent_folder, name).id

    def add_message(self, address: str, folder: str = "inbox", **fields) -> str:
        """Seed a message; see seed.message() for the fields. Returns its item id."""
        return self._seed(address, folder, seeding.message(**fields))

    def add_contact(self, address: str, folder: str = "contacts", **fields) -> str:
        return self._seed(address, folder, seeding.contact(**fields))

    def add_task(self, address: str, folder: str = "tasks", **fields) -> str:
        return self._seed(address, folder, seeding.task(**fields))

    def add_calendar_item(self, address: str, folder: str = "calendar", **fields) -> str:
        return self._seed(address, folder, seeding.calendar_item(**fields))

    def _seed(self, address: str, folder: str, element: etree._Element) -> str:
        with self.store.lock:
            mailbox = self._mailbox(address)
            target = mailbox.folders.get(folder) or mailbox.distinguished(folder)
            return seeding.put(mailbox, target, element).id

    def items(self, address: str, folder: str = "inbox") -> list[dict]:
        """What a folder holds now, as plain dicts (id, type, subject, message_id, is_read, categories, ...)."""
        with self.store.lock:
            mailbox = self._mailbox(address)
            target = mailbox.folders.get(folder) or mailbox.distinguished(folder)
            return [seeding.describe(mailbox, i) for i in sorted(mailbox.items_in(target), key=lambda i: i.created_seq)]

    def folders(self, address: str) -> dict[str, str]:
        """Folder display paths (e.g. 'Top of Information Store/Inbox/Clients') -> folder id."""
        with self.store.lock:
            mailbox = self._mailbox(address)

            def path(f):
                return f.name if f.parent_id is None else f"{path(mailbox.folders[f.parent_id])}/{f.name}"
            return {path(f).removeprefix("Root/"): f.id for f in mailbox.folders.values()}

    def mime(self, address: str, item_id: str) -> bytes:
        from .items import mime_of
        with self.store.lock:
            return mime_of(self._mailbox(address).items[item_id])

    def _mailbox(self, address: str) -> Mailbox:
        mailbox = self.store.get(address)
        if mailbox is None:
            raise KeyError(f"the sandbox has no mailbox {address}")
        return mailbox

    # --- faults and counters --------------------------------------------------------------------------------

    def inject(self, kind: str, *, mailbox: str | None = None, operation: str | None = None,
               times: int | None = None, **params) -> Fault:
        """Script a fault (see faults.Fault); returns it (its .hits counts the requests it hit)."""
        return self.faults.add(Fault(kind, mailbox=mailbox, operation=operation, times=times, **params))

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests_by_operation(self, mailbox: str | None = None) -> Counter[str]:
        if mailbox is None:
            return Counter(self.stats.requests)
        return Counter(self.stats.requests_by_mailbox.get(mailbox.lower(), Counter()))

    def peak_concurrent(self, mailbox: str | None = None) -> int:
        """Most requests in flight at once: for this mailbox, or in total."""
        return self.stats.peak_total if mailbox is None else self.stats.peak_by_mailbox[mailbox.lower()]

    def peak_connections(self, mailbox: str | None = None) -> int:
        """Most connections open at once that carried requests for this mailbox (or any), seen at each request."""
        return (self.stats.peak_connections_total if mailbox is None
                else self.stats.peak_connections_by_mailbox[mailbox.lower()])

    def open_connections(self, mailbox: str | None = None) -> int:
        """Connections open now that carried requests for this mailbox (or any)."""
        return self.stats.open_connections(mailbox)

    def set_password(self, address: str, password: str) -> None:
        """Change a mailbox's password (clients still using the old one are refused with HTTP 401)."""
        with self.store.lock:
            self._mailbox(address).password = password
        if self.ntlm is not None:
            accept_password(address, password)

    def reset_stats(self) -> None:
        self.stats.reset()

    # --- one request ----------------------------------------------------------------------------------------

    def _authenticate(self, header: str | None) -> Mailbox | None:
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        mailbox = self.store.get(user)
        return mailbox if mailbox is not None and mailbox.password == password else None

    def _acting(self, user: Mailbox | None, header: etree._Element | None) -> Mailbox:
        """The mailbox a request acts for; `user` None is an OAuth app, which must name it by impersonation."""
        target = None
        if header is not None:
            imp = header.find(f"{{{T_NS}}}ExchangeImpersonation/{{{T_NS}}}ConnectingSID")
            if imp is not None:
                target = next((c.text for c in imp if isinstance(c.tag, str) and c.text), None)
        if user is None:
            mailbox = self.store.get(target) if target else None
            if target is None:
                raise PermissionError("ErrorInvalidExchangeImpersonationHeaderData")
            if mailbox is None:
                raise LookupError("ErrorNonExistentMailbox")
            return mailbox
        if target is None or target.lower() == user.address.lower():
            return user
        if user.address.lower() not in self._impersonators:
            raise PermissionError("ErrorImpersonateUserDenied")
        mailbox = self.store.get(target)
        if mailbox is None:
            raise LookupError("ErrorNonExistentMailbox")
        return mailbox

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self._down is None:  # refusing: connections kept alive from before the outage are cut too
            request.transport.abort()
            raise asyncio.CancelledError
        if self._down:
            return web.Response(status=self._down, text="Service Unavailable")
        data = await request.read()  # read before any 401: the client may reuse the connection
        header = request.headers.get("Authorization", "")
        app = None
        if header.startswith("Bearer "):
            app = self.oauth.app_of(header[7:].strip())
            if app is None:
                return web.Response(status=401, text="401 Unauthorized", headers={
                    "WWW-Authenticate": 'Bearer error="invalid_token", error_description="unknown or expired"'})
            user = None
        elif self.ntlm is not None and header.partition(" ")[0] in self.ntlm_schemes:
            scheme, _, token = header.partition(" ")
            challenge, signed_in = self.ntlm.step(request.transport, token)
            if challenge is not None:
                return web.Response(status=401, headers={"WWW-Authenticate": f"{scheme} {challenge}"})
            user = self.store.get(signed_in) if signed_in else None
        elif self.ntlm is not None and not header and self.ntlm.user_of(request.transport):
            user = self.store.get(self.ntlm.user_of(request.transport))
        else:
            user = self._authenticate(header)
        if user is None and app is None:
            offers = (list(self.ntlm_schemes) if self.ntlm is not None else []) + ['Basic realm="sandbox"']
            response = web.Response(status=401, text="401 Unauthorized")
            for offer in offers:
                response.headers.add("WWW-Authenticate", offer)
            return response
        try:
            header, op = parse_envelope(data)
        except BadRequest as exc:
            return _xml(fault("ErrorSchemaValidation", str(exc), faultcode="a:ErrorSchemaValidation"), 500)
        operation = local(op)
        try:
            acting = self._acting(user, header)
        except (PermissionError, LookupError) as exc:
            code = exc.args[0]
            who = f"App {app}" if user is None else user.address
            return _xml(fault(code, f"{who} may not act for that mailbox.", faultcode=f"a:{code}"), 500)
        user = user or acting  # an app acts with the full rights of the mailbox it impersonates
        in_flight = self.stats.begin(acting.address, operation, request.transport)
        try:
            reply = await self._answer(request, acting, user, operation, op, in_flight, data)
        except Exception as exc:  # noqa: BLE001 - Exchange answers SOAP, never aiohttp's bare text 500
            reply = _xml(envelope(_error_reply(operation, "ErrorInternalServerError",
                                               f"An internal server error occurred: {type(exc).__name__}.")), 200)
        finally:
            self.stats.end(acting.address)
        if self.recorder is not None and isinstance(reply, web.Response) and reply.content_type == "text/xml" \
                and not reply.body.startswith(MALFORMED):
            self.recorder(operation, data, reply.body)
        return reply

    async def _answer(self, request, acting, user, operation, op, in_flight, data) -> web.StreamResponse:
        lose = False
        trickle = None
        for f in self.faults.take(acting.address, operation):
            lose = lose or f.kind == "lose"
            if f.kind == "delay":
                await asyncio.sleep(f.seconds)
            elif f.kind == "busy":
                return _xml(fault("ErrorServerBusy", "The server cannot service this request right now. "
                                  "Try again later.", back_off_ms=f.back_off_ms), 500)
            elif f.kind == "http":
                headers = {"WWW-Authenticate": 'Basic realm="sandbox"'} if f.status == 401 else {}
                return web.Response(status=f.status, headers=headers, text=f"HTTP {f.status} (sandbox fault)")
            elif f.kind == "drop":
                request.transport.abort()
                raise asyncio.CancelledError
            elif f.kind == "malformed":
                return web.Response(status=200, body=MALFORMED, content_type="text/xml", charset="utf-8")
            elif f.kind == "error":
                return _xml(envelope(_error_reply(operation, f.code)), 200)
            elif f.kind == "crash":
                raise RuntimeError("a crash the sandbox was told to have")
            elif f.kind == "oversized":
                return await _oversized(request, f.size)
            elif f.kind == "trickle":
                trickle = f.seconds
        if in_flight > self.max_concurrent_per_mailbox:
            return _xml(fault("ErrorServerBusy", f"{acting.address} has more than {self.max_concurrent_per_mailbox} "
                              "concurrent requests.", back_off_ms=0), 500)
        if operation == "GetStreamingEvents":
            return await self._stream_events(request, acting, user, op, data, lose)
        handler = OPERATIONS.get(operation)
        if handler is None:
            return _xml(fault("ErrorInvalidOperation", f"The EWS sandbox does not implement the operation "
                              f"'{operation}'.", faultcode="a:ErrorInvalidOperation"), 500)
        with self.store.lock:
            reply = handler(Call(self.store, user, acting, self.subscriptions), op)
        if trickle is not None:
            return await _trickle(request, envelope(reply), trickle)
        return _xml(envelope(reply), 200)


    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        status, body = self.oauth.issue(request.match_info["tenant"], {k: str(v) for k, v in form.items()})
        return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})

    async def _stream_events(self, request, acting, user, op, data, lose: bool) -> web.StreamResponse:
        """GetStreamingEvents: one chunked reply, an envelope per batch of notifications, until the connection
        timeout (or streaming_limit seconds, for tests) ends it with ConnectionStatus Closed."""
        ids = [e.text for e in op.iter(f"{{{T_NS}}}SubscriptionId")]
        subs = [self.subscriptions.streamable(i, acting, user) for i in ids]
        if not ids or any(s_ is None for s_ in subs):
            reply = _error_reply("GetStreamingEvents", "ErrorInvalidSubscription")
            return _xml(envelope(reply), 200)
        minutes = int(op.findtext(f"{{{M_NS}}}ConnectionTimeout") or "30")
        window = minutes * 60 if self.streaming_limit is None else min(minutes * 60, self.streaming_limit)
        stream = web.StreamResponse(status=200, headers={"Content-Type": "text/xml; charset=utf-8"})
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        self.open_streams += 1
        self.peak_streams = max(self.peak_streams, self.open_streams)
        try:
            await self._stream(stream, subs, window, data, lose)
        except ConnectionError:  # the client went away: its events wait for the next connection
            pass
        finally:
            self.open_streams -= 1
        return stream

    async def _stream(self, stream: web.StreamResponse, subs: list, window: float, data: bytes,
                      lose: bool) -> None:
        loop = asyncio.get_running_loop()
        deadline, beat = loop.time() + window, loop.time()
        while True:
            closing = loop.time() >= deadline
            with self.store.lock:
                batch = [(s_, *self.subscriptions.notification(s_, T_NS)) for s_ in subs
                         if not closing and self.subscriptions.pending(s_)]
                if batch and lose:  # a "lose" fault: these notifications never reach the client
                    for s_, _note, seq in batch:
                        s_.seq = seq
                    batch, lose = [], False
            if batch or closing or loop.time() - beat >= self.heartbeat_seconds:
                beat = loop.time()
                response = m("GetStreamingEventsResponse")
                msg = response_message("GetStreamingEvents")
                if batch:
                    sub(msg, "m", "Notifications").extend(note for _s, note, _seq in batch)
                sub(msg, "m", "ConnectionStatus", "Closed" if closing else "OK")
                sub(response, "m", "ResponseMessages").append(msg)
                body = envelope(response)
                await stream.write(body)
                with self.store.lock:
                    for s_, _note, seq in batch:
                        s_.seq = seq  # the watermark moves only once the events are on an open connection
                if self.recorder is not None:
                    self.recorder("GetStreamingEvents", data, body)
            if closing:
                break
            await asyncio.sleep(0.05)
        await stream.write_eof()


@web.middleware
async def _soap_on_failure(request: web.Request, handler) -> web.StreamResponse:
    """A failure outside an operation (signing in, reading the envelope) answers as Exchange's IIS does: a SOAP
    fault with a ResponseCode, never aiohttp's bare text 500 (clients take that for throttling)."""
    try:
        return await handler(request)
    except (asyncio.CancelledError, web.HTTPException):
        raise
    except Exception as exc:  # noqa: BLE001 - the answer is the point; the request's state is the handler's
        if request.path != EWS_PATH:
            raise
        return _xml(fault("ErrorInternalServerError", f"An internal server error occurred: {type(exc).__name__}.",
                          faultcode="a:ErrorInternalServerError"), 500)


def _error_reply(operation: str, code: str, text: str | None = None) -> etree._Element:
    response = m(f"{operation}Response")
    sub(response, "m", "ResponseMessages").append(
        response_message(operation, code, text or f"{code} (a fault the sandbox was told to give)"))
    return response


async def _oversized(request: web.Request, size: int) -> web.StreamResponse:
    """An "oversized" fault's reply: an envelope opened, then text up to `size` bytes, chunked."""
    stream = web.StreamResponse(status=200, headers={"Content-Type": "text/xml; charset=utf-8"})
    stream.enable_chunked_encoding()
    await stream.prepare(request)
    head = envelope(m("Padding")).partition(b"<s:Body>")[0] + b"<s:Body><Padding>"
    await stream.write(head)
    sent, block = len(head), b"x" * (1 << 16)
    try:
        while sent < size:
            await stream.write(block[:size - sent])
            sent += min(len(block), size - sent)
        await stream.write_eof()
    except ConnectionError:  # the client stopped reading, as it should
        pass
    return stream


async def _trickle(request: web.Request, body: bytes, seconds: float) -> web.StreamResponse:
    """A "trickle" fault's reply: the whole length declared, then one byte every `seconds`."""
    stream = web.StreamResponse(status=200, headers={"Content-Type": "text/xml; charset=utf-8"})
    stream.content_length = len(body)
    await stream.prepare(request)
    try:
        for i in range(len(body)):
            await stream.write(body[i:i + 1])
            await asyncio.sleep(seconds)
        await stream.write_eof()
    except ConnectionError:
        pass
    return stream


def _xml(body: bytes, status: int) -> web.Response:
    return web.Response(status=status, body=body, content_type="text/xml", charset="utf-8")

