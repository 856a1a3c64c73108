"""One module per protocol (exchange, pop3, imap, smtp). Only connectors talk to mail servers.

Each connector turns its protocol's errors into core.errors.TransientError / PermanentError and
registers itself with core.sync.connector.register when imported.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil

log = logging.getLogger(__name__)


def load_connectors() -> dict[str, str]:
    """Import every connector module present so it registers; return {module: problem} for those that
    could not load (a missing optional library, say). A broken connector never stops the others."""
    problems: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:  # report and go on with the other protocols
            problems[info.name] = f"{type(exc).__name__}: {exc}"
            log.warning("Connector %s could not be loaded: %s", info.name, exc)
    return problems
