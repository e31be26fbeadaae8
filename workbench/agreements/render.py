"""The agreement as a PDF (reportlab): in the document's own language, with an embedded
font, the parties, the arrears, the schedule (headers repeated on every page), the
organisation's clauses, consent to share, and signature blocks with vector signatures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from workbench.agreements.signatures import Signature, SignerRole
from workbench.cases.model import ArrearsComponent
from workbench.i18n import N_, format_date, format_money, locale_for, translations_for
from workbench.labels import label_in
from workbench.paths import resources_dir
from workbench.plans.model import PlanRow, to_pay

FONT, FONT_BOLD, FONT_ITALIC = "NotoSans", "NotoSans-Bold", "NotoSans-Italic"
INK = colors.HexColor("#1f2a37")
MUTED = colors.HexColor("#5b6675")
RULE = colors.HexColor("#c9d1da")
SHADE = colors.HexColor("#f1f4f7")


@dataclass
class AgreementData:
    number: str
    language: str
    country: str
    currency: str
    organisation: str
    advisor: str  # the advisor's full name (the user name until a profile gives one)
    residents: list[str]
    landlord: str
    landlord_reference: str
    address: str
    components: dict[ArrearsComponent, int]
    rows: list[PlanRow]
    monthly_rent: int
    clauses: list[tuple[str, str]]
    share_with: list[str]
    place: str
    made_on: date
    signatures: list[Signature] = field(default_factory=list)
    advisor_title: str = ""
    advisor_phone: str = ""
    advisor_email: str = ""
    office_address: str = ""
    landlord_contact: str = ""
    landlord_phone: str = ""
    landlord_email: str = ""
    landlord_address: str = ""
    iban: str = ""  # as printed, in groups of four
    bankgiro: str = ""  # as printed, NNNN-NNNN
    payment_reference: str = ""  # as printed
    reference_kind: str = ""  # a workbench.payments.ReferenceKind value
    replaces: str = ""  # the number of the agreement this one replaces

    @property
    def landlord_signed_here(self) -> bool:
        return any(s.role is SignerRole.LANDLORD and not s.empty for s in self.signatures)

    @property
    def total(self) -> int:
        return sum(self.components.values())

    def fingerprint(self) -> str:
        """A short digest of what was agreed, printed on every page."""
        content = {k: v for k, v in self.__dict__.items() if k != "signatures"}
        text = json.dumps(content, default=str, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16].upper()
        return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def _escaped(data: AgreementData) -> AgreementData:
    """Every typed text made safe for reportlab's markup: "<b>" in a place name or a
    partner's name is shown as written, never taken as formatting."""
    text = lambda value: escape(value) if isinstance(value, str) else value  # noqa: E731
    plain = {f.name: text(getattr(data, f.name)) for f in dataclasses.fields(data)
             if isinstance(getattr(data, f.name), str)}
    return dataclasses.replace(
        data, **plain, residents=[text(r) for r in data.residents],
        clauses=[(text(a), text(b)) for a, b in data.clauses],
        share_with=[text(s) for s in data.share_with])


@cache
def _register_fonts() -> None:
    folder = resources_dir() / "fonts"
    for name, file in ((FONT, "NotoSans-Regular.ttf"), (FONT_BOLD, "NotoSans-Bold.ttf"),
                       (FONT_ITALIC, "NotoSans-Italic.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD)


# The frame's usable width: A4 less 20 mm margins and the frame's own 6 pt paddings. Every
# table is exactly this wide, so no rule sticks out past the text.
WIDTH = A4[0] - 40 * mm - 12


def _cols(*fractions: float) -> list[float]:
    return [WIDTH * f for f in fractions]


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=13.5,
                              textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10.5,
                                    textColor=MUTED)
        self.title = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14.5,
                                    leading=18.5, spaceAfter=2)
        self.h2 = ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11.5,
                                 leading=15, spaceBefore=10, spaceAfter=4, keepWithNext=1)
        # Inside a KeepTogether, keepWithNext would group the heading a second time.
        self.h2_together = ParagraphStyle("h2t", parent=self.h2, keepWithNext=0)
        self.right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
        self.meta = ParagraphStyle("meta", parent=base, alignment=TA_RIGHT, fontSize=9,
                                   leading=12.5)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=12)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=FONT_BOLD)
        self.cell_right = ParagraphStyle("cellr", parent=self.cell, alignment=TA_RIGHT)


