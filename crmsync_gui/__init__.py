"""crmsync: server-side synchronization between a CRM and mail servers."""

__version__ = "0.1.0"
