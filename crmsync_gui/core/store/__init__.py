"""The local store: Peewee models, database setup, migrations."""
