"""First run: the organisation, the first user and passphrase, and the recovery key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui.dialogs import Dialogs
from workbench.agreements.identity import create_identity, save_identity
from workbench.errors import WorkbenchError
from workbench.i18n import LANGUAGES, N_, _
from workbench.passphrase import strength
from workbench.session import MIN_PASSPHRASE_LENGTH, Session, StoreLocation, create_store
from workbench.store.keyslots import DEFAULT_KDF, KdfParams

COUNTRIES = {"FI": N_("Finland (euro, Finnish personal identity code)"),
             "SE": N_("Sweden (krona, personnummer)"),
             "DK": N_("Denmark (krone, CPR number)")}
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "da": "dansk", "en": "English"}


class OrganisationPage(QWizardPage):
    def __init__(self, language: str) -> None:
        super().__init__()
        self.setTitle(_("Your organisation"))
        self.setSubTitle(_("The name appears on agreements and reports. The country sets "
                           "the currency and the kind of identity number."))
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.country = QComboBox()
        for code, text in COUNTRIES.items():
            self.country.addItem(_(text), code)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(language))
        form.addRow(_("Organisation &name"), self.name)
        form.addRow(_("&Country"), self.country)
        form.addRow(_("&Language"), self.language)
        self.registerField("org_name*", self.name)


class UserPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your user and passphrase"))
        self.setSubTitle(_("You will type the passphrase each time you open the program. "
                           "A few unrelated words make a passphrase that is easy to remember "
                           "and hard to guess."))
        form = QFormLayout(self)
        self.user = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.Password)
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        form.addRow(_("&User name"), self.user)
        form.addRow(_("&Passphrase"), self.passphrase)
        form.addRow(_("&Repeat it"), self.repeat)
        form.addRow(_("Strength"), self.meter)
        form.addRow("", self.feedback)
        for field in (self.user, self.passphrase, self.repeat):
            field.textChanged.connect(self._changed)
        self.registerField("user*", self.user)

    def _changed(self) -> None:
        verdict = strength(self.passphrase.text(), (self.user.text(),))
        self.meter.setValue(verdict.score)
        text = f"{verdict.verdict}. {verdict.advice}"
        if 0 < len(self.passphrase.text()) < MIN_PASSPHRASE_LENGTH:
            text += " " + _("At least {count} characters.").format(count=MIN_PASSPHRASE_LENGTH)
        elif self.repeat.text() and self.repeat.text() != self.passphrase.text():
            text += " " + _("The two passphrases differ.")
        self.feedback.setText(text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        passphrase = self.passphrase.text()
        return (bool(self.user.text().strip()) and len(passphrase) >= MIN_PASSPHRASE_LENGTH
                and passphrase == self.repeat.text()
                and strength(passphrase, (self.user.text(),)).acceptable)


class RecoveryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your recovery key"))
        self.setSubTitle(_("If every passphrase is forgotten, this key is the only way into "
                           "the case store. It is shown only now: print it or write it down, "
                           "and keep it in a safe."))
        layout = QVBoxLayout(self)
        self.key = QLabel()
        self.key.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        font.setPointSize(16)
        self.key.setFont(font)
        self.key.setAlignment(Qt.AlignCenter)
        layout.addWidget(self.key)
        self.print_button = QPushButton(_("&Print…"))
        self.print_button.clicked.connect(self._print)
        layout.addWidget(self.print_button, 0, Qt.AlignCenter)
        self.stored = QCheckBox(_("I have stored the recovery key in a safe place"))
        self.stored.toggled.connect(self.completeChanged)
        layout.addWidget(self.stored)

    def isComplete(self) -> bool:
        return self.stored.isChecked()

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        if QPrintDialog(printer, self).exec():
            document = QTextDocument()
            document.setHtml(f"<h2>{_('Recovery key')}</h2><p>{self.wizard().org_name}</p>"
                             f"<pre style='font-size:18pt'>{self.key.text()}</pre>")
            document.print_(printer)


class SetupWizard(QWizard):
    """Creates the store when the user page is done; the key page shows its recovery key."""

    def __init__(self, location: StoreLocation, language: str = "en",
                 kdf: KdfParams = DEFAULT_KDF, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location, self.kdf = location, kdf
        self.session: Session | None = None
        self.setWindowTitle(_("Set up the Housing Advice Workbench"))
        self.setOption(QWizard.NoBackButtonOnLastPage)
        self.setOption(QWizard.NoCancelButtonOnLastPage)
        self.organisation = OrganisationPage(language)
        self.user_page = UserPage()
        self.recovery = RecoveryPage()
        for page in (self.organisation, self.user_page, self.recovery):
            self.addPage(page)
        self.setMinimumSize(640, 440)

    @property
    def org_name(self) -> str:
        return self.organisation.name.text().strip()

    def validateCurrentPage(self) -> bool:
        if self.currentPage() is self.user_page and self.session is None:
            return self._create()
        return super().validateCurrentPage()

    def _create(self) -> bool:
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            self.session, recovery_key = create_store(
                self.location, self.org_name, self.organisation.country.currentData(),
                self.user_page.user.text().strip(), self.user_page.passphrase.text(),
                language=self.organisation.language.currentData(), kdf=self.kdf)
        except WorkbenchError as error:
            Dialogs.error(self, error.message())
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        # A seal certificate from the start, so agreements can be sealed at once; an
        # organisation's own certificate can replace it in Settings.
        save_identity(self.session, create_identity(
            self.org_name, self.organisation.country.currentData()))
        self.recovery.key.setText(recovery_key)
        self.user_page.passphrase.clear()
        self.user_page.repeat.clear()
        return True
