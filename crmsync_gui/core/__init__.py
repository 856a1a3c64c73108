"""The Qt-free core: domain rules, store, connectors, sync engine, migration."""
