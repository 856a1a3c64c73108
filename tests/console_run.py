"""Run a real console (`crmsync-gui` from the venv or the package) for a few seconds on a database with one
mailbox its engine must try at once, then kill it without a goodbye; report what happened."""
from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from crmsync_gui.core import admin, codes
from crmsync_gui.core.store.db import close_database, open_database
from crmsync_gui.core.store.models import Mailbox
from tests.servers.ports import free_port


@dataclass
class ConsoleRun:
    still_running: bool  # after the few seconds
    returncode: int | None
    stderr: str
    engine_processes: list[int]  # the console's children while it ran
    engine_ran: bool  # the mailbox was tried
    engine_outlived_console: bool


def database_with_one_mailbox(database: Path) -> None:
    open_database(database)
    try:  # its server is a closed port: the engine's first try fails at once, and says so in the mailbox row
        profile = admin.save_profile({"name": "Nowhere", "auth_type": codes.AuthType.BASIC,
                                      "incoming_server": f"https://127.0.0.1:{free_port()}/EWS/Exchange.asmx"})
        mailbox = admin.map_mailbox(admin.add_mailbox("Ann", "ann@example.com", profile),
                                    admin.add_user("Ann Lee", "ann@example.com"))
        admin.set_approval(mailbox, True)
        admin.set_enabled(Mailbox.get_by_id(mailbox.id), True)
    finally:
        close_database()


def run_console(command: list[str], database: Path, env: dict[str, str], seconds: float = 8) -> ConsoleRun:
    database_with_one_mailbox(database)
    process = subprocess.Popen([*command, "--db", str(database)], env=env, cwd=database.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(seconds)
        still_running = process.poll() is None
        engines = children(process.pid)
    finally:
        process.kill()  # no goodbye: its engine must notice and stop by itself
        _, stderr = process.communicate(timeout=30)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in engines) and time.monotonic() < deadline:
        time.sleep(0.1)
    open_database(database)
    try:
        ran = Mailbox.get(Mailbox.name == "Ann").incoming_status != codes.DirectionStatus.NOT_RUN
    finally:
        close_database()
    return ConsoleRun(still_running, process.returncode, stderr, engines, ran, any(alive(p) for p in engines))


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
