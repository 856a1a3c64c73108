"""The Exchange sandbox: a loopback Exchange Web Services server for tests, benchmarks and the demo mode.

exchangelib (the real client) talks to it as if it were Exchange, over HTTPS with a CA made at start.
No Qt here: it runs in a thread of its own beside any event loop. See docs/architecture.md.
"""
from .faults import Fault
from .server import DEFAULT_MAX_CONCURRENT, EWS_PATH, SandboxServer

__all__ = ["SandboxServer", "Fault", "EWS_PATH", "DEFAULT_MAX_CONCURRENT"]
