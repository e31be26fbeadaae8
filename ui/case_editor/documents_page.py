"""Documents: sealed agreements and scanned copies, with each seal checked on display.

Documents stay inside the encrypted store. Opening or printing one goes through a private
temporary copy (ui.private_copies) that is removed when the window locks or the program
closes; exporting writes a copy where the user chooses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.agreement_dialog import AgreementDialog
from ui.background import wait_for
from ui.case_editor.resident import LANGUAGE_NAMES
from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.pdf_pages import print_pdf
from workbench.agreements.seal_status import REASONS, SealStatus
from workbench.agreements.service import AgreementService, Document
from workbench.cases.model import CaseFile
from workbench.i18n import N_, _, format_datetime, pgettext
from workbench.store.files import os_errors_as_user_errors, write_atomically

PRINT_DPI = 300
KINDS = {"agreement": N_("Agreement"), "scan": N_("Signed copy (scan)")}
SEAL_TEXT = {SealStatus.VALID: N_("Valid"), SealStatus.CHANGED: N_("Changed"),
             SealStatus.UNKNOWN_SIGNER: N_("Unknown signer"), SealStatus.NO_SEAL: N_("No seal"),
             SealStatus.UNREADABLE: N_("Unreadable")}


class DocumentsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        self.documents: list[Document] = []
        self.seals: dict[int, SealStatus] = {}
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Date"), _("Document"), _("Language"),
                                              _("Signed by"), _("Seal")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for text, slot in ((_("New agreement…"), self.new_agreement),
                           (pgettext("a document", "Open"), self.open),
                           (pgettext("a document", "Pr&int…"), self.print),
                           (_("Export a copy…"), self.export),
                           (_("Attach a signed copy…"), self.attach)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def load(self, file: CaseFile) -> None:
        self.file = file
        self.documents = AgreementService(self.ctx.session).documents(file.case.id)
        if self.isVisible():
            self._check_seals()
        self._fill()

    def showEvent(self, event: QShowEvent) -> None:  # (Qt's name)
        super().showEvent(event)
        if self._check_seals():
            self._fill()

    def _check_seals(self) -> bool:
        """Each agreement's seal checked once, when the section is first shown (checking
        loads pyHanko and reads the whole file: not for every case opened)."""
        unchecked = [d for d in self.documents
                     if d.kind == "agreement" and d.id not in self.seals]
        service = AgreementService(self.ctx.session)
        for document in unchecked:
            self.seals[document.id] = service.check(document.id).status
        return bool(unchecked)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.documents))
        numbers = {d.id: d.number for d in self.documents}
        for row, document in enumerate(self.documents):
            seal = self.seals.get(document.id)
            signers = ", ".join(s["name"] for s in document.signers)
            when = format_datetime(_utc(document.created_at), self.ctx.locale, "short")
            language = _(LANGUAGE_NAMES[document.language]) if document.language else ""
            name = f"{_(KINDS[document.kind])} {document.number or document.filename}"
            if document.superseded_by:
                # An agreement issued again: the earlier one no longer applies.
                name += " · " + _("superseded by {number}").format(
                    number=document.superseded_by)
            elif document.replaces in numbers:
                name += " · " + _("replaces {number}").format(number=numbers[document.replaces])
            texts = (when, name, language, signers, _(SEAL_TEXT[seal]) if seal else "–")
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if column == 4 and seal:
                    item.setToolTip(_(REASONS[seal]))
                if document.superseded_by:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)

    def commit(self) -> bool:
        return True

    def _selected(self) -> Document | None:
        row = self.table.currentRow()
        return self.documents[row] if 0 <= row < len(self.documents) else None

    def new_agreement(self) -> None:
        if self.file is None:
            return
        dialog = AgreementDialog(self.ctx, self.file, self)
        if dialog.exec() and dialog.document is not None:
            self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))

    def _selected_content(self) -> tuple[Document, bytes] | tuple[None, None]:
        """The chosen document and its bytes (read from the store; a failure is shown)."""
        document = self._selected()
        if document is None:
            return None, None
        content = self.ctx.run(self, lambda: AgreementService(self.ctx.session)
                               .content(document.id))
        return (document, content) if content is not None else (None, None)

    def open(self) -> None:
        document, content = self._selected_content()
        if document is None:
            return
        name = document.filename or f"document-{document.id}"
        try:
            with os_errors_as_user_errors(Path(name)):
                path = self.ctx.copies.write(name, content)
        except Exception as error:
            show_failure(self, error)
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            Dialogs.warn(self, _("No program on this computer opens {name}. Install a PDF "
                                 "reader, or use Export a copy… to keep the file and open it "
                                 "elsewhere.").format(name=name))

    def print(self) -> None:
        """Straight to a printer, through Qt's print dialog: no PDF reader needed."""
        document, content = self._selected_content()
        if document is None:
            return
        if document.filename and not document.filename.lower().endswith(".pdf"):
            Dialogs.warn(self, _("Only PDF documents are printed from here; open {name} to "
                                 "print it.").format(name=document.filename))
            return
        printer = QPrinter(QPrinter.HighResolution)
        printer.setDocName(document.filename or _("Agreement"))
        if not Dialogs.choose_printer(self, printer, _("Print {name}").format(
                name=document.number or document.filename)):
            return
        printer.setResolution(PRINT_DPI)  # (a page at the printer's 1,200 dpi: 400 MB)
        try:
            wait_for(self, lambda: print_pdf(content, printer), _("Printing…"), _("Print"))
        except Exception as error:
            show_failure(self, error)

    def export(self) -> None:
        document = self._selected()
        if document is None:
            return
        target = Dialogs.save_file(self, _("Export a copy"), document.filename,
                                   _("Documents (*.pdf *.jpg *.png)"))
        if target is None:
            return
        try:
            write_atomically(target, AgreementService(self.ctx.session).content(document.id))
        except Exception as error:
            show_failure(self, error)

    def attach(self) -> None:
        if self.file is None:
            return
        source = Dialogs.open_file(self, _("Attach a signed copy"),
                                   _("Scans (*.pdf *.jpg *.jpeg *.png)"))
        if source is None:
            return
        try:
            AgreementService(self.ctx.session).attach_scan(self.file.case.id, source.name,
                                                           source.read_bytes())
        except Exception as error:
            show_failure(self, error)
            return
        self.ctx.case_saved.emit(self.ctx.cases.open_case(self.file.case.id))


def _utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
