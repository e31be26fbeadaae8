"""Every string a user can see is translated in all four languages, placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workbench.i18n import LANGUAGES
from workbench.paths import translations_dir

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{\w+\}")


def source_messages() -> set[str]:
    found = set()
    for package in ("workbench", "ui"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def messages() -> set[str]:
    return source_messages()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_translates_every_string_in_the_source(language, messages):
    with open(translations_dir() / language / "LC_MESSAGES" / "workbench.po", "rb") as po:
        catalog = read_po(po, locale=language)
    translated: dict[str, tuple[str, ...]] = {}
    for entry in catalog:
        # A plural entry's id and string are tuples: (singular, plural) and one per form.
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if ids[0] and all(forms) and not entry.fuzzy:
            translated[ids[0]] = forms
    missing = sorted(m for m in messages if m not in translated)
    assert missing == [], "run `make translations` and translate these"
    wrong = [(m, form) for m in messages for form in translated[m]
             if sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(form))]
    assert wrong == []


def test_the_source_has_strings_to_translate(messages):
    assert "The passphrase is wrong." in messages
    assert len(messages) > 100
