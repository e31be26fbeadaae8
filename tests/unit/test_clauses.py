"""The clause files: per country the same clauses in every language, each naming sources
that SOURCES.md lists and saying whether a lawyer should confirm it."""

from __future__ import annotations

import json
import re

import pytest

from workbench.agreements.service import load_clauses
from workbench.i18n import LANGUAGES
from workbench.paths import resources_dir

FOLDER = resources_dir() / "clauses"
VALUES = {"organisation": "Org", "advisor": "Anna", "landlord": "Vuokrakodit", "grace": 5,
          "broken_after": 2}


@pytest.mark.parametrize("country", ["FI", "SE", "DK"])
def test_every_language_carries_the_countrys_clauses(country):
    sources = set(re.findall(r"\*\*([A-Z]{2}-[A-Z0-9-]+)\*\*",
                             (FOLDER / "SOURCES.md").read_text("utf-8")))
    by_language = {language: load_clauses(country, language) for language in LANGUAGES}
    ids = [c["id"] for c in by_language["en"]]
    for language, clauses in by_language.items():
        data = json.loads((FOLDER / country / f"{language}.json").read_text("utf-8"))
        assert (data["country"], data["language"]) == (country, language)
        assert [c["id"] for c in clauses] == ids
        for clause in clauses:
            assert isinstance(clause["lawyer_should_confirm"], bool)
            assert set(clause["sources"]) <= sources | {"contract"}, clause["sources"]
            assert clause["text"].format(**VALUES)  # only known placeholders
    assert ("recovery" in ids) == (country == "SE")  # 12 kap. 44 § jordabalken


def test_a_clause_never_names_another_countrys_bailiff():
    for country, foreign in (("FI", "Kronofogden"), ("DK", "Kronofogden"), ("SE", "fogedret")):
        for language in LANGUAGES:
            text = " ".join(c["text"] for c in load_clauses(country, language))
            assert foreign not in text
