"""`make run` must open the console and keep it running: the real entry point, on a qasync loop, with its
engine working (on its own thread) from the start."""
import os
import subprocess
import time

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import Mailbox
from tests.conftest import BIN
from tests.servers.ports import free_port


def test_console_starts_with_its_engine_and_keeps_running(tmp_path):
    database = tmp_path / "crm.db"
    open_database(database)
    try:  # one mailbox the engine must try at once: its server is a closed port
        profile = admin.save_profile({"name": "Nowhere", "auth_type": codes.AuthType.BASIC,
                                      "incoming_server": f"https://127.0.0.1:{free_port()}/EWS/Exchange.asmx"})
        mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@example.com", profile),
                                    admin.add_user("Ann Lee", "ann@example.com"))
        admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)
    finally:
        close_database()
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([str(BIN / "crmsync-gui"), "--db", str(database)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(8)
        still_running = process.poll() is None
    finally:
        process.kill()
        _, stderr = process.communicate(timeout=30)
    assert still_running, f"the console exited early with {process.returncode}: {stderr[-2000:]}"
    assert "Traceback" not in stderr and "never awaited" not in stderr, stderr[-2000:]
    open_database(database)
    try:
        tried = Mailbox.get(Mailbox.name == "Ann")
        assert tried.incoming_status != codes.DirectionStatus.NOT_RUN, "the embedded engine never ran"
    finally:
        close_database()
