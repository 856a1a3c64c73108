"""MIME parsing in worker processes (core/sync/parsing.py): results in order, unreadable emails and
dead workers as that email's record, and no worker left behind by a killed engine."""
import asyncio
import os
import pickle
import signal
import subprocess
import sys
import time

from crmsync_gui.core.sync import mime, parsing
from crmsync_gui.core.sync.mail import IncomingEmail

GOOD = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hello %d\r\nMessage-ID: <m%d@example.com>\r\n\r\nbody\r\n"


def good(n: int) -> bytes:
    return GOOD % (n, n)


class KillsTheWorker(bytes):
    """An email whose arrival in a worker ends that worker, as a parser crash would."""

    def __reduce__(self):
        return os._exit, (3,)


def test_a_page_is_parsed_in_order_with_each_unreadable_email_its_own_record():
    items = [("1", good(1), None), ("2", b"", 0), ("3", good(3), None)]
    first, empty, third = asyncio.run(parsing.parse(items, "Inbox"))
    assert isinstance(first, IncomingEmail) and first.subject == "hello 1" and first.server_id == "1"
    assert isinstance(empty, mime.UnreadableEmailError) and empty.server_id == "2" and empty.reason == "it is empty"
    assert isinstance(third, IncomingEmail) and third.subject == "hello 3" and third.folder == "Inbox"


def test_an_unreadable_email_crosses_from_the_worker_whole():
    error = mime.UnreadableEmailError("7", "its structure is broken", b"x" * 100, 5_000)
    again = pickle.loads(pickle.dumps(error))
    assert (again.server_id, again.reason, again.raw, again.raw_size) == ("7", "its structure is broken",
                                                                          b"x" * 100, 5_000)
    assert str(again) == str(error)


def test_an_email_that_kills_its_worker_is_its_own_record_and_the_page_goes_on():
    items = [("1", good(1), None), ("2", KillsTheWorker(b"Subject: boom\r\n\r\n"), 17), ("3", good(3), None)]
    first, crashed, third = asyncio.run(parsing.parse(items, "Inbox"))
    assert isinstance(first, IncomingEmail) and isinstance(third, IncomingEmail)
    assert isinstance(crashed, mime.UnreadableEmailError) and crashed.server_id == "2"
    assert crashed.reason == "the email parser crashed on it" and crashed.raw == b"Subject: boom\r\n\r\n"
    again, = asyncio.run(parsing.parse([("4", good(4), None)], "Inbox"))  # a fresh pool took over
    assert isinstance(again, IncomingEmail) and again.subject == "hello 4"


PARENT = """
import asyncio, sys
from crmsync_gui.core.sync import parsing
asyncio.run(parsing.parse([("1", b"Subject: hi\\r\\n\\r\\nbody", None)], "Inbox"))
print(*parsing.workers(), flush=True)
sys.stdin.read()
"""


def test_workers_end_when_the_engine_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "a killed engine left parsing workers behind"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has ended; only its entry waits for init
    except FileNotFoundError:
        return False
