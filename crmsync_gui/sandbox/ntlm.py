"""NTLM sign-in for the sandbox, with pyspnego's NTLM acceptor (the maintained library requests_ntlm uses).

NTLM authenticates a connection, not a request: the handshake (negotiate -> challenge -> authenticate) runs
over one kept-alive connection, which then stays signed in. pyspnego's acceptor reads the accepted
passwords from the file named by the NTLM_USER_FILE environment variable, so this module keeps one such
file per process for every NTLM-enabled sandbox in it (an address is one password per process).
"""
from __future__ import annotations

import atexit
import base64
import binascii
import os
import tempfile
import threading
import weakref

import spnego
import spnego.exceptions

_lock = threading.Lock()
_passwords: dict[str, str] = {}
_file: str | None = None


def accept_password(address: str, password: str) -> None:
    """Let `address` (UPN form) sign in with NTLM and this password, in every sandbox of this process."""
    global _file
    with _lock:
        _passwords[address.lower()] = password
        if _file is None:
            fd, _file = tempfile.mkstemp(prefix="crmsync-sandbox-ntlm-")
            os.close(fd)
            atexit.register(os.unlink, _file)
        lines = [f":{addr}:{pw}\n" for addr, pw in _passwords.items()]
        lines += [f"SANDBOX:{addr.split('@')[0]}:{pw}\n" for addr, pw in _passwords.items()]
        with open(_file, "w", encoding="utf-8") as f:
            f.writelines(lines)
        os.environ["NTLM_USER_FILE"] = _file


class NtlmConnections:
    """Handshakes in progress and signed-in connections, keyed by the connection (its transport)."""

    def __init__(self):
        self._pending: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._signed_in: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def user_of(self, connection) -> str | None:
        return self._signed_in.get(connection)

    def step(self, connection, token: str) -> tuple[str | None, str | None]:
        """Feed one NTLM token: (challenge to send back, None) mid-handshake, (None, user) when signed in,
        (None, None) when refused."""
        try:
            data = base64.b64decode(token)
        except (binascii.Error, ValueError):
            return None, None
        context = self._pending.get(connection)
        if context is None or data[8:12] == b"\x01\x00\x00\x00":  # a NEGOTIATE message starts over
            context = self._pending[connection] = spnego.server(protocol="ntlm")
        try:
            answer = context.step(data)
        except spnego.exceptions.SpnegoError:
            self._pending.pop(connection, None)
            return None, None
        if not context.complete:
            return base64.b64encode(answer or b"").decode(), None
        self._pending.pop(connection, None)
        user = context.client_principal or ""
        user = user.split("\\")[-1]
        if "@" not in user:
            user = next((a for a in _passwords if a.split("@")[0] == user.lower()), user)
        self._signed_in[connection] = user
        return None, user
