"""Every string of the console is translated into Italian (resources/translations), and the list of strings
translated from data is current: a new string without its translation fails here, not in front of a user."""
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("language, options", [("it", []), ("en", ["-pluralonly"])])
def test_every_console_string_has_an_italian_translation_and_every_plural_its_english_forms(tmp_path, language,
                                                                                            options):
    ts = tmp_path / f"crmsync_{language}.ts"
    shutil.copy(HERE / ts.name, ts)
    sources = sorted(str(p) for p in (REPO / "crmsync_gui" / "ui").rglob("*.py"))
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    subprocess.run([str(lupdate), *sources, "-no-obsolete", *options, "-ts", str(ts)], check=True,
                   capture_output=True)
    untranslated = re.findall(r'<source>([^<]*)</source>\s*<translation type="unfinished">', ts.read_text("utf-8"))
    assert untranslated == [], f"translate these in resources/translations/{ts.name}, then `make translations`"


@pytest.mark.parametrize("language", ["it", "en"])
def test_translations_keep_every_placeholder_and_tag(language):
    """A translation that drops or renames {0}, {name}, %n or <b> breaks the text it is shown in; each plural form counts."""
    import xml.etree.ElementTree as ET

    wrong = []
    for context in ET.parse(HERE / f"crmsync_{language}.ts").iter("context"):
        for message in context.iter("message"):
            source, translation = message.findtext("source"), message.find("translation")
            forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
            for form in forms:
                for pattern in (r"\{\w+(?::[^}]*)?\}", r"</?\w+>", r"%n"):
                    if sorted(re.findall(pattern, source)) != sorted(re.findall(pattern, form)):
                        wrong.append(f"{context.findtext('name')}: {source!r} -> {form!r}")
    assert not wrong, "\n".join(wrong[:20])


def test_english_and_italian_say_1_alert_and_2_alerts(qapp):
    from PySide6.QtCore import QCoreApplication, QTranslator

    from crmsync_gui.ui.resources import install_translations

    said = {}
    for language in ("en", "it"):
        before = set(qapp.findChildren(QTranslator))
        assert install_translations(qapp, language) == language
        said[language] = [QCoreApplication.translate("DashboardPage", "%n alert(s) not acknowledged", "", n)
                          for n in (1, 2)]
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.deleteLater()
    assert said == {"en": ["1 alert not acknowledged", "2 alerts not acknowledged"],
                    "it": ["1 avviso non confermato", "2 avvisi non confermati"]}
