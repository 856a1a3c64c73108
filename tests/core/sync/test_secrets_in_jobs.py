"""A passwords file that cannot be read fails each job with one sentence, not a traceback per job."""
import asyncio
import logging

from crmsync_gui.core import codes, events
from crmsync_gui.core.secrets import SecretStore
from tests.core.sync.conftest import add_mailbox, add_profile


def test_a_corrupt_secrets_file_fails_the_job_with_its_reason(db, world, make_engine, recorder, tmp_path, caplog):
    secrets = SecretStore(tmp_path / "crm.db.secrets.json", use_keyring=False)
    profile = add_profile(username="svc@example.test", secret_ref=secrets.put("s3cret!"))
    mailbox = add_mailbox(profile, "Ann")
    world.script(mailbox, codes.Direction.INCOMING, 1)
    secrets.fallback_file.write_text('{"secret-')  # cut short by a full disk or a bad copy

    async def scenario():
        engine = await make_engine(secrets=secrets)
        try:
            await engine.run_once()
        finally:
            await engine.stop()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    [failed] = recorder.of(events.JobFailed)
    assert failed.code == "SecretsUnreadable" and "crm.db.secrets.json cannot be read" in failed.message
    assert not failed.transient
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
