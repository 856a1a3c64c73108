"""A short seeded slice of the crash harness (bench/crash_harness.py; `make soak` runs it long): real engine
processes killed with SIGKILL against the EWS and Graph sandboxes, Dovecot (IMAP, POP3) and the SMTP server
(when Dovecot can run here), then nothing lost, nothing twice."""
import pytest

from bench import crash_harness, crash_worlds
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import ItemMap
from tests.servers.smtp import IGNORED_WARNING

KILLS = 6
PG_KILLS = 5
pytestmark = pytest.mark.filterwarnings(IGNORED_WARNING)


def test_sigkills_at_seeded_points_lose_and_duplicate_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMSYNC_SECRETS", "file")
    with crash_worlds.servers() as servers:
        worlds = crash_worlds.make(servers, crash_harness.store(tmp_path))
        figures = crash_harness.run(KILLS, 5, tmp_path, worlds)
        assert figures.ok, "\n".join(figures.lost + figures.duplicated + figures.wrong)
        assert figures.kills == KILLS and figures.kills_mid_job >= 1
        assert figures.checked["incoming email"] and figures.checked["outgoing email"]
        assert figures.checked["contact on Exchange"] > crash_worlds.ANCHORS

        open_database(tmp_path / "crm.db")  # the check can fail: an item whose map row is lost is found
        try:
            ItemMap.select().first().delete_instance()
            broken = crash_harness.Figures()
            for world in worlds:
                world.check(broken)
        finally:
            close_database()
            for world in worlds:
                world.close()
    assert broken.duplicated and broken.lost


def test_two_workers_on_postgresql_one_sigkilled_at_seeded_points_lose_and_duplicate_nothing(pg_url, tmp_path,
                                                                                            monkeypatch):
    """Two `engine run` workers on one PostgreSQL database; one of them killed and started again at each kill
    point while the other keeps running, email and ACT edits injected while they run."""
    monkeypatch.setenv("CRMSYNC_SECRETS", "file")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the secret file both workers read
    with crash_worlds.servers(mail=False) as servers:
        worlds = crash_worlds.make(servers, pg_url, graph=False, ews=2)
        try:
            figures = crash_harness.run_two_workers(PG_KILLS, 5, tmp_path, pg_url, worlds)
        finally:
            for world in worlds:
                world.close()
    assert figures.ok, "\n".join(figures.lost + figures.duplicated + figures.wrong)
    assert figures.kills == PG_KILLS and figures.kills_mid_job >= 1
    assert figures.checked["incoming email"] and figures.checked["outgoing email"]
    assert figures.checked["contact on Exchange"] > crash_worlds.ANCHORS
