"""What every page shares: the secret store of the open database."""
from crmsync_gui.core.secrets import SecretStore, secret_store_for
from crmsync_gui.core.store.base import database_proxy


def secret_store() -> SecretStore:
    """The secret store beside the open database (keyring, or its 0600 file)."""
    db = database_proxy.obj
    return secret_store_for(getattr(db, "database", None))
