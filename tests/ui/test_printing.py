"""Printing a document straight from the Documents section, through Qt's print dialog
(found: the only way was "Open and print", which needs a PDF reader on the laptop)."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from tests.ui.conftest import when_modal
from tests.ui.test_agreement_details import button, open_documents, sign_all_and_seal
from ui.dialogs import Dialogs
from ui.pdf_pages import page_count, page_images
from workbench.agreements.service import AgreementService


def choose_row(qtbot, page, row: int) -> None:
    item = page.table.item(row, 1)
    qtbot.mouseClick(page.table.viewport(), Qt.LeftButton,
                     pos=page.table.visualItemRect(item).center())


def test_a_sealed_agreement_prints_every_page(window, qtbot, tmp_path):
    case_id, page = open_documents(window, date.today() + timedelta(days=20))
    when_modal(sign_all_and_seal(qtbot))
    qtbot.mouseClick(button(page, "New agreement…"), Qt.LeftButton)
    [document] = AgreementService(window.ctx.session).documents(case_id)
    sealed = AgreementService(window.ctx.session).content(document.id)
    choose_row(qtbot, page, 0)
    printed = tmp_path / "printer.pdf"
    Dialogs.answer_next(str(printed))  # the print dialog: this "printer" writes a file
    qtbot.mouseClick(button(page, "Pr&int…"), Qt.LeftButton)
    assert printed.is_file()
    assert page_count(printed.read_bytes()) == page_count(sealed) >= 2
    first = page_images(printed.read_bytes(), 400)[0]
    dark = sum(1 for x in range(0, 400, 4) for y in range(0, first.height(), 4)
               if first.pixelColor(x, y).lightness() < 100)
    assert dark > 50  # the words are on the paper, not a blank page


def test_cancelling_the_print_dialog_prints_nothing(window, qtbot, tmp_path):
    _case_id, page = open_documents(window, date.today() + timedelta(days=20))
    when_modal(sign_all_and_seal(qtbot))
    qtbot.mouseClick(button(page, "New agreement…"), Qt.LeftButton)
    choose_row(qtbot, page, 0)
    Dialogs.answer_next(None)
    qtbot.mouseClick(button(page, "Pr&int…"), Qt.LeftButton)
    assert [kind for kind, _text in Dialogs.shown] == ["print"]
    assert not any(tmp_path.glob("*.pdf"))


def test_a_damaged_document_gets_a_message_not_a_blank_page(window, qtbot, tmp_path):
    _case_id, page = open_documents(window, date.today() + timedelta(days=20))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.7\n not a real document")
    Dialogs.answer_next(str(scan))
    qtbot.mouseClick(button(page, "Attach a signed copy…"), Qt.LeftButton)
    choose_row(qtbot, page, 0)
    printed = tmp_path / "printer.pdf"
    Dialogs.answer_next(str(printed), None)  # the print dialog, then the message
    qtbot.mouseClick(button(page, "Pr&int…"), Qt.LeftButton)
    kind, text = Dialogs.shown[-1]
    assert kind == "error"
    assert text == "The document cannot be shown or printed: its file is damaged."
    assert not printed.exists()  # nothing went to the printer
