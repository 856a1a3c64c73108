"""Making exchangelib trust the sandbox's CA, per server URL, with verification left on.

exchangelib takes one HTTP adapter class for all its sessions (BaseProtocol.HTTP_ADAPTER_CLS); this one
verifies each connection against the CA file registered for its URL prefix, and against the system's
trust store for any other URL.
"""
from __future__ import annotations

import requests.adapters


class CaFileAdapter(requests.adapters.HTTPAdapter):
    ca_files: dict[str, str] = {}  # URL prefix (scheme://host:port/) -> PEM file of the CA to trust there

    def _ca_for(self, url: str, verify):
        if verify is False:
            return False
        return next((ca for prefix, ca in self.ca_files.items() if url.startswith(prefix)), verify)

    def cert_verify(self, conn, url, verify, cert):
        super().cert_verify(conn, url, self._ca_for(url, verify), cert)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        return super().get_connection_with_tls_context(request, self._ca_for(request.url, verify),
                                                       proxies=proxies, cert=cert)


def url_prefix(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def trust_for_exchangelib(url: str, ca_file: str) -> None:
    """From now on exchangelib verifies `url`'s server against ca_file (and every other server as before)."""
    from exchangelib.protocol import BaseProtocol

    CaFileAdapter.ca_files[url_prefix(url)] = ca_file
    BaseProtocol.HTTP_ADAPTER_CLS = CaFileAdapter
