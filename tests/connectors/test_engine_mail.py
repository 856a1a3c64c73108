"""The real engine driving the POP3 and IMAP connectors against Dovecot: push, disable, retry."""
import asyncio
import time

from crmsync_gui.core import codes
from crmsync_gui.core.connectors import imap, pop3  # noqa: F401  (register the connectors)
from crmsync_gui.core.secrets import SecretStore
from crmsync_gui.core.store.models import Activity, EmailServerProfile, Mailbox
from crmsync_gui.core.sync.engine import Engine
from tests.connectors import corpus
from tests.connectors.conftest import run
from tests.servers.ports import free_port


def engine_for(account, tmp_path, password=None) -> Engine:
    secrets = SecretStore(tmp_path / "secrets.json", use_keyring=False)
    ref = secrets.put(password or account.password)
    Mailbox.update(secret_ref=ref, approval=codes.Approval.APPROVED, incoming_enabled=True,
                   incoming_method=codes.IncomingMethod.SERVER_SIDE_SYNC).where(
        Mailbox.id == account.mailbox.id).execute()
    return Engine(secrets=secrets)


def test_idle_push_gets_new_email_tracked_within_5_seconds(imap_account, tmp_path):
    engine = engine_for(imap_account, tmp_path)

    async def go():
        await engine.start()
        try:
            deadline = time.monotonic() + 10
            while not (engine._connectors and any(c.connector.arrival.watching for _, c in engine._connectors.values())):
                assert time.monotonic() < deadline, "the first sync did not start an IDLE watcher"
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            started = time.monotonic()
            await asyncio.to_thread(imap_account.append, corpus.email("Pushed through the engine"))
            while not Activity.select().where(Activity.subject == "Pushed through the engine").exists():
                assert time.monotonic() - started < 5, "not tracked within 5 s of arriving"
                await asyncio.sleep(0.05)
            return time.monotonic() - started
        finally:
            await engine.stop()

    latency = run(go())
    assert latency < 5


def test_bad_password_disables_incoming(pop3_account, tmp_path):
    engine = engine_for(pop3_account, tmp_path, password="not the password")

    async def go():
        await engine.start(scheduler=False)
        try:
            return await engine.sync_now(pop3_account.mailbox.id, codes.Direction.INCOMING)
        finally:
            await engine.stop()

    [result] = run(go())
    assert result.code == "SignInRejected" and not result.transient and result.disabled
    mailbox = Mailbox.get_by_id(pop3_account.mailbox.id)
    assert not mailbox.incoming_enabled and mailbox.incoming_status == codes.DirectionStatus.FAILURE
    assert "not the password" not in (mailbox.last_error_message or "")


def test_server_down_is_retried_not_disabled(pop3_account, tmp_path):
    engine = engine_for(pop3_account, tmp_path)
    EmailServerProfile.update(incoming_server=f"127.0.0.1:{free_port()}").where(
        EmailServerProfile.id == pop3_account.profile.id).execute()

    async def go():
        await engine.start(scheduler=False)
        try:
            return await engine.sync_now(pop3_account.mailbox.id, codes.Direction.INCOMING)
        finally:
            await engine.stop()

    [result] = run(go())
    assert result.code == "ServerUnreachable" and result.transient and not result.disabled
    mailbox = Mailbox.get_by_id(pop3_account.mailbox.id)
    assert mailbox.incoming_enabled and mailbox.incoming_next_run is not None  # a retry is scheduled