def render(data: AgreementData) -> bytes:
    """The agreement as PDF bytes."""
    _register_fonts()
    data = _escaped(data)
    catalog = translations_for(data.language)
    t = catalog.gettext
    locale = locale_for(data.language, data.country)
    money = lambda amount: format_money(amount, data.currency, locale)  # noqa: E731
    day = lambda value: format_date(value, locale, "long")  # noqa: E731
    styles = _Styles()
    title = t(N_("Payment agreement for rent arrears"))
    buffer = io.BytesIO()
    footer = _footer(t, data)
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=20 * mm, title=f"{title} {data.number}", author=data.organisation,
        subject=title, keywords=data.number, creator="Housing Advice Workbench",
        lang=data.language)
    story = _heading(t, data, styles, title, day)
    story += _parties(t, data, styles)
    story += _arrears(t, data, styles, money)
    story += _schedule(catalog, data, styles, money, locale)
    story += _conditions(t, data, styles)
    story += _signatures(t, data, styles, day)
    document.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    return buffer.getvalue()


def _heading(t, data, styles, title, day) -> list:
    number = t(N_("Agreement no."))
    meta = Table([[Paragraph(title, styles.title),
                   Paragraph(f"<b>{number}</b><br/>{data.number}<br/>"
                             f"{data.place}{', ' if data.place else ''}{day(data.made_on)}",
                             styles.meta)]],
                 colWidths=_cols(0.66, 0.34))
    meta.setStyle(_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                          ("LEFTPADDING", (0, 0), (-1, -1), 0),
                          ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    intro = t(N_("This agreement sets out how the rent arrears below are repaid. While the "
                 "resident keeps it, the landlord does not pursue eviction for these arrears."))
    story = [meta, Spacer(1, 3 * mm), _rule(), Spacer(1, 2 * mm), Paragraph(intro, styles.body)]
    if data.replaces:
        story.append(Paragraph(
            "<b>" + t(N_("This agreement replaces agreement no. {number}, which no longer "
                         "applies.")).format(number=data.replaces) + "</b>", styles.body))
    return story


def _section(heading: str, styles) -> list:
    """A section heading that never ends a page: with less than 35 mm left (room for the
    heading and a few lines), the section starts on the next page."""
    return [CondPageBreak(35 * mm), Paragraph(heading, styles.h2)]


def _lines(*parts: str) -> str:
    return "<br/>".join(part for part in parts if part)


def _labelled(label: str, value: str) -> str:
    return f"{label}: {value}" if value else ""


def _parties(t, data, styles) -> list:
    reference = t(N_("Landlord's reference"))
    advisor = _lines(
        f"<b>{data.advisor}</b>" + (f", {data.advisor_title}" if data.advisor_title else ""),
        _labelled(t(N_("Phone")), data.advisor_phone),
        _labelled(t(N_("E-mail")), data.advisor_email))
    landlord = _lines(
        f"<b>{data.landlord}</b>", data.landlord_address,
        _labelled(t(N_("Contact person")), data.landlord_contact),
        _labelled(t(N_("Phone")), data.landlord_phone),
        _labelled(t(N_("E-mail")), data.landlord_email),
        _labelled(reference, data.landlord_reference))
    rows = [
        [Paragraph(t(N_("Resident")) if len(data.residents) == 1 else t(N_("Residents")),
                   styles.cell_bold),
         Paragraph("<br/>".join(data.residents), styles.cell)],
        [Paragraph(t(N_("Address")), styles.cell_bold), Paragraph(data.address, styles.cell)],
        [Paragraph(t(N_("Landlord")), styles.cell_bold), Paragraph(landlord, styles.cell)],
    ]
    payment = _payment_details(t, data)
    if payment:
        rows.append([Paragraph(t(N_("Pay the instalments to")), styles.cell_bold),
                     Paragraph(payment, styles.cell)])
    rows += [
        [Paragraph(t(N_("Advice service")), styles.cell_bold),
         Paragraph(_lines(f"<b>{data.organisation}</b>", data.office_address), styles.cell)],
        [Paragraph(t(N_("Advisor")), styles.cell_bold), Paragraph(advisor, styles.cell)],
    ]
    return [*_section(t(N_("Parties")), styles), _grid(rows, _cols(0.26, 0.74))]


REFERENCE_LABELS = {"viitenumero": N_("Reference number"), "rf": N_("RF reference"),
                    "ocr": N_("OCR number"), "fi_kort": N_("FI-kort"),
                    "own": N_("Payment reference")}


def _payment_details(t, data) -> str:
    return _lines(
        _labelled(t(N_("Account (IBAN)")), data.iban),
        _labelled(t(N_("Bankgiro")), data.bankgiro),
        _labelled(t(REFERENCE_LABELS.get(data.reference_kind, N_("Payment reference"))),
                  data.payment_reference))


def _arrears(t, data, styles, money) -> list:
    rows = [[Paragraph(label_in(component, data.language), styles.cell),
             Paragraph(money(amount), styles.cell_right)]
            for component, amount in data.components.items() if amount]
    rows.append([Paragraph(t(N_("Total to repay")), styles.cell_bold),
                 Paragraph(f"<b>{money(data.total)}</b>", styles.cell_right)])
    table = _grid(rows, _cols(0.74, 0.26))
    table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, INK)]))
    return [*_section(t(N_("Arrears")), styles), table]


