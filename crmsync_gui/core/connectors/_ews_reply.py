"""Replies to the Exchange connector's EWS requests: read in one piece, and bounded in time and size as a whole.

exchangelib hands lxml a reply through iter_content(), whose default chunk is one byte: that loop was two thirds of
an email first sync's CPU (a page of 100 emails of 20 KB is 2 MB: two million Python calls), and a reply padded to
24 MB took 4.7 s. The request timeout bounds each socket read, not the reply: a server sending a byte just within it,
in its headers or its body, whatever its status, held the job's thread for as long as it liked. So every socket read
of a reply is given only what is left of the profile's timeout from the request's start, and the bytes it may bring
are capped. A reply over MAX_REPLY_BYTES, not complete in time, or without the end of its SOAP envelope fails the job
with UnreadableReply. Push's stream (it stays open) and other users of exchangelib in the process (bare exchangelib
in the benchmarks) keep exchangelib's own reading.
"""
from __future__ import annotations

import http.client
import io
import threading
import time

import requests.adapters
import urllib3
import urllib3.connection
from exchangelib.errors import ErrorTimeoutExpired
from exchangelib.services.common import EWSService
from exchangelib.util import post_ratelimited

from crmsync_gui.core.connectors._ews_errors import UnreadableReply

# ten times a page of 512 emails of 75 KB as base64 (50 MB), and room for 10 emails of 35 MB (a usual Exchange size
# limit) in one of our pages of 100
MAX_REPLY_BYTES = 512 * 2**20
exchangelib_get_response = EWSService._get_response
_request = threading.local()  # .bound: the _Bound of the request this thread is making, if any


class _Bound:
    """What is left to one request's reply: time from the request's start, and bytes."""

    def __init__(self, timeout: float, limit: int):
        self.timeout, self.limit = timeout, limit
        self.deadline = time.monotonic() + timeout
        self.size = 0
        self.exceeded: str | None = None  # why a read was stopped

    def stop(self, why: str) -> None:
        self.exceeded = why
        # a timeout: what urllib3, requests and exchangelib close the connection for and pass up without logging;
        # get_response tells the real reason
        raise TimeoutError(why)

    def too_slow(self) -> None:
        self.stop(f"the server sent its reply too slowly: not complete after {self.timeout:g} s")


class _BoundedSocketReader(io.RawIOBase):
    """A reply's socket reads, each within what is left of its bound."""

    def __init__(self, sock, bound: _Bound):
        super().__init__()
        self._sock, self._reads, self._bound = sock, sock.makefile("rb", buffering=0), bound

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        bound, per_read = self._bound, self._sock.gettimeout()
        left = bound.deadline - time.monotonic()
        if left <= 0:
            self._late()
        self._sock.settimeout(left if per_read is None else min(per_read, left))
        try:
            n = self._reads.readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= bound.deadline:
                self._late()
            raise  # the per-read timeout itself: the server stopped answering
        finally:
            self._sock.settimeout(per_read)
        bound.size += n
        if bound.size > bound.limit:
            bound.stop(f"the server's reply was over {bound.limit // 2**20} MB")
        return n

    def _late(self) -> None:
        if self._bound.size:
            self._bound.too_slow()
        raise TimeoutError("no reply in time")  # nothing came: a server that did not answer, told as such

    def close(self) -> None:
        self._reads.close()
        super().close()


class _BoundedResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, **kwargs):
        super().__init__(sock, *args, **kwargs)
        bound = getattr(_request, "bound", None)
        if bound is not None:
            self.fp.close()
            self.fp = io.BufferedReader(_BoundedSocketReader(sock, bound))


class _BoundedHTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _BoundedResponse


class _BoundedHTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _BoundedResponse


class _BoundedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _BoundedHTTPConnection


class _BoundedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _BoundedHTTPSConnection


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter whose connections read each reply within the bound of the request that thread makes."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _BoundedHTTPPool, "https": _BoundedHTTPSPool}


class _WholeReply:
    def __init__(self, content: bytes):
        self.content = content

    def iter_content(self) -> bytes:
        return self.content  # bytes: exchangelib's to_xml reads them at once

    def close(self) -> None:
        pass  # already read, and its connection given back


def get_response(service: EWSService, payload, api_version):
    """EWSService._get_response for sessions opened through BoundedAdapter (see the module's docstring)."""
    if service.streaming or not issubclass(service.protocol.HTTP_ADAPTER_CLS, BoundedAdapter):
        return exchangelib_get_response(service, payload, api_version)
    timeout = service.timeout or service.protocol.TIMEOUT
    _request.bound = bound = _Bound(timeout, MAX_REPLY_BYTES)
    try:
        return _whole_reply(service, payload, api_version, timeout)
    except Exception as exc:
        if bound.exceeded:  # however the layers between wrapped it
            raise UnreadableReply(bound.exceeded) from exc
        raise
    finally:
        _request.bound = None


def _whole_reply(service: EWSService, payload, api_version, timeout: float) -> _WholeReply:
    session = service.protocol.get_session()
    response, session = post_ratelimited(
        protocol=service.protocol, session=session, url=service.protocol.service_endpoint,
        headers=service._extra_headers(), data=service.wrap(content=payload, api_version=api_version),
        stream=True, timeout=timeout)
    service._handle_response_cookies(session)
    if response.status_code != 200:  # exchangelib's status check has read it already (a SOAP fault's 500)
        service.protocol.release_session(session)
        return _WholeReply(response.content)
    try:
        content = _read_whole(response)
    except BaseException:
        response.close()
        service.protocol.retire_session(session)  # its connection holds the rest of the reply
        raise
    service.protocol.release_session(session)
    if not content.rstrip().endswith(b"Envelope>"):
        # exchangelib's lenient parser (lxml's recover) would read what came as if it were all of it
        raise UnreadableReply("the server's reply was cut short (no end of its SOAP envelope)")
    return _WholeReply(content)


def _read_whole(response) -> bytes:
    chunks, size = [], 0
    while chunk := _read_some(response):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:  # decoded: a compressed reply's wire bytes are capped by the socket reader
            raise UnreadableReply(f"the server's reply was over {MAX_REPLY_BYTES // 2**20} MB")
        chunks.append(chunk)
    response.close()
    return b"".join(chunks)


def _read_some(response) -> bytes:
    try:
        return response.raw.read1(1 << 16, decode_content=True)
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # a timeout or a lost connection, in exchangelib's words
        raise ErrorTimeoutExpired(f"Reraised from {type(exc).__name__}({exc})") from exc


EWSService._get_response = get_response
