"""A private Dovecot (IMAP and POP3) on loopback ports, with a throwaway config, users and test CA.

Needs Debian's dovecot-imapd and dovecot-pop3d (.ci/system-deps.sh) and root (Dovecot drops to its
own users). See /work/shared/docs/MACHINE-NOTES.md for why each setting is there.
"""
from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.servers.ports import free_port, wait_listening
from tests.servers.tls import TestCertificates, make_certificates

SPARE_USERS = 1200  # bench_push signs in 1,000 IMAP users at once

CONFIG = """\
protocols = imap pop3
# bench_push holds 1,000 IDLE connections: one process each (Debian's default allows 100), and anvil and
# auth count every login and imap process as a client (default 1,000)
default_process_limit = 1200
default_client_limit = 4000
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# (anvil still delays the next sign-ins from 127.0.0.1 for a few seconds after a failed one; no 2.3
# setting turns that off, so tests with a wrong password cost a few seconds each)
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{dir}/mail/%u
mailbox_idle_check_interval = 1 secs
pop3_uidl_format = %08Xv%08Xu
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={dir}/mail/%u
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
"""


def unavailable_reason() -> str | None:
    """Why Dovecot cannot run here, or None when it can."""
    if not shutil.which("dovecot") or not shutil.which("doveadm"):
        return "Dovecot is not installed (Debian packages dovecot-imapd, dovecot-pop3d; run .ci/system-deps.sh as root)"
    if not Path("/usr/lib/dovecot/pop3").exists():
        return "dovecot-pop3d is not installed (run .ci/system-deps.sh as root)"
    if os.geteuid() != 0:
        return "Dovecot in tests needs root (it drops to its own dovecot/mail users)"
    return None


@dataclass
class Dovecot:
    folder: Path
    certs: TestCertificates
    imap_port: int = field(default_factory=free_port)
    imaps_port: int = field(default_factory=free_port)
    pop3_port: int = field(default_factory=free_port)
    pop3s_port: int = field(default_factory=free_port)

    @property
    def config(self) -> Path:
        return self.folder / "dovecot.conf"

    def start(self) -> Dovecot:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)  # the dovecot users must enter it (mkdtemp makes 0700)
        for sub in ("run", "state"):
            (self.folder / sub).mkdir(exist_ok=True)
        mail = self.folder / "mail"
        mail.mkdir(exist_ok=True)
        shutil.chown(mail, "mail", "mail")
        users = self.folder / "users"
        self._spare_users = [(f"u{uuid.uuid4().hex[:10]}@example.test", f"s3cret {i}") for i in range(SPARE_USERS)]
        users.write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in self._spare_users))
        os.chmod(users, 0o644)
        for path in (self.certs.cert_file, self.certs.key_file, self.certs.ca_file):
            os.chmod(path, 0o644)
        self.config.write_text(CONFIG.format(
            dir=self.folder, cert=self.certs.cert_file, key=self.certs.key_file,
            imap=self.imap_port, imaps=self.imaps_port, pop3=self.pop3_port, pop3s=self.pop3s_port))
        # no pipes: the daemon keeps inherited descriptors open, and a pipe would block us forever
        with open(self.folder / "start.log", "wb") as out:
            subprocess.run(["dovecot", "-c", str(self.config)], check=True, stdin=subprocess.DEVNULL,
                           stdout=out, stderr=subprocess.STDOUT, timeout=20)
        for port in (self.imap_port, self.imaps_port, self.pop3_port, self.pop3s_port):
            wait_listening(port)
        return self

    def stop(self, *, remove: bool = True) -> None:
        subprocess.run(["doveadm", "-c", str(self.config), "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        pid_file = self.folder / "run" / "master.pid"
        deadline = time.monotonic() + 10
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid_file.exists():  # doveadm could not stop it: end our own master process by its pid
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)

    def add_user(self) -> tuple[str, str]:
        """A fresh mail user (login, password) from those written before start: Dovecot re-reads a changed
        passwd-file at most once a second, so users added while it runs may not sign in at once."""
        return self._spare_users.pop()

    def imap(self, user: str, password: str) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.certs.ca_file))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context, timeout=10)
        client.login(user, password)
        return client

    def append(self, user: str, password: str, *messages: bytes, folder: str = "INBOX") -> None:
        """Seed mail the way a real server receives it (IMAP APPEND takes malformed messages too)."""
        client = self.imap(user, password)
        try:
            if folder != "INBOX":
                client.create(folder)
            for raw in messages:
                typ, data = client.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def count(self, user: str, password: str, folder: str = "INBOX") -> int:
        client = self.imap(user, password)
        try:
            typ, data = client.select(folder, readonly=True)
            return int(data[0])
        finally:
            client.logout()

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_dovecot(certs: TestCertificates | None = None) -> Dovecot:
    """Start one in a folder of its own: a 0755 one directly under the temp dir, since the dovecot
    users must reach its files (pytest's tmp_path sits under a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="crmsync-dovecot-"))
    return Dovecot(folder=folder, certs=certs or make_certificates(folder / "tls")).start()
