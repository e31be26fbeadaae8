"""Signing an agreement on the spot: choose its language, read the pages with the resident,
let each signer sign on the pad, then seal. Works without any network.

Two steps in one dialog: the agreement's pages as they will be sealed (signature boxes still
empty), then the pads. The resident never signs a document they were not shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.background import wait_for
from ui.context import AppContext, show_failure
from ui.dialogs import Dialogs
from ui.language_names import LANGUAGE_NAMES
from ui.pdf_pages import page_images
from ui.preferences import AGREEMENT_LANGUAGE
from ui.signature_pad import SignaturePad
from workbench.agreements.service import AgreementService, Document
from workbench.agreements.signatures import SignerRole
from workbench.cases.model import CaseFile
from workbench.i18n import LANGUAGES, _, ngettext


class SignerBox(QGroupBox):
    def __init__(self, role: SignerRole, name: str, caption: str) -> None:
        super().__init__(f"{caption}: {name}" if name else caption)
        self.role, self.name = role, name
        layout = QHBoxLayout(self)
        self.pad = SignaturePad()
        layout.addWidget(self.pad, 1)
        buttons = QVBoxLayout()
        for text, slot in ((_("Undo stroke"), self.pad.undo_stroke), (_("Clear"), self.pad.clear)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)


class AgreementDialog(QDialog):
    def __init__(self, ctx: AppContext, file: CaseFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.file = ctx, file
        self.document: Document | None = None
        self.setWindowTitle(_("Sign the payment agreement"))
        self.setMinimumSize(720, 600)
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(960, screen.width() - 40), screen.height() - 60)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        preferred = (ctx.preferences.get(AGREEMENT_LANGUAGE) or file.person.language
                     or ctx.preferences.language())
        self.language.setCurrentIndex(max(0, self.language.findData(preferred)))
        # Where the agreement is made: the tenancy's town, not the office's.
        self.place = QLineEdit(file.tenancy.city if file.tenancy else "")
        form.addRow(_("Language of the agreement"), self.language)
        form.addRow(_("Place"), self.place)
        layout.addLayout(form)
        self.steps = QStackedWidget()
        self.steps.addWidget(self._reading_step())
        self.steps.addWidget(self._signing_step(file))
        layout.addWidget(self.steps, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.seal_button = self.buttons.button(QDialogButtonBox.Ok)
        self.seal_button.setText(_("Seal the agreement"))
        self.back_button = self.buttons.addButton(_("‹ &Back to the agreement"),
                                                  QDialogButtonBox.ActionRole)
        self.sign_button = self.buttons.addButton(_("&Sign…"), QDialogButtonBox.ActionRole)
        self.back_button.clicked.connect(lambda: self._go(0))
        self.sign_button.clicked.connect(lambda: self._go(1))
        self.buttons.accepted.connect(self.seal)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        # The pages follow the language and the place (typed: once typing pauses).
        self._redraw = QTimer(self, singleShot=True, interval=300)
        self._redraw.timeout.connect(self.show_pages)
        self.language.currentIndexChanged.connect(lambda _i: self.show_pages())
        self.place.textEdited.connect(lambda _text: self._redraw.start())
        self.preview_pdf: bytes | None = None
        self._go(0)
        self._update()
        QTimer.singleShot(0, self.show_pages)  # once the dialog has its size

    def _reading_step(self) -> QWidget:
        step, layout = _step(_("Read the agreement through with the resident. The signatures "
                               "come next; what is sealed is exactly these pages, signed."))
        self.pages_area = QScrollArea()
        self.pages_area.setObjectName("agreementPages")
        self.pages_area.setWidgetResizable(True)
        self.pages_area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        holder = QWidget()
        holder.setStyleSheet("background: palette(mid);")
        self.pages_layout = QVBoxLayout(holder)
        self.pages_layout.setSpacing(12)
        self.pages_area.setWidget(holder)
        layout.addWidget(self.pages_area, 1)
        self.pages: list[QLabel] = []
        return step

    def _signing_step(self, file: CaseFile) -> QWidget:
        step, layout = _step(_("Each person present signs in their box with a finger, a pen "
                               "or the mouse. The landlord may instead sign a printed copy."))
        captions = {SignerRole.RESIDENT: _("Resident"), SignerRole.ADVISOR: _("Advisor")}
        self.boxes = [SignerBox(role, name, captions[role]) for role, name in
                      AgreementService(self.ctx.session).signers(file.case.id)]
        self.landlord_box = SignerBox(SignerRole.LANDLORD, "", _("For the landlord"))
        self.landlord_name = QLineEdit()
        self.landlord_name.setPlaceholderText(_("Name of the landlord's representative"))
        self.landlord_box.layout().insertWidget(0, self.landlord_name)
        self.landlord_present = QCheckBox(_("The landlord's representative signs here too"))
        self.landlord_present.toggled.connect(self.landlord_box.setVisible)
        self.landlord_present.toggled.connect(self._update)
        self.landlord_name.textChanged.connect(self._update)
        self.landlord_box.hide()
        for box in self.boxes:
            layout.addWidget(box)
            box.pad.changed.connect(self._update)
        layout.addWidget(self.landlord_present)
        layout.addWidget(self.landlord_box)
        self.landlord_box.pad.changed.connect(self._update)
        layout.addStretch(1)
        return step

    def _go(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        reading = step == 0
        # What is signed is what was read: the language and place are fixed while signing
        # (back to the pages to change them).
        self.language.setEnabled(reading)
        self.place.setEnabled(reading)
        self.sign_button.setVisible(reading)
        self.back_button.setVisible(not reading)
        self.seal_button.setVisible(not reading)
        (self.sign_button if reading else self.boxes[0].pad).setFocus()
        if reading:
            self.sign_button.setDefault(True)
        else:
            self.seal_button.setDefault(True)

    def show_pages(self) -> None:
        """Draw the agreement's pages as they will be sealed, the width of the view."""
        self._redraw.stop()
        try:
            self.preview_pdf = AgreementService(self.ctx.session).preview(
                self.file.case.id, self.language.currentData(), self.place.text().strip())
            width = max(self.pages_area.viewport().width() - 24, 300)
            images = page_images(self.preview_pdf, width)
        except Exception as error:  # shown, not raised: the dialog stays open
            show_failure(self, error)
            return
        for label in self.pages:
            label.deleteLater()
        self.pages = []
        for number, image in enumerate(images, start=1):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setAlignment(Qt.AlignHCenter)
            label.setAccessibleName(_("Page {number} of {count}").format(
                number=number, count=len(images)))
            self.pages_layout.addWidget(label)
            self.pages.append(label)

    def resizeEvent(self, event: QResizeEvent) -> None:  # (Qt's name)
        super().resizeEvent(event)
        if self.pages:
            self._redraw.start()  # drawn again to the new width

    def _present(self) -> list[SignerBox]:
        return self.boxes + ([self.landlord_box] if self.landlord_present.isChecked() else [])

    def _update(self) -> None:
        named = not self.landlord_present.isChecked() or bool(self.landlord_name.text().strip())
        self.seal_button.setEnabled(named and all(not box.pad.empty
                                                  for box in self._present()))

    def seal(self) -> None:
        if self.steps.currentIndex() != 1 or not self.seal_button.isEnabled():
            return  # (Enter while reading the pages)
        self.landlord_box.name = self.landlord_name.text().strip()
        due = AgreementService(self.ctx.session).due_already(self.file.case.id)
        if due and not Dialogs.confirm(self, ngettext(
                "{count} instalment of this plan is already due, so the agreement would "
                "print its date as passed. Seal it anyway? (Otherwise renegotiate the plan "
                "for dates still to come.)",
                "{count} instalments of this plan are already due, so the agreement would "
                "print their dates as passed. Seal it anyway? (Otherwise renegotiate the "
                "plan for dates still to come.)", len(due)).format(count=len(due))):
            return
        signatures = [box.pad.signature(box.role, box.name) for box in self._present()]
        case_id, language = self.file.case.id, self.language.currentData()
        place = self.place.text().strip()
        try:
            # On a worker behind a busy dialog: drawing and sealing take a second or two,
            # and the window keeps painting meanwhile.
            self.document, _pdf = wait_for(
                self, lambda: AgreementService(self.ctx.session).make(case_id, language, place,
                                                                      signatures),
                _("Sealing the agreement…"), _("Sealing"))
        except Exception as error:
            show_failure(self, error)
            return
        self.accept()


def _step(intro: str) -> tuple[QWidget, QVBoxLayout]:
    """One step of the dialog: a page that starts with what to do on it."""
    step = QWidget()
    layout = QVBoxLayout(step)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(intro)
    label.setWordWrap(True)
    layout.addWidget(label)
    return step, layout
