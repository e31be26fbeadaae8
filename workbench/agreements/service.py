"""Agreement actions: make and seal an agreement for a case's plan, keep documents, check
seals, attach scanned copies. Documents live inside the encrypted store."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from workbench import payments
from workbench.agreements import identity as identities
from workbench.agreements.signatures import Signature, SignerRole
from workbench.cases import rows
from workbench.cases.model import (
    ConsentParty,
    Landlord,
    LandlordKind,
    MemberRole,
    Outcome,
    OutcomeRecord,
)
from workbench.cases.service import CaseService, RecordNotFound
from workbench.errors import DiskFull, FileProblem, StoreError, ValidationError
from workbench.i18n import LANGUAGES, N_, translations_for
from workbench.labels import country_named, label_in
from workbench.paths import resources_dir
from workbench.plans.model import PlanRow
from workbench.plans.service import PlanService
from workbench.profiles import ProfileService
from workbench.session import Session
from workbench.store.files import atomic_output

if TYPE_CHECKING:  # (drawing, sealing and checking are imported when first used: pyHanko
    # and reportlab are a large part of the window's memory and start-up)
    from workbench.agreements.render import AgreementData
    from workbench.agreements.verify import Verdict

MAX_SCAN_BYTES = 25 * 1024 * 1024
SCAN_TYPES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg",
              b"\x89PNG\r\n\x1a\n": "image/png"}


class NoPlan(ValidationError):
    template = N_("Case {id} has no payment plan yet; make one in the Plan section first.")


class UnknownLanguage(ValidationError):
    template = N_("Agreements are written in Finnish, Swedish, Danish or English (fi, sv, "
                  "da, en).")


class NotAScan(ValidationError):
    template = N_("Only PDF, JPEG and PNG files up to 25 MB can be attached.")


class StoredButNotWritten(StoreError):
    """The agreement is in the case; only its copy on disk is missing."""

    # Translators: {number} is the agreement's number, {path} a file, {detail} the
    # operating system's reason.
    template = N_("Agreement {number} was sealed and kept in case {case}, but {path} could "
                  "not be written: {detail}. Export a copy with “Export a copy…” on the "
                  "case's Documents tab; making the agreement again would give it a new "
                  "number.")


@dataclass(frozen=True)
class Document:
    id: int
    case_id: int
    kind: str
    number: str
    language: str
    created_at: str
    filename: str
    mime: str
    signers: list[dict]
    replaces: int | None = None  # the agreement this one re-issues
    superseded_by: str = ""  # the number of the agreement that replaced this one


def load_clauses(country: str, language: str) -> list[dict]:
    """The clauses of ``country``'s law in ``language`` (``resources/clauses/FI/sv.json``
    is a Finnish agreement in Swedish)."""
    path = resources_dir() / "clauses" / country / f"{language}.json"
    return json.loads(path.read_text("utf-8"))["clauses"]


class AgreementService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.db = session.db

    def _may(self, action: str) -> None:
        self.session.require_case_work(action)

    # --- making an agreement -------------------------------------------------------------

    def draft(self, case_id: int, language: str, place: str = "",
              signatures: list[Signature] | None = None) -> AgreementData:
        """What the agreement for the case's plan in force will say."""
        self._may(N_("see case data"))
        if language not in LANGUAGES:
            raise UnknownLanguage()
        file = CaseService(self.session).open_case(case_id)
        plan = PlanService(self.session).current(case_id)
        if plan is None:
            raise NoPlan(id=case_id)
        organisation = self.session.organisation
        country = organisation.country
        residents = _residents(file)
        landlord = file.landlord or Landlord("", LandlordKind.OTHER)
        profile = ProfileService(self.session).profile(self.session.user.name)
        policy = self.session.policy
        values = {"organisation": organisation.name, "advisor": profile.display_name,
                  "landlord": landlord.name, "grace": policy["grace_days"],
                  "broken_after": policy["broken_after"]}
        clauses = [(c["title"], c["text"].format(**values))
                   for c in load_clauses(country, language)]
        share = [c.scope if c.party is ConsentParty.OTHER and c.scope
                 else _in_sentence(label_in(c.party, language, country), c.party)
                 for c in file.consents if c.active]
        reference = payments.check_reference(landlord.payment_reference, country)
        previous = self._current_agreement(case_id)
        from workbench.agreements.render import AgreementData

        return AgreementData(
            number=self._next_number(case_id), language=language, country=country,
            currency=organisation.currency, organisation=organisation.name,
            advisor=profile.display_name, residents=residents, landlord=landlord.name,
            landlord_reference=file.tenancy.landlord_reference if file.tenancy else "",
            address=file.tenancy.address if file.tenancy else "",
            components=dict(plan.components), rows=list(plan.rows),
            monthly_rent=plan.monthly_rent, clauses=clauses, share_with=share,
            # The place defaults to the tenancy's town, where the resident lives.
            place=place or (file.tenancy.city if file.tenancy else ""), made_on=date.today(),
            signatures=signatures or [], advisor_title=profile.title,
            advisor_phone=profile.phone, advisor_email=profile.email,
            office_address=profile.address, landlord_contact=landlord.contact_person,
            landlord_phone=landlord.phone, landlord_email=landlord.email,
            landlord_address=landlord.address, iban=payments.format_iban(landlord.iban),
            bankgiro=payments.format_bankgiro(landlord.bankgiro),
            payment_reference=reference.printed if reference else "",
            reference_kind=reference.kind.value if reference else "",
            replaces=previous[1] if previous else "")

    def due_already(self, case_id: int, on: date | None = None) -> list[PlanRow]:
        """Instalments of the plan in force that are due on or before ``on`` (today): an
        agreement sealed now would print them as dates already passed."""
        self._may(N_("see case data"))
        plan = PlanService(self.session).current(case_id)
        on = on or date.today()
        return [row for row in plan.rows if row.due_on <= on] if plan else []

    def _current_agreement(self, case_id: int) -> tuple[int, str] | None:
        """The case's latest agreement that no later one replaces: (id, number)."""
        row = self.db.one(
            "SELECT id, number FROM documents d WHERE case_id = ? AND kind = 'agreement' "
            "AND NOT EXISTS (SELECT 1 FROM documents n WHERE n.replaces = d.id) "
            "ORDER BY created_at DESC, id DESC LIMIT 1", (case_id,))
        return (row[0], row[1]) if row else None

    def _next_number(self, case_id: int) -> str:
        """Every issued document its own number: country, year, case and the case's n-th
        agreement (FI-2026-000016-3); never one that is taken."""
        country = self.session.organisation.country
        issued = self.db.scalar("SELECT count(*) FROM documents WHERE case_id = ? AND "
                                "kind = 'agreement'", (case_id,)) or 0
        base = f"{country}-{date.today().year}-{case_id:06d}"
        if self.session.sync_device is not None:
            # Case ids are this laptop's own; the laptop's name (unique in the team) keeps
            # numbers made on two laptops apart: FI-2026-VISIT-000016-1.
            from workbench.sync import state
            base = (f"{country}-{date.today().year}-"
                    f"{state.get(self.db, 'device_name').upper()}-{case_id:06d}")
        taken = {row[0] for row in self.db.all(
            "SELECT number FROM documents WHERE number LIKE ?", (f"{base}-%",))}
        return next(f"{base}-{n}" for n in range(issued + 1, issued + len(taken) + 2)
                    if f"{base}-{n}" not in taken)

    def signers(self, case_id: int) -> list[tuple[SignerRole, str]]:
        """Who signs on the screen, in the agreement's order: each resident (the tenant
        and a partner), then the advisor under their profile's full name (the landlord's
        representative may be added by whoever is there)."""
        self._may(N_("see case data"))
        file = CaseService(self.session).open_case(case_id)
        advisor = ProfileService(self.session).profile(self.session.user.name).display_name
        return [(SignerRole.RESIDENT, name) for name in _residents(file)] + \
            [(SignerRole.ADVISOR, advisor)]

    def preview(self, case_id: int, language: str, place: str = "") -> bytes:
        """The pages the resident reads before signing: the agreement as it will be
        sealed, with the signature boxes still empty. Nothing is stored."""
        from workbench.agreements.render import render

        return render(self.draft(case_id, language, place))

    def make(self, case_id: int, language: str, place: str = "",
             signatures: list[Signature] | None = None,
             out: Path | None = None) -> tuple[Document, bytes]:
        """Render, seal and keep the agreement; returns the stored document and its bytes.

        With ``out``, the sealed file is written there too, in an order that keeps what the
        user is told true: the file is written in full beside ``out`` first, then the
        document is stored, then the file takes its name. A full disk or an unwritable
        ``out`` therefore stores nothing, so trying again makes the agreement once. Only if
        that last rename fails is the agreement kept without its file, and
        ``StoredButNotWritten`` says so.
        """
        from workbench.agreements.render import render
        from workbench.agreements.seal import seal

        self._may(N_("make agreements"))
        stored: tuple[int, str] | None = None
        try:
            with contextlib.ExitStack() as output:
                tmp = output.enter_context(atomic_output(out)) if out is not None else None
                # Drafted inside the transaction, so the number is still free when stored.
                with self.session.action("agreement.make", "case", case_id):
                    data = self.draft(case_id, language, place, signatures)
                    identity = identities.load_identity(self.session)
                    t = translations_for(language).gettext
                    pdf = seal(render(data), identity,
                               t(N_("Payment agreement for rent arrears")), data.place)
                    if tmp is not None:
                        _write_synced(tmp, pdf)
                    plan = PlanService(self.session).current(case_id)
                    signers = [{"role": s.role.value, "name": s.name, "signed_at": s.signed_at}
                               for s in data.signatures if not s.empty]
                    previous = self._current_agreement(case_id)
                    document_id = self.db.execute(
                        "INSERT INTO documents (case_id, kind, number, language, plan_id, "
                        "signers, filename, mime, content, replaces) "
                        "VALUES (?, 'agreement', ?, ?, ?, ?, ?, ?, ?, ?)",
                        (case_id, data.number, language, plan.id, json.dumps(signers),
                         f"{data.number}.pdf", "application/pdf", pdf,
                         previous[0] if previous else None)).lastrowid
                    # A sealed agreement is the payment plan made: the case's outcome says
                    # so in the same action (and the quarter's figures count it).
                    if self.db.one("SELECT 1 FROM outcomes WHERE case_id = ? AND outcome = ?",
                                   (case_id, Outcome.PAYMENT_PLAN_MADE.value)) is None:
                        rows.insert(self.db, OutcomeRecord(case_id, Outcome.PAYMENT_PLAN_MADE,
                                                           date.today()))
                stored = (document_id, data.number)
        except (DiskFull, FileProblem) as error:
            if stored is None:
                raise  # nothing was stored: the message saying so is true
            cause = error.__cause__
            detail = getattr(cause, "strerror", None) or str(cause or error.message())
            raise StoredButNotWritten(number=stored[1], case=case_id, path=str(out),
                                      detail=detail) from error
        return self.document(stored[0]), pdf

    # --- documents -----------------------------------------------------------------------

    def documents(self, case_id: int) -> list[Document]:
        self._may(N_("see case data"))
        return [_document(row) for row in self.db.all(
            f"SELECT {_COLUMNS} FROM documents d WHERE case_id = ? ORDER BY created_at, id",
            (case_id,))]

    def document(self, document_id: int) -> Document:
        self._may(N_("see case data"))
        row = self.db.one(f"SELECT {_COLUMNS} FROM documents d WHERE id = ?", (document_id,))
        if row is None:
            raise RecordNotFound()
        return _document(row)

    def content(self, document_id: int) -> bytes:
        self._may(N_("see case data"))
        row = self.db.one("SELECT content FROM documents WHERE id = ?", (document_id,))
        if row is None:
            raise RecordNotFound()
        return bytes(row[0])

    def check(self, document_id: int) -> Verdict:
        """The seal's state, checked now against the organisation's certificate."""
        from workbench.agreements.verify import verify

        return verify(self.content(document_id),
                      identities.load_identity(self.session).certificates_pem)

    def attach_scan(self, case_id: int, filename: str, content: bytes) -> Document:
        """A paper copy signed by hand, scanned: kept encrypted like every document."""
        self._may(N_("edit cases"))
        mime = next((kind for magic, kind in SCAN_TYPES.items() if content.startswith(magic)),
                    None)
        if mime is None or len(content) > MAX_SCAN_BYTES:
            raise NotAScan()
        CaseService(self.session).open_case(case_id)
        with self.session.action("document.attach", "case", case_id):
            document_id = self.db.execute(
                "INSERT INTO documents (case_id, kind, filename, mime, content) "
                "VALUES (?, 'scan', ?, ?, ?)", (case_id, filename, mime, content)).lastrowid
        return self.document(document_id)


