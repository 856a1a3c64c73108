import pytest

from crmsync_gui.sandbox.schema_order import ORDER
from tests.conftest import SHARED
from tests.sandbox.conftest import SCHEMA_ABSENT

pytestmark = pytest.mark.skipif(not (SHARED / "ews-schema" / "types.xsd").exists(), reason=SCHEMA_ABSENT)


def test_shipped_element_order_matches_the_schema():
    from tests.sandbox.schema_tables import derive

    assert derive(SHARED / "ews-schema") == ORDER
