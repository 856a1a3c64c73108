"""Passwords, kept out of the database, the logs and every export.

The OS keyring is used where a backend exists. A headless server often has
none; there the passwords go to an explicit local file (mode 0600) beside the
database, and `describe_backend()` says so, for the console's status bar and
the CLI. Nothing else in the product reads or writes passwords.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from crmsync_gui.core.errors import PermanentError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

SERVICE = "crmsync"


class SecretStore:
    """Resolve secret references (`secret_ref` columns) to passwords."""

    def __init__(self, fallback_file: Path, *, use_keyring: bool = True):
        self.fallback_file = Path(fallback_file)
        self._keyring = _usable_keyring() if use_keyring else None

    def __reduce__(self):
        # the same store in another process (the console's engine): a keyring backend does not pickle itself
        return _reopen, (self.fallback_file, self._keyring is not None)

    @property
    def backend(self) -> str:
        return "keyring" if self._keyring else "file"

    def describe_backend(self) -> str:
        if self._keyring:
            return f"Passwords are kept in the system keyring ({type(self._keyring).__name__})."
        return (f"No system keyring is available; passwords are kept in {self.fallback_file} "
                "(readable only by this account, mode 0600).")

    def put(self, password: str, ref: str | None = None) -> str:
        """Store a password; return its reference (a new one unless `ref` is given)."""
        ref = ref or f"secret-{uuid.uuid4().hex}"
        if self._keyring:
            self._keyring.set_password(SERVICE, ref, password)
        else:
            with self._locked():
                data = self._read_file()
                data[ref] = password
                self._write_file(data)
        return ref

    def get(self, ref: str | None) -> str | None:
        if not ref:
            return None
        if self._keyring:
            return self._keyring.get_password(SERVICE, ref)
        return self._read_file().get(ref)

    def delete(self, ref: str | None) -> None:
        if not ref:
            return
        if self._keyring:
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._keyring.delete_password(SERVICE, ref)
        else:
            with self._locked():
                data = self._read_file()
                if data.pop(ref, None) is not None:
                    self._write_file(data)

    @contextlib.contextmanager
    def _locked(self):
        """Hold the sidecar lock file for a read-modify-write, so parallel writers (two CLI runs, the
        console and a CLI) do not each write back a copy missing the other's password."""
        self.fallback_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.fallback_file.with_name(self.fallback_file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if sys.platform == "win32":
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.fallback_file.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise self._unreadable(exc) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise self._unreadable(ValueError("it is not a list of passwords"))
        return data

    def _unreadable(self, exc: Exception) -> PermanentError:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return PermanentError("SecretsUnreadable", f"The passwords file {self.fallback_file} cannot be read ({reason}).",
                              action="Restore it from a backup, or delete it and set the passwords again.")

    def _write_file(self, data: dict[str, str]) -> None:
        # a unique temporary name beside the file: a crash leaves the old file whole, never a half-written one
        fd, tmp = tempfile.mkstemp(prefix=self.fallback_file.name + ".", suffix=".tmp", dir=self.fallback_file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.fallback_file)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _usable_keyring():
    """The OS keyring backend, or None where only the null/fail/plaintext backends exist."""
    if _no_linux_keyring_reachable():
        return None
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring setup must not stop the product; fall back to the file
        return None
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or "null" in name.lower() or "keyrings.alt" in name:
        return None
    if getattr(backend, "priority", 0) <= 0:
        return None
    return backend


def _no_linux_keyring_reachable() -> bool:
    """Linux keyrings (Secret Service, KWallet) all live behind a D-Bus session bus: with none, skip
    loading keyring's backends, which costs a third of a second at every start of a headless server."""
    return (sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS")
            and not os.environ.get("PYTHON_KEYRING_BACKEND"))


def secret_store_for(db_path: str | Path | None) -> SecretStore:
    """The secret store for a database: keyring, else `<db>.secrets.json` beside it (for a PostgreSQL
    URL, which has no folder, `<host>-<port>-<database>.secrets.json` in the user data folder)."""
    if str(db_path or "").startswith(("postgres://", "postgresql://")):
        import platformdirs

        where = urlsplit(str(db_path))
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{where.hostname}-{where.port or 5432}-{where.path.strip('/')}")
        base = Path(platformdirs.user_data_dir("crmsync", appauthor=False)) / name
    else:
        base = Path(db_path) if db_path and str(db_path) != ":memory:" else Path.home() / ".crmsync"
    use_keyring = os.environ.get("CRMSYNC_SECRETS", "auto") != "file"
    return SecretStore(base.with_name(base.name + ".secrets.json"), use_keyring=use_keyring)


def _reopen(fallback_file: Path, use_keyring: bool) -> SecretStore:
    return SecretStore(fallback_file, use_keyring=use_keyring)