def _schedule(catalog, data, styles, money, locale) -> list:
    t = catalog.gettext
    header = [t(N_("No.")), t(N_("Due date")), t(N_("Instalment")),
              t(N_("Rent")), t(N_("To pay that month"))]
    rows = [[Paragraph(f"<b>{text}</b>", styles.cell if n < 2 else styles.cell_right)
             for n, text in enumerate(header)]]
    for number, row in enumerate(data.rows, 1):
        # Numeric dates in tables, as each locale writes them (Swedish 2026-12-01).
        rows.append([str(number), format_date(row.due_on, locale, "short"), money(row.amount),
                     money(data.monthly_rent) if data.monthly_rent else "–",
                     money(to_pay(data.monthly_rent, row))])
    table = LongTable(rows, colWidths=_cols(0.09, 0.23, 0.22, 0.22, 0.24), repeatRows=1)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 1), (-1, -1), 9),
             ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
             ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
             ("LEFTPADDING", (0, 0), (0, -1), 0), ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE)]
    style += [("BACKGROUND", (0, n), (-1, n), SHADE) for n in range(2, len(rows), 2)]
    table.setStyle(TableStyle(style))
    summary = ""
    if data.rows:
        first = format_date(data.rows[0].due_on, locale, "long")
        last = format_date(data.rows[-1].due_on, locale, "long")
        if len(data.rows) == 1:
            summary = t(N_("1 instalment, on {first}.")).format(first=first)
        else:
            summary = catalog.ngettext(
                "{count} instalment, the first on {first} and the last on {last}.",
                "{count} instalments, the first on {first} and the last on {last}.",
                len(data.rows)).format(count=len(data.rows), first=first, last=last)
    return [*_section(t(N_("Payment schedule")), styles), Paragraph(summary, styles.body),
            Spacer(1, 2 * mm), table]


def _conditions(t, data, styles) -> list:
    story = _section(t(N_("Conditions")), styles)
    for number, (heading, text) in enumerate(data.clauses, 1):
        # A clause never splits across pages.
        story.append(KeepTogether([Paragraph(f"<b>{number}. {heading}.</b> {text}",
                                             styles.body), Spacer(1, 1.5 * mm)]))
    if data.share_with:
        story += _section(t(N_("Consent")), styles)
        story.append(Paragraph(
            t(N_("The resident agrees that this agreement and information about how it is "
                 "kept may be shared with: {parties}.")).format(
                parties=", ".join(data.share_with)), styles.body))
    return story


