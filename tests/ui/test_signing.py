"""Signing on the screen with a mouse and with a pen, sealing, and the Documents tab."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from tests.helpers import intake
from tests.ui.conftest import when_modal
from ui.agreement_dialog import AgreementDialog
from ui.case_editor.documents_page import DocumentsPage
from ui.pdf_pages import page_count
from workbench.agreements.service import AgreementService
from workbench.cases.model import ArrearsComponent
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.schedule import PlanTerms, build_schedule
from workbench.plans.service import PlanService

PEN = QPointingDevice("test pen", 42, QInputDevice.DeviceType.Stylus,
                      QPointingDevice.PointerType.Pen, QInputDevice.Capability.Pressure, 1, 3)


def sign_with_mouse(pad) -> None:
    QTest.mousePress(pad, Qt.LeftButton, Qt.NoModifier, QPoint(20, 60))
    for x in range(25, 300, 15):
        QTest.mouseMove(pad, QPoint(x, 60 + (x % 40) - 20))
    QTest.mouseRelease(pad, Qt.LeftButton, Qt.NoModifier, QPoint(300, 60))


def sign_with_pen(pad) -> None:
    def send(kind, x, y, pressure) -> None:
        point = QPointF(x, y)
        event = QTabletEvent(kind, PEN, point, pad.mapToGlobal(point), pressure, 0, 0, 0, 0, 0,
                             Qt.NoModifier, Qt.LeftButton, Qt.LeftButton)
        QApplication.sendEvent(pad, event)

    send(QEvent.TabletPress, 30, 80, 0.2)
    for n, x in enumerate(range(40, 320, 20)):
        send(QEvent.TabletMove, x, 80 - n * 2, 0.2 + n * 0.05)
    send(QEvent.TabletRelease, 320, 50, 0.1)


def test_signing_on_the_pad_seals_a_valid_agreement(window, qtbot):
    cases = window.ctx.cases
    case_id = cases.create_case(intake(last_name="Allekirjoittaja", rent_arrears=600_00)).case.id
    rows = [PlanRow(i.due, i.amount)
            for i in build_schedule(PlanTerms(600_00, date(2026, 12, 1), 15, months=3))]
    PlanService(window.ctx.session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 600_00}, date(2026, 12, 1), 15, rows, months=3))
    window.open_case(case_id)
    page = window.editor.page_of(DocumentsPage)
    window.editor.show_page(page)
    made = {}

    def sign_and_seal(dialog: AgreementDialog) -> None:
        # First the pages to read, in the language chosen; no pads, nothing to seal yet.
        qtbot.waitUntil(lambda: len(dialog.pages) > 0, timeout=10000)
        assert not dialog.seal_button.isVisible() and not dialog.boxes[0].pad.isVisible()
        dialog.language.setFocus()
        qtbot.keyClicks(dialog.language, "sv")  # svenska
        assert dialog.language.currentData() == "sv"
        made["preview pages"] = page_count(dialog.preview_pdf)
        assert len(dialog.pages) == made["preview pages"]
        qtbot.mouseClick(dialog.sign_button, Qt.LeftButton)
        resident, advisor = dialog.boxes
        assert resident.pad.isVisible() and dialog.seal_button.isVisible()
        # What is sealed is what was read: no other language or place while signing.
        assert not dialog.language.isEnabled() and not dialog.place.isEnabled()
        assert not dialog.seal_button.isEnabled()  # nobody has signed yet
        sign_with_mouse(resident.pad)
        sign_with_pen(advisor.pad)
        pressures = {round(p, 2) for stroke in advisor.pad.strokes for _x, _y, p in stroke}
        assert len(pressures) > 3  # the pen's pressure was kept
        advisor.pad.undo_stroke()
        assert not dialog.seal_button.isEnabled()
        sign_with_pen(advisor.pad)
        assert dialog.seal_button.isEnabled()
        qtbot.mouseClick(dialog.seal_button, Qt.LeftButton)
        made["document"] = dialog.document

    when_modal(sign_and_seal)
    qtbot.mouseClick(next(b for b in page.findChildren(QPushButton)
                          if b.text() == "New agreement…"), Qt.LeftButton)
    document = made["document"]
    service = AgreementService(window.ctx.session)
    assert service.check(document.id).valid
    # What was sealed is what was read: the same pages.
    assert page_count(service.content(document.id)) == made["preview pages"]
    assert [s["role"] for s in document.signers] == ["resident", "advisor"]

    assert page.table.rowCount() == 1
    assert page.table.item(0, 4).text() == "Valid"
    assert page.table.item(0, 2).text() == "Swedish"
