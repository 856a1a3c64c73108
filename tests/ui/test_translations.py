"""Every string of the console is translated into Italian (resources/translations), and the list of strings
translated from data is current: a new string without its translation fails here, not in front of a user."""
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = REPO / "resources" / "translations"


def _update_module():
    spec = importlib.util.spec_from_file_location("update_translations", HERE / "update.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_strings_translated_from_data_are_listed_for_lupdate():
    update = _update_module()
    assert update.GENERATED.read_text(encoding="utf-8") == update.generated_source(update.translatable_strings()), \
        "run `make translations`"


def test_every_console_string_has_an_italian_translation(tmp_path):
    ts = tmp_path / "crmsync_it.ts"
    shutil.copy(HERE / "crmsync_it.ts", ts)
    sources = sorted(str(p) for p in (REPO / "crmsync_gui" / "ui").rglob("*.py"))
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(lupdate), *sources, "-no-obsolete", "-ts", str(ts)], check=True, capture_output=True)
    untranslated = re.findall(r'<source>([^<]*)</source>\s*<translation type="unfinished">', ts.read_text("utf-8"))
    assert untranslated == [], "translate these in resources/translations/crmsync_it.ts, then `make translations`"


def test_translations_keep_every_placeholder_and_tag():
    """A translation that drops or renames {0} or <b> breaks the text it is shown in."""
    import xml.etree.ElementTree as ET

    wrong = []
    for context in ET.parse(HERE / "crmsync_it.ts").iter("context"):
        for message in context.iter("message"):
            source, translation = message.findtext("source"), message.findtext("translation") or ""
            for pattern in (r"\{\d+(?::[^}]*)?\}", r"</?\w+>"):
                if sorted(re.findall(pattern, source)) != sorted(re.findall(pattern, translation)):
                    wrong.append(f"{context.findtext('name')}: {source!r} -> {translation!r}")
    assert not wrong, "\n".join(wrong[:20])
