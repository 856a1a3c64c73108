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
    assert main(["--db", str(db), "init"]) == 0
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


def _put_after(barrier, fallback_file, passwords, refs):
    store = SecretStore(fallback_file, use_keyring=False)
    barrier.wait()
    for password in passwords:
        refs.put((store.put(password), password))


def test_twenty_parallel_writers_lose_no_password(tmp_path):
    """20 `profiles add --password-stdin` at once lost 5 passwords: each read the file, added its own, wrote back."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    secrets_file = tmp_path / "crm.db.secrets.json"
    barrier, refs = context.Barrier(20), context.Queue()
    writers = [context.Process(target=_put_after, args=(barrier, secrets_file, [f"pw-{n}-{i}" for i in range(5)], refs))
               for n in range(20)]
    for writer in writers:
        writer.start()
    stored = [refs.get(timeout=60) for _ in range(100)]
    for writer in writers:
        writer.join(timeout=60)
    assert [writer.exitcode for writer in writers] == [0] * 20
    store = SecretStore(secrets_file, use_keyring=False)
    assert {ref: store.get(ref) for ref, _ in stored} == dict(stored)
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.db.secrets.json", "crm.db.secrets.json.lock"]


def test_corrupt_or_unreadable_secrets_file_is_one_clear_error(tmp_path):
    import pytest

    from crmsync_gui.core.errors import PermanentError

    secrets_file = tmp_path / "crm.db.secrets.json"
    store = SecretStore(secrets_file, use_keyring=False)
    for content in ('{"secret-1": "pw", ', "[1, 2]", '{"secret-1": 7}'):
        secrets_file.write_text(content)
        with pytest.raises(PermanentError) as error:
            store.get("secret-1")
        assert error.value.code == "SecretsUnreadable"
        assert str(secrets_file) in str(error.value) and "\n" not in str(error.value)
        with pytest.raises(PermanentError):
            store.put("new-pw")
        assert secrets_file.read_text() == content  # nothing overwritten: the passwords in it may still be saved
    secrets_file.unlink()
    secrets_file.mkdir()  # unreadable whatever the account (root reads any mode)
    with pytest.raises(PermanentError, match="cannot be read"):
        store.get("secret-1")


def test_cli_with_a_corrupt_secrets_file_says_so_in_one_line(tmp_path):
    from tests.core.test_cli import EWS, crmsync

    db = tmp_path / "crm.db"
    assert crmsync(db, "init").returncode == 0
    (tmp_path / "crm.db.secrets.json").write_text("{not json")
    result = crmsync(db, "profiles", "add", "--name", "P", "--password-stdin", "--incoming", EWS, stdin="pw\n")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "crm.db.secrets.json cannot be read" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "crm.db.secrets.json").read_text() == "{not json"
