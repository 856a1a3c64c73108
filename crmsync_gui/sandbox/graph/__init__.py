"""The Microsoft Graph sandbox: Graph v1.0 and the identity platform's token endpoint on loopback, over the
EWS sandbox's store (one mailbox, two protocols). See docs/architecture.md."""
from .server import GraphServer
from .tokens import SCOPE

__all__ = ["GraphServer", "SCOPE"]
