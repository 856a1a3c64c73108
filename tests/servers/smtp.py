"""A real SMTP server (aiosmtpd) on loopback that records what it was given.

Two listeners share one recorder: STARTTLS on `port`, implicit TLS on `ssl_port`; both use the test CA's
certificate and require AUTH with the given credentials.
"""
from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers.ports import free_port
from tests.servers.tls import TestCertificates

# aiosmtpd counts only STARTTLS as TLS; the implicit-TLS listener is encrypted from the first byte.
IGNORED_WARNING = "ignore:Requiring AUTH while not requiring TLS"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class _Recorder:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.test"):  # how a test asks for a refused recipient
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login))
        return "250 OK recorded"


class SmtpServer:
    def __init__(self, certs: TestCertificates, users: dict[str, str]):
        self.users = users
        self.recorder = _Recorder()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs.cert_file, certs.key_file)
        self.port, self.ssl_port = free_port(), free_port()
        self._controllers = [
            Controller(self.recorder, hostname="127.0.0.1", port=self.port, tls_context=context,
                       require_starttls=True, authenticator=self._authenticate, auth_required=True),
            Controller(self.recorder, hostname="127.0.0.1", port=self.ssl_port, ssl_context=context,
                       authenticator=self._authenticate, auth_required=True, auth_require_tls=False),
        ]

    @property
    def received(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.received)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and self.users.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def start(self) -> SmtpServer:
        for controller in self._controllers:
            controller.start()
        return self

    def stop(self) -> None:
        for controller in self._controllers:
            controller.stop()
