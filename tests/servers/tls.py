"""A throwaway certificate authority, so every TLS connection in the tests is really verified."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestCertificates:
    ca_file: Path  # what a profile's trusted_ca_file points at
    cert_file: Path  # server certificate chain for 127.0.0.1 and localhost
    key_file: Path


def make_certificates(folder: Path) -> TestCertificates:
    import trustme

    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    folder.mkdir(parents=True, exist_ok=True)
    paths = TestCertificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    ca.cert_pem.write_to_path(str(paths.ca_file))
    server.private_key_pem.write_to_path(str(paths.key_file))
    with open(paths.cert_file, "wb") as fh:
        for blob in server.cert_chain_pems:
            fh.write(blob.bytes())
    return paths
