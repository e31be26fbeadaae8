"""What the agreement says, read back with pdftotext for every country × language: the
advice service, the advisor's profile, the landlord's payment details, printed names,
authority names as the country calls them, the Swedish 12:44 sentence; numbers, the
superseded issue, plurals and embedded fonts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest

from tests.conftest import make_store
from tests.helpers import intake
from tests.integration.cli import run_unlocked
from workbench.agreements.service import AgreementService
from workbench.agreements.signatures import Signature, SignerRole
from workbench.cases.model import (
    ArrearsComponent,
    Consent,
    ConsentMethod,
    ConsentParty,
    Landlord,
    LandlordKind,
)
from workbench.cases.service import CaseService
from workbench.i18n import translations_for
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.service import PlanService
from workbench.profiles import Profile, ProfileService
from workbench.session import StoreLocation

LANGUAGES = ("fi", "sv", "da", "en")
LANDLORDS = {
    "FI": Landlord("Kaupungin Vuokrakodit Oy", LandlordKind.MUNICIPAL, "+358 9 310 1234",
                   "perinta@vuokrakodit.fi", "Pekka Perijä", "Satamakatu 2, 00160 Helsinki",
                   "FI2112345600000785", "", "12345672"),
    "SE": Landlord("Stadens Hyresbostäder AB", LandlordKind.MUNICIPAL, "+46 8 123 456",
                   "hyra@hyresbostader.se", "Karin Lund", "Storgatan 5, 111 22 Stockholm",
                   "SE4550000000058398257466", "5050-1055", "1234567897"),
    "DK": Landlord("Boligselskabet Hjem", LandlordKind.NON_PROFIT, "+45 33 12 34 56",
                   "husleje@hjem.dk", "Mette Jensen", "Vestergade 3, 1456 København K",
                   "DK5000400440116243", "", "+71<000000000123455+12345678<"),
}
PRINTED = {"FI": ("FI21 1234 5600 0007 85", "123 45672"),
           "SE": ("SE45 5000 0000 0583 9825 7466", "1234567897"),
           "DK": ("DK50 0040 0440 1162 43", "+71<000000000123455+12345678<")}
BENEFITS = {  # the benefits office as the country calls it, in each language
    ("FI", "fi"): "Kela", ("FI", "sv"): "FPA", ("FI", "da"): "Kela", ("FI", "en"): "Kela",
    ("SE", "fi"): "Försäkringskassan", ("SE", "sv"): "Försäkringskassan",
    ("SE", "da"): "Försäkringskassan", ("SE", "en"): "Försäkringskassan",
    ("DK", "fi"): "Udbetaling Danmark", ("DK", "sv"): "Udbetaling Danmark",
    ("DK", "da"): "Udbetaling Danmark", ("DK", "en"): "Udbetaling Danmark",
}
TWELVE_FORTY_FOUR = {  # the tenant's statutory right after notice is not affected
    "sv": "rätt enligt 12 kap. 44 § jordabalken att få behålla hyresrätten",
    "fi": "maakaaren (jordabalken) 12 luvun 44 §:n mukaiseen oikeuteen",
    "da": "ret efter 12. kapitel, § 44 i jordabalken",
    "en": "right under chapter 12, section 44 of the Land Code (jordabalken)",
}
PROFILE = Profile("anna", "Anna Virtanen", "Asumisneuvoja", "+358 40 111 2222",
                  "anna.virtanen@neuvonta.fi", "Kauppakatu 1, 00100 Helsinki")


def text_of(pdf: bytes, tmp_path, name: str) -> str:
    assert shutil.which("pdftotext"), "poppler-utils must be installed"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.replace("\u00a0", " ").split())


def fonts_embedded(pdf: bytes, tmp_path) -> bool:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    return bool(lines) and all(line.split()[-5] == "yes" for line in lines)


def a_case(session, country: str, instalments: int = 3, first: date | None = None,
           profile: Profile = PROFILE) -> int:
    ProfileService(session).set_profile(profile)
    cases = CaseService(session)
    landlord = next((known for known in cases.landlords()
                     if known.name == LANDLORDS[country].name), None) \
        or cases.add_landlord(LANDLORDS[country])
    case_id = cases.create_case(intake(first_name="Åsa", last_name="Øberg-Nyström",
                                       identity_text="", city="Kotikylä",
                                       landlord_id=landlord.id, rent_arrears=900_00)).case.id
    cases.add(Consent(case_id, ConsentParty.BENEFITS_OFFICE, ConsentMethod.WRITTEN,
                      date.today()))
    first = first or date.today() + timedelta(days=40)
    rows = [PlanRow(first + timedelta(days=31 * n), 900_00 // instalments)
            for n in range(instalments)]
    PlanService(session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 900_00}, first, first.day, rows, months=instalments,
        monthly_rent=500_00))
    return case_id


@pytest.fixture(scope="module", params=["FI", "SE", "DK"])
def country_store(request, tmp_path_factory):
    location = StoreLocation(tmp_path_factory.mktemp(request.param) / "store")
    session = make_store(location, request.param)
    case_id = a_case(session, request.param)
    yield request.param, session, case_id
    session.lock()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_country_and_language_prints_the_people_and_the_payment_details(
        country_store, language, tmp_path):
    country, session, case_id = country_store
    signatures = [Signature(SignerRole.RESIDENT, "Åsa Øberg-Nyström", "2026-11-29T10:00:00Z",
                            [[(0.1, 0.5, 0.5), (0.9, 0.5, 0.5)]])]
    _document, pdf = AgreementService(session).make(case_id, language, "", signatures)
    text = text_of(pdf, tmp_path, f"{country}-{language}")
    t = translations_for(language).gettext
    assert t("Advice service") in text and "Mediator" not in text
    assert language == "en" or t("Advice service") != "Advice service"
    assert "Anna Virtanen" in text and "+358 40 111 2222" in text
    assert "Asumisneuvoja" in text and "anna.virtanen@neuvonta.fi" in text
    assert "Advisor: anna" not in text
    iban, reference = PRINTED[country]
    assert iban in text and reference in text
    assert LANDLORDS[country].contact_person in text
    # A printed-name line for each signer: two residents' worth, the advisor, the landlord.
    assert text.count(t("Printed name")) == 3
    assert t("signs a printed copy, not here") in text
    assert BENEFITS[(country, language)] in text  # capitals kept
    assert "kela" not in text and "försäkringskassan" not in text
    assert "Kotikylä" in text  # the place: the tenancy's town
    if country == "SE":
        assert TWELVE_FORTY_FOUR[language] in text
    else:
        assert "jordabalken" not in text
    assert fonts_embedded(pdf, tmp_path)


def test_a_reissued_agreement_has_its_own_number_and_supersedes_the_first(location,
                                                                         tmp_path):
    session = make_store(location, "SE")
    case_id = a_case(session, "SE")
    service = AgreementService(session)
    first, _pdf = service.make(case_id, "sv")
    second, pdf = service.make(case_id, "en")
    assert first.number != second.number
    documents = {d.number: d for d in service.documents(case_id)}
    assert documents[first.number].superseded_by == second.number
    assert documents[second.number].superseded_by == ""
    assert documents[second.number].replaces == first.id
    text = text_of(pdf, tmp_path, "second")
    assert f"replaces agreement no. {first.number}" in text
    session.lock()


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_instalment_reads_in_the_singular(location, tmp_path, language):
    session = make_store(location, "DK")
    case_id = a_case(session, "DK", instalments=1)
    _document, pdf = AgreementService(session).make(case_id, language)
    text = text_of(pdf, tmp_path, language)
    singular = translations_for(language).gettext("1 instalment, on {first}.")
    assert singular.split("{first}")[0].strip() in text
    assert "1 instalments" not in text
    session.lock()


def test_instalments_already_due_are_found_before_sealing(location):
    session = make_store(location, "FI")
    case_id = a_case(session, "FI", first=date.today() - timedelta(days=40))
    due = AgreementService(session).due_already(case_id)
    assert len(due) == 2 and all(row.due_on <= date.today() for row in due)
    session.lock()


def test_the_command_line_warns_of_instalments_already_due(location, tmp_path):
    session = make_store(location, "FI")
    case_id = a_case(session, "FI", first=date.today() - timedelta(days=40))
    session.lock()
    result = run_unlocked(location.data_dir, "agreement", str(case_id), "--lang", "en",
                          "--out", str(tmp_path / "a.pdf"))
    assert result.returncode == 0, result.stderr
    assert "Warning: 2 instalments of the plan are already due" in result.stderr
