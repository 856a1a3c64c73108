"""The one base model, bound to a proxy so the database is chosen at start-up."""
from datetime import UTC, datetime

import peewee

database_proxy = peewee.DatabaseProxy()


def on_postgres() -> bool:
    """Whether the open database is PostgreSQL, which several workers may share (else SQLite)."""
    return isinstance(database_proxy.obj, peewee.PostgresqlDatabase)


def utcnow() -> datetime:
    """Naive UTC, the way every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False
