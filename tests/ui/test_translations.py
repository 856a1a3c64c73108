"""The Italian translation ships whole: every string the console shows has Italian text keeping its placeholders."""
import re
import xml.etree.ElementTree as ET

from tests.conftest import REPO

TS = REPO / "resources" / "translations" / "crmsync_it.ts"


def messages():
    for context in ET.parse(TS).iter("context"):
        for message in context.iter("message"):
            yield context.findtext("name"), message.findtext("source"), message.find("translation")


def test_every_string_has_italian_text():
    missing = [f"{context}: {source}" for context, source, translation in messages()
               if translation.get("type") == "unfinished" or not (translation.text or "").strip()]
    assert not missing, "untranslated (run `make translations`, then translate):\n" + "\n".join(missing[:20])


def test_translations_keep_every_placeholder_and_tag():
    wrong = []
    for context, source, translation in messages():
        for pattern in (r"\{\d+(?::[^}]*)?\}", r"</?\w+>"):
            if sorted(re.findall(pattern, source)) != sorted(re.findall(pattern, translation.text or "")):
                wrong.append(f"{context}: {source!r} -> {translation.text!r}")
    assert not wrong, "\n".join(wrong[:20])
