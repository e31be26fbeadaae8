"""My details, a landlord's payment details, a re-issued agreement and plans already due,
clicked as a person does."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from tests.helpers import intake
from tests.ui.conftest import type_into, when_modal
from tests.ui.test_signing import sign_with_mouse
from ui.agreement_dialog import AgreementDialog
from ui.case_editor.documents_page import DocumentsPage
from ui.case_editor.tenancy import LandlordDialog, TenancyPage
from ui.dialogs import Dialogs
from ui.settings_dialog import SettingsDialog
from workbench.agreements.service import AgreementService
from workbench.cases.model import ArrearsComponent
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.service import PlanService
from workbench.profiles import ProfileService


def button(widget, text: str) -> QPushButton:
    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def test_my_details_are_saved_from_settings(window, qtbot):
    dialog = SettingsDialog(window.ctx.preferences, window, window.ctx.session)
    qtbot.addWidget(dialog)
    dialog.show()
    for name, text in (("full_name", "Anna Virtanen"), ("title", "Asumisneuvoja"),
                       ("phone", "+358 40 111 2222"), ("email", "anna@neuvonta.fi"),
                       ("address", "Kauppakatu 1, 00100 Helsinki")):
        field = dialog.findChild(QLineEdit, f"my_{name}")
        field.clear()
        type_into(qtbot, field, text)
    qtbot.mouseClick(button(dialog, "Save my details"), Qt.LeftButton)
    profile = ProfileService(window.ctx.session).profile("anna")
    assert profile.full_name == "Anna Virtanen" and profile.phone == "+358 40 111 2222"
    assert profile.address == "Kauppakatu 1, 00100 Helsinki"
    assert dialog.findChild(QLabel, "my_status").text() == "Saved."


def open_tenancy(window):
    case_id = window.ctx.cases.create_case(intake(last_name="Vuokralainen")).case.id
    window.open_case(case_id)
    page = window.editor.page_of(TenancyPage)
    window.editor.show_page(page)
    return case_id, page


def test_a_landlord_gets_checked_payment_details_in_the_landlord_dialog(window, qtbot):
    _case_id, page = open_tenancy(window)
    editor = page.landlord
    assert not editor.edit_button.isEnabled()  # no landlord chosen yet

    def fill(dialog: LandlordDialog) -> None:
        widgets = {name: e.widget for name, e in dialog.editors.items()}
        type_into(qtbot, widgets["name"], "Vuokrakodit Oy")
        type_into(qtbot, widgets["contact_person"], "Pekka Perijä")
        type_into(qtbot, widgets["iban"], "FI21 1234 5600 0007 86")  # a wrong digit
        type_into(qtbot, widgets["payment_reference"], "1234 5672")
        qtbot.mouseClick(button(dialog, "Save"), Qt.LeftButton)
        assert dialog.isVisible()  # refused, the reason shown beside the field
        assert dialog.rows["iban"].error.isVisible()
        assert "IBAN" in dialog.rows["iban"].error.text()
        widgets["iban"].clear()
        type_into(qtbot, widgets["iban"], "FI21 1234 5600 0007 85")
        qtbot.mouseClick(button(dialog, "Save"), Qt.LeftButton)

    when_modal(fill)
    qtbot.mouseClick(editor.add_button, Qt.LeftButton)
    landlord = next(x for x in window.ctx.cases.landlords() if x.name == "Vuokrakodit Oy")
    assert landlord.name == "Vuokrakodit Oy" and landlord.iban == "FI2112345600000785"
    assert landlord.payment_reference == "12345672"
    assert editor.value() == landlord.id and editor.edit_button.isEnabled()

    def change(dialog: LandlordDialog) -> None:
        phone = dialog.editors["phone"].widget
        assert dialog.editors["iban"].widget.text() == "FI21 1234 5600 0007 85"
        type_into(qtbot, phone, "+358 9 310 1234")
        qtbot.mouseClick(button(dialog, "Save"), Qt.LeftButton)

    when_modal(change)
    qtbot.mouseClick(editor.edit_button, Qt.LeftButton)
    assert window.ctx.cases.landlord(landlord.id).phone == "+358 9 310 1234"


def a_plan(window, case_id: int, first: date) -> None:
    rows = [PlanRow(first + timedelta(days=31 * n), 200_00) for n in range(3)]
    PlanService(window.ctx.session).save_revision(case_id, PlanDraft(
        {ArrearsComponent.RENT: 600_00}, first, first.day, rows, months=3))


def open_documents(window, first: date):
    case_id = window.ctx.cases.create_case(intake(last_name="Sopija",
                                                  rent_arrears=600_00)).case.id
    a_plan(window, case_id, first)
    window.open_case(case_id)
    page = window.editor.page_of(DocumentsPage)
    window.editor.show_page(page)
    return case_id, page


def sign_all_and_seal(qtbot):
    def act(dialog: AgreementDialog) -> None:
        qtbot.mouseClick(dialog.sign_button, Qt.LeftButton)  # read, then to the pads
        for box in dialog.boxes:
            sign_with_mouse(box.pad)
        qtbot.mouseClick(dialog.seal_button, Qt.LeftButton)
    return act


def test_a_reissued_agreement_marks_the_earlier_one_superseded(window, qtbot):
    _case_id, page = open_documents(window, date.today() + timedelta(days=20))
    for _issue in range(2):
        when_modal(sign_all_and_seal(qtbot))
        qtbot.mouseClick(button(page, "New agreement…"), Qt.LeftButton)
    assert page.table.rowCount() == 2
    first, second = page.documents
    assert first.number != second.number
    assert page.table.item(0, 1).text().endswith(f"superseded by {second.number}")
    assert page.table.item(1, 1).text().endswith(f"replaces {first.number}")


def test_sealing_a_plan_with_instalments_already_due_asks_first(window, qtbot):
    case_id, page = open_documents(window, date.today() - timedelta(days=40))
    Dialogs.answer_next(False)  # "two instalments are already due… seal anyway?" – no
    asked = {}

    def act(dialog: AgreementDialog) -> None:
        qtbot.mouseClick(dialog.sign_button, Qt.LeftButton)  # read, then to the pads
        for box in dialog.boxes:
            sign_with_mouse(box.pad)
        qtbot.mouseClick(dialog.seal_button, Qt.LeftButton)
        asked["still open"] = dialog.isVisible()  # back to the dialog, nothing sealed
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel),
                         Qt.LeftButton)

    when_modal(act)
    qtbot.mouseClick(button(page, "New agreement…"), Qt.LeftButton)
    assert asked == {"still open": True}
    assert AgreementService(window.ctx.session).documents(case_id) == []


def test_the_landlord_signing_here_needs_a_printed_name(window, qtbot):
    case_id, page = open_documents(window, date.today() + timedelta(days=20))

    def act(dialog: AgreementDialog) -> None:
        qtbot.mouseClick(dialog.sign_button, Qt.LeftButton)  # read, then to the pads
        for box in dialog.boxes:
            sign_with_mouse(box.pad)
        check = dialog.landlord_present
        qtbot.mouseClick(check, Qt.LeftButton, pos=QPoint(8, check.height() // 2))
        assert check.isChecked() and dialog.landlord_box.isVisible()
        sign_with_mouse(dialog.landlord_box.pad)
        assert not dialog.seal_button.isEnabled()  # whose signature is it?
        type_into(qtbot, dialog.landlord_name, "Pekka Perijä")
        assert dialog.seal_button.isEnabled()
        qtbot.mouseClick(dialog.seal_button, Qt.LeftButton)

    when_modal(act)
    qtbot.mouseClick(button(page, "New agreement…"), Qt.LeftButton)
    [document] = AgreementService(window.ctx.session).documents(case_id)
    assert {"role": "landlord", "name": "Pekka Perijä"}.items() <= next(
        s for s in document.signers if s["role"] == "landlord").items()
