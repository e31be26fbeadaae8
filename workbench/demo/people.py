"""Fictional residents: names, addresses and identity numbers that fit the country.

Finnish numbers use the temporary range (individual number 900–999), which is never given
to a real person; Swedish and Danish numbers have valid checksums and random dates.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from stdnum import luhn

from workbench.paths import resources_dir

HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


@dataclass(frozen=True)
class DemoVocabulary:
    female_first_names: list[str]
    male_first_names: list[str]
    surnames: list[str]
    streets: list[str]
    cities: list[dict]
    landlords: dict[str, list[str]]
    creditors: list[str]
    contact_topics: list[str]
    contact_notes: list[str]
    referral_partners: list[str]
    followup_tasks: list[str]


@cache
def vocabulary(country: str) -> DemoVocabulary:
    data = json.loads((resources_dir() / "demo" / f"{country}.json").read_text("utf-8"))
    return DemoVocabulary(**data)


def identity_number(rng: random.Random, country: str, birth: date) -> str:
    yymmdd = birth.strftime("%y%m%d")
    if country == "FI":
        individual = rng.randint(900, 999)
        check = HETU_CHECK[int(f"{birth.strftime('%d%m%y')}{individual:03d}") % 31]
        separator = "A" if birth.year >= 2000 else "-"
        return f"{birth.strftime('%d%m%y')}{separator}{individual:03d}{check}"
    if country == "SE":
        serial = f"{rng.randint(0, 999):03d}"
        body = yymmdd + serial
        return f"{birth.year}{birth.strftime('%m%d')}{serial}{luhn.calc_check_digit(body)}"
    # Denmark: the first serial digit encodes the century (0–3 for 1900–1999, 4 for 2000–36).
    first = rng.randint(0, 3) if birth.year < 2000 else 4
    return f"{birth.strftime('%d%m%y')}{first}{rng.randint(0, 999):03d}"
