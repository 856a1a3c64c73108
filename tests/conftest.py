import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CRMSYNC_SECRETS", "file")  # never touch the developer's real keyring from tests

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BIN = Path(sys.executable).parent


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated SQLite database bound to the models."""
    from crmsync_gui.core.store.db import close_database, open_database

    database = open_database(tmp_path / "crm.db")
    yield database
    close_database()