def _write_synced(path: Path, content: bytes) -> None:
    """Write and flush to the disk, so a full disk shows here rather than later."""
    with open(path, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())


def _in_sentence(text: str, party: ConsentParty | None = None) -> str:
    """A label as it reads inside a sentence: "Landlord" → "landlord"; an authority's
    name (Kela, Försäkringskassan, Udbetaling Danmark) and an acronym keep their capitals."""
    if (party is not None and country_named(party)) or (len(text) > 1 and text[1].isupper()):
        return text
    return text[:1].lower() + text[1:]


_COLUMNS = ("id, case_id, kind, number, language, created_at, filename, mime, signers, "
            "replaces, (SELECT n.number FROM documents n WHERE n.replaces = d.id "
            "ORDER BY n.id DESC LIMIT 1) AS superseded_by")


def _document(row) -> Document:
    return Document(row["id"], row["case_id"], row["kind"], row["number"], row["language"],
                    row["created_at"], row["filename"], row["mime"], json.loads(row["signers"]),
                    row["replaces"], row["superseded_by"] or "")


def _residents(file) -> list[str]:
    """The tenant and a partner living with them: the residents who sign."""
    return [file.person.full_name] + [m.name for m in file.members
                                      if m.role is MemberRole.PARTNER and m.name]
