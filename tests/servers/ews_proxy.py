"""An HTTPS proxy on loopback between the Exchange connector and the EWS sandbox that can change its replies.

The sandbox's replies pass the EWS schema; a real server's may not. The proxy forwards each request to the
sandbox and hands the reply to `change(operation, n, status, body)`, which returns the (status, body) to send
and the seconds to spread sending it over: `n` counts the requests since the last `reset`, `operation` is the
EWS operation of the request (SyncFolderItems, GetItem...). Used by the hostile-reply tests and their soak
(bench/hostile_ews.py).
"""
from __future__ import annotations

import http.client
import re
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Change = Callable[[str, int, int, bytes], tuple[int, bytes, float]]
_OPERATION = re.compile(rb"Body>\s*<(?:[\w-]+:)?(\w+)")


def unchanged(operation: str, n: int, status: int, body: bytes) -> tuple[int, bytes, float]:
    return status, body, 0.0


class EwsProxy:
    def __init__(self, sandbox, certs):
        self.upstream = urlsplit(sandbox.url)
        self.upstream_tls = ssl.create_default_context(cafile=str(sandbox.ca_file))
        self._lock = threading.Lock()
        self._change: Change = unchanged
        self._seen = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's name)
                request = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body, content_type = proxy._forward(self.path, request, self.headers)
                found = _OPERATION.search(request)
                with proxy._lock:
                    n, change = proxy._seen, proxy._change
                    proxy._seen += 1
                status, body, seconds = change(found.group(1).decode() if found else "", n, status, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                chunks = 10 if seconds else 1
                step = -(-len(body) // chunks) or 1
                try:
                    for start in range(0, max(len(body), 1), step):
                        if seconds:
                            time.sleep(seconds / chunks)
                        self.wfile.write(body[start:start + step])
                except OSError:
                    pass  # the connector gave up on this reply

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certs.cert_file, certs.key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/EWS/Exchange.asmx"

    def _forward(self, path: str, request: bytes, headers) -> tuple[int, bytes, str]:
        kept = {k: v for k, v in headers.items()
                if k.lower() in ("authorization", "content-type", "soapaction", "x-anchormailbox")}
        upstream = http.client.HTTPSConnection(self.upstream.hostname, self.upstream.port,
                                               context=self.upstream_tls, timeout=30)
        try:
            upstream.request("POST", path, request, kept)
            answer = upstream.getresponse()
            return answer.status, answer.read(), answer.getheader("Content-Type", "text/xml; charset=utf-8")
        finally:
            upstream.close()

    def reset(self, change: Change = unchanged) -> None:
        """From the next request on, replies go through `change`, counted from 0."""
        with self._lock:
            self._change, self._seen = change, 0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
