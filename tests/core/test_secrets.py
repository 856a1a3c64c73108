import stat

from crmsync_gui.core.secrets import SecretStore


def test_file_fallback_round_trip_and_mode_0600(tmp_path):
    store = SecretStore(tmp_path / "crm.db.secrets.json", use_keyring=False)
    assert store.backend == "file"
    ref = store.put("s3cret!")
    assert store.get(ref) == "s3cret!"
    assert stat.S_IMODE((tmp_path / "crm.db.secrets.json").stat().st_mode) == 0o600
    assert "mode 0600" in store.describe_backend()
    store.delete(ref)
    assert store.get(ref) is None


def test_password_never_lands_in_the_database(tmp_path):
    from crmsync_gui.cli import main

    db = tmp_path / "crm.db"
    import io
    import sys
    old = sys.stdin
    sys.stdin = io.StringIO("Hunter2-unique-pw\n")
    try:
        assert main(["--db", str(db), "profiles", "add", "--name", "P", "--password-stdin",
                     "--incoming", "https://mail.contoso.com/EWS/Exchange.asmx"]) == 0
    finally:
        sys.stdin = old
    for path in tmp_path.iterdir():
        if path.name.startswith("crm.db") and not path.name.endswith("secrets.json"):
            assert b"Hunter2-unique-pw" not in path.read_bytes(), path.name
    assert b"Hunter2-unique-pw" in (tmp_path / "crm.db.secrets.json").read_bytes()


def test_headless_linux_uses_the_file_without_loading_keyring_backends(tmp_path):
    import subprocess
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("the D-Bus rule is Linux's")
    code = ("import sys\nfrom crmsync_gui.core.secrets import secret_store_for\n"
            f"store = secret_store_for({str(tmp_path / 'crm.db')!r})\n"
            "print(store.backend, 'keyring.backends' in sys.modules)\n")
    env = {"PATH": "/usr/bin:/bin", "CRMSYNC_SECRETS": "auto"}  # no D-Bus session, no configured backend
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split() == ["file", "False"], result.stdout + result.stderr