def _signatures(t, data, styles, day) -> list:
    roles = [(SignerRole.RESIDENT, name) for name in data.residents]
    roles.append((SignerRole.ADVISOR, data.advisor))
    roles.append((SignerRole.LANDLORD, ""))
    captions = {SignerRole.RESIDENT: t(N_("Resident")), SignerRole.ADVISOR: t(N_("Advisor")),
                SignerRole.LANDLORD: t(N_("For the landlord"))}
    printed_label = t(N_("Printed name"))
    blocks = []
    for role, name in roles:
        signature = next((s for s in data.signatures if s.role is role and not s.empty
                          and (not name or s.name == name)), None)
        printed = escape(signature.name) if signature else name
        when = (day(date.fromisoformat(signature.signed_at[:10]))
                if signature and signature.signed_at else "")
        caption = captions[role]
        if role is SignerRole.LANDLORD:
            caption += " · " + (t(N_("signed here")) if signature else
                                t(N_("signs a printed copy, not here")))
        caption += f" · {when}" if when else ""
        blocks.append([SignatureBox(signature),
                       Paragraph(f"{printed_label}: {printed or ''}<br/>"
                                 f"<font color='#5b6675'>{caption}</font>", styles.cell)])
    cells = [blocks[i:i + 2] for i in range(0, len(blocks), 2)]
    rows = []
    for pair in cells:
        row = Table([[_stack(block) for block in pair] + ([""] if len(pair) == 1 else [])],
                    colWidths=_cols(0.5, 0.5))
        row.setStyle(_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        rows.append([row, Spacer(1, 4 * mm)])
    if not data.landlord_signed_here:
        note = Paragraph(t(N_("The landlord has not signed on this copy. The landlord's "
                              "undertaking applies once the landlord signs a printed copy, "
                              "which is then attached to the case.")), styles.small)
        rows[-1].append(note)
    # The heading, the place and date and the first signers stay on one page.
    head = [Paragraph(t(N_("Signatures")), styles.h2_together),
            Paragraph(f"{data.place}{', ' if data.place else ''}{day(data.made_on)}",
                      styles.body), Spacer(1, 3 * mm)]
    # (KeepTogether inside KeepTogether would always break the page: never nest them.)
    return [KeepTogether(head + rows[0]), *(KeepTogether(pair) for pair in rows[1:])]


def _stack(block) -> Table:
    box, caption = block
    inner = Table([[box], [caption]], colWidths=[WIDTH * 0.5 - 6 * mm])
    inner.setStyle(_style([("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                           ("TOPPADDING", (0, 1), (0, 1), 2)]))
    return inner


class SignatureBox(Flowable):
    """Space for a signature; a captured one is drawn as vector strokes."""

    def __init__(self, signature: Signature | None, width: float = 76 * mm,
                 height: float = 24 * mm) -> None:
        super().__init__()
        self.signature, self.width, self.height = signature, width, height

    def wrap(self, *_args):
        return self.width, self.height

    def draw(self) -> None:
        if self.signature is None or self.signature.empty:
            return
        canvas = self.canv
        # Fit the pad's shape into the box, keeping its proportions.
        scale_w = min(self.width, self.height * self.signature.aspect)
        scale_h = scale_w / self.signature.aspect
        canvas.setStrokeColor(colors.HexColor("#14306b"))
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        for stroke in self.signature.strokes:
            for (x1, y1, p1), (x2, y2, p2) in itertools.pairwise(stroke):
                canvas.setLineWidth(0.5 + 1.3 * (p1 + p2) / 2)
                canvas.line(x1 * scale_w, (1 - y1) * scale_h + 2, x2 * scale_w,
                            (1 - y2) * scale_h + 2)


def _style(commands: list) -> TableStyle:
    """A table style that uses the embedded font throughout (empty cells included)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


def _grid(rows, widths) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(_style([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _rule() -> Table:
    line = Table([[""]], colWidths=[WIDTH], rowHeights=[1])
    line.setStyle(_style([("LINEBELOW", (0, 0), (-1, -1), 1.2, INK)]))
    return line


def _footer(t, data) -> callable:
    text = t(N_("Page {page} / {pages}"))
    number = t(N_("Agreement no. {number}")).format(number=data.number)
    check = t(N_("Fingerprint {fingerprint}")).format(fingerprint=data.fingerprint())

    def draw(canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.line(20 * mm, 14 * mm, A4[0] - 20 * mm, 14 * mm)
        canvas.drawString(20 * mm, 10 * mm, f"{data.organisation} · {number} · {check}")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, text.format(page=page, pages=pages))
        canvas.restoreState()

    return draw


class _NumberedCanvas(pdfcanvas.Canvas):
    """Holds pages back until the end, so each footer can say "page x / y"."""

    def __init__(self, *args, footer, **kwargs) -> None:
        # The embedded font from the start: otherwise a page's initial Helvetica appears
        # in the file as a font that is not embedded.
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, page in enumerate(self._pages, 1):
            self.__dict__.update(page)
            self._footer(self, number, len(self._pages))
            super().showPage()
        super().save()
