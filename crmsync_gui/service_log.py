"""The headless engine's log on standard output, one line a record, for journald and other collectors
(docs/service.md, "Logs").

Under systemd (standard output is the journal stream systemd names in JOURNAL_STREAM) a line starts with its
syslog priority as journald reads it, `<4>`, and journald adds the time and the unit; elsewhere it starts with
the UTC time and the level. Records that carry a trace code (every trace row the engine records, LeaseLost)
show it in brackets, so `journalctl -g LeaseTakenOver` finds them.
"""
from __future__ import annotations

import logging
import os
import sys
import time

PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


def priority(levelno: int) -> int:
    """The syslog priority of a logging level: 3 error, 4 warning, 6 information, 7 debug."""
    return next((p for level, p in PRIORITIES if levelno >= level), 7)


class LineFormatter(logging.Formatter):
    def __init__(self, journald: bool):
        super().__init__()
        self.journald = journald

    def format(self, record: logging.LogRecord) -> str:
        code = getattr(record, "trace_code", None)
        text = (f"[{code}] " if code else "") + record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        lines = text.splitlines() or [""]
        if self.journald:  # each line its own journal entry, each with the record's priority
            return "\n".join(f"<{priority(record.levelno)}>{line}" for line in lines)
        head = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)) + f" {record.levelname}"
        return "\n".join([f"{head} {lines[0]}", *(f"    {line}" for line in lines[1:])])


def on_journal(stream) -> bool:
    """Whether `stream` is the journal stream systemd connected (JOURNAL_STREAM is its device:inode)."""
    try:
        device, inode = (int(part) for part in os.environ.get("JOURNAL_STREAM", "").split(":"))
        found = os.fstat(stream.fileno())
    except (ValueError, OSError):
        return False
    return (found.st_dev, found.st_ino) == (device, inode)


def log_to_stdout() -> None:
    """Every log record from information up goes to standard output, in journald's form when systemd connected it."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LineFormatter(journald=on_journal(sys.stdout)))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
