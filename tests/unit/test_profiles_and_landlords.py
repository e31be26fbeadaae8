"""Users' profiles and landlords' contact and payment details: checked, kept, audited."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, FAST_KDF, PASSPHRASE, make_store
from tests.integration.cli import run_unlocked
from workbench import payments
from workbench.cases.model import Landlord, LandlordKind
from workbench.cases.service import CaseService
from workbench.errors import FieldError, PermissionDenied, ValidationError
from workbench.profiles import Profile, ProfileService
from workbench.session import Role, unlock
from workbench.users import UserService


def audit_actions(session) -> list[str]:
    return [row[0] for row in session.db.all("SELECT action FROM audit_log ORDER BY id")]


def test_a_user_saves_their_own_details_in_one_audited_action(session):
    service = ProfileService(session)
    assert service.profile(ADMIN) == Profile(ADMIN)
    assert service.profile(ADMIN).display_name == ADMIN
    before = len(audit_actions(session))
    service.set_profile(Profile(ADMIN, "Anna  Virtanen", "Asumisneuvoja", "+358 40 111 2222",
                                "anna.virtanen@example.fi", "Kauppakatu 1, 00100 Helsinki"))
    assert audit_actions(session)[before:] == ["user.profile"]
    saved = service.profile(ADMIN)
    assert saved.full_name == "Anna Virtanen" and saved.display_name == "Anna Virtanen"
    assert saved.phone == "+358 40 111 2222"
    with pytest.raises(FieldError) as raised:
        service.set_profile(Profile(ADMIN, email="not an address"))
    assert raised.value.field == "email"


def test_only_an_admin_changes_somebody_elses_details(location):
    session = make_store(location)
    UserService(session, kdf=FAST_KDF).add_user("ben", {Role.ADVISOR}, "bens long passphrase")
    ProfileService(session).set_profile(Profile("ben", full_name="Ben Berg"))  # admin: yes
    session.lock()
    ben = unlock(location, "ben", "bens long passphrase")
    ProfileService(ben).set_profile(Profile("ben", full_name="Benjamin Berg", title="Rådgivare"))
    with pytest.raises(PermissionDenied):
        ProfileService(ben).set_profile(Profile(ADMIN, full_name="Mallory"))
    assert ProfileService(ben).profile(ADMIN).full_name == ""
    ben.lock()
    anna = unlock(location, ADMIN, PASSPHRASE)
    with pytest.raises(ValidationError):
        ProfileService(anna).set_profile(Profile("nobody", full_name="X"))
    anna.lock()


def test_the_command_line_sets_and_shows_a_profile(location):
    make_store(location).lock()
    result = run_unlocked(location.data_dir, "users", "profile", ADMIN, "--full-name",
                          "Anna Virtanen", "--title", "Asumisneuvoja", "--phone",
                          "+358 40 111 2222", "--email", "anna@example.fi", "--address",
                          "Kauppakatu 1, 00100 Helsinki")
    assert result.returncode == 0, result.stderr
    assert "Full name: Anna Virtanen" in result.stdout
    shown = run_unlocked(location.data_dir, "users", "profile", ADMIN)
    assert "Phone: +358 40 111 2222" in shown.stdout and "Title: Asumisneuvoja" in shown.stdout
    bad = run_unlocked(location.data_dir, "users", "profile", ADMIN, "--email", "nope")
    assert bad.returncode == 2 and "e-mail" in bad.stderr


@pytest.mark.parametrize(("country", "text", "kind", "printed"), [
    ("FI", "12345672", payments.ReferenceKind.VIITENUMERO, "123 45672"),
    ("FI", "RF18 5390 0754 7034", payments.ReferenceKind.RF, "RF18 5390 0754 7034"),
    ("SE", "1234567897", payments.ReferenceKind.OCR, "1234567897"),
    ("DK", "+71<000000000123455+12345678<", payments.ReferenceKind.FI_KORT,
     "+71<000000000123455+12345678<"),
    ("DK", "Lejemål 4-117", payments.ReferenceKind.OWN, "Lejemål 4-117"),
])
def test_payment_references_follow_each_countrys_scheme(country, text, kind, printed):
    reference = payments.check_reference(text, country)
    assert (reference.kind, reference.printed) == (kind, printed)


@pytest.mark.parametrize(("country", "text"), [
    ("FI", "12345673"),  # wrong viitenumero check digit
    ("FI", "RF19 5390 0754 7034"),
    ("SE", "1234567898"),  # wrong OCR check digit
    ("DK", "+71<000000000123456+12345678<"),
    ("DK", "+71<123+12345678<"),
])
def test_a_wrong_check_digit_is_refused(country, text):
    with pytest.raises(FieldError):
        payments.check_reference(text, country)


def test_a_landlord_keeps_contact_and_checked_payment_details(session):
    cases = CaseService(session)
    landlord = cases.add_landlord(Landlord("Vuokrakodit Oy", LandlordKind.PRIVATE))
    landlord.contact_person, landlord.phone = "Pekka Perijä", "+358 9 123 4567"
    landlord.email, landlord.address = "perinta@vuokrakodit.fi", "Satamakatu 2, 00160 Helsinki"
    landlord.iban, landlord.payment_reference = "fi21 1234 5600 0007 85", "1234 5672"
    cases.update_landlord(landlord)
    saved = cases.landlord(landlord.id)
    assert saved.iban == "FI2112345600000785" and saved.payment_reference == "12345672"
    assert saved.contact_person == "Pekka Perijä"
    assert audit_actions(session)[-1] == "landlord.update"
    for field, value in (("iban", "FI21 1234 5600 0007 86"), ("payment_reference", "12345673"),
                         ("bankgiro", "5050-1055")):  # a bankgiro is Swedish
        with pytest.raises(FieldError) as raised:
            cases.update_landlord(Landlord(saved.name, saved.kind, id=saved.id,
                                           **{field: value}))
        assert raised.value.field == field


def test_a_swedish_landlord_takes_a_bankgiro_and_an_ocr_number(location):
    session = make_store(location, "SE")
    cases = CaseService(session)
    landlord = cases.add_landlord(Landlord("Hyresbostäder AB", LandlordKind.MUNICIPAL,
                                           bankgiro="5050-1055", payment_reference="1234567897"))
    assert cases.landlord(landlord.id).bankgiro == "50501055"
    assert payments.format_bankgiro("50501055") == "5050-1055"
    session.lock()
