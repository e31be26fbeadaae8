"""First run: a new organisation (its name, the first user and passphrase) or joining one
with an invitation; then the recovery key."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ui.background import wait_for
from ui.dialogs import Dialogs
from ui.join_pages import JoinPage, StartPage, WaitPage
from ui.language_names import LANGUAGE_NAMES
from ui.passphrase_fields import PassphraseFields
from ui.recovery_key import RecoveryKeyView
from workbench.errors import WorkbenchError
from workbench.i18n import LANGUAGES, N_, _
from workbench.new_store import new_organisation_store
from workbench.session import Session, StoreLocation
from workbench.store.keyslots import DEFAULT_KDF, KdfParams

COUNTRIES = {"FI": N_("Finland (euro, Finnish personal identity code)"),
             "SE": N_("Sweden (krona, personnummer)"),
             "DK": N_("Denmark (krone, CPR number)")}


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
        self.fields = PassphraseFields(self._user_inputs, self)
        self.passphrase, self.repeat = self.fields.passphrase, self.fields.repeat
        self.meter, self.feedback = self.fields.meter, self.fields.feedback
        form.addRow(_("&User name"), self.user)
        self.fields.add_rows(form)
        self.user.textChanged.connect(self.fields.update)
        self.fields.changed.connect(self.completeChanged)
        self.registerField("user*", self.user)

    def _user_inputs(self) -> tuple[str, ...]:
        wizard = self.wizard()
        return (self.user.text(), wizard.org_name if wizard is not None else "")

    def isComplete(self) -> bool:
        return bool(self.user.text().strip()) and self.fields.acceptable()


class RecoveryPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("Your recovery key"))
        self.setSubTitle(_("If every passphrase is forgotten, this key is the only way into "
                           "the case store. It is shown only now: print it or write it down, "
                           "and keep it in a safe."))
        layout = QVBoxLayout(self)
        self.view = RecoveryKeyView()
        self.key, self.stored = self.view.key, self.view.stored
        self.print_button = self.view.print_button
        self.view.stored.toggled.connect(self.completeChanged)
        layout.addWidget(self.view)

    def isComplete(self) -> bool:
        return self.stored.isChecked()


class SetupWizard(QWizard):
    """A new organisation (the store is made when the user page is done) or a laptop
    joining one (made from the invitation, then waiting for approval); the key page shows
    the new store's recovery key."""

    START, ORGANISATION, USER, JOIN, WAIT, RECOVERY = range(6)

    def __init__(self, location: StoreLocation, language: str = "en",
                 kdf: KdfParams = DEFAULT_KDF, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location, self.kdf = location, kdf
        self.session: Session | None = None
        self.setWindowTitle(_("Set up the Housing Advice Workbench"))
        self.setOption(QWizard.NoBackButtonOnLastPage)
        self.setOption(QWizard.NoCancelButtonOnLastPage)
        self.start_page = StartPage()
        self.organisation = OrganisationPage(language)
        self.user_page = UserPage()
        self.join_page = JoinPage()
        self.wait_page = WaitPage()
        self.recovery = RecoveryPage()
        for number, page in enumerate((self.start_page, self.organisation, self.user_page,
                                       self.join_page, self.wait_page, self.recovery)):
            self.setPage(number, page)
        self.setStartId(self.START)
        self.setMinimumSize(640, 440)

    def nextId(self) -> int:
        current = self.currentId()
        if current == self.START:
            return self.JOIN if self.start_page.join.isChecked() else self.ORGANISATION
        return {self.ORGANISATION: self.USER, self.USER: self.RECOVERY,
                self.JOIN: self.WAIT, self.WAIT: self.RECOVERY}.get(current, -1)

    @property
    def org_name(self) -> str:
        return self.organisation.name.text().strip()

    def validateCurrentPage(self) -> bool:
        if self.currentPage() is self.user_page and self.session is None:
            return self._create()
        if self.currentPage() is self.join_page and self.session is None:
            return self._join()
        if self.currentPage() is self.wait_page:
            self.wait_page.stop()
        return super().validateCurrentPage()

    def done(self, result: int) -> None:
        self.wait_page.stop()
        super().done(result)

    def _join(self) -> bool:
        from workbench.sync.team import join  # (the server's client: only to join)

        page = self.join_page
        invitation, user, passphrase = Path(page.file.text()), page.user.text(), \
            page.passphrase.text()
        try:
            self.session, recovery_key, fingerprint = wait_for(
                self, lambda: join(self.location, invitation, user, passphrase, kdf=self.kdf),
                _("Joining the organisation: making this laptop's keys and store, and "
                  "asking the server…"), _("Joining"))
        except WorkbenchError as error:
            Dialogs.error(self, error.message())
            return False
        page.fields.clear()
        self.recovery.view.show_key(recovery_key, self.session.organisation.name)
        self.wait_page.start(self.session, fingerprint)
        return True

    def _new_store(self, name: str, country: str, language: str, user: str,
                   passphrase: str) -> tuple[Session, str]:
        return new_organisation_store(self.location, name, country, user, passphrase,
                                      language=language, kdf=self.kdf)

    def _create(self) -> bool:
        name, country = self.org_name, self.organisation.country.currentData()
        language = self.organisation.language.currentData()
        user, passphrase = self.user_page.user.text().strip(), \
            self.user_page.passphrase.text()
        try:
            self.session, recovery_key = wait_for(
                self, lambda: self._new_store(name, country, language, user, passphrase),
                _("Making the encrypted case store and your keys…"), _("Setting up"))
        except WorkbenchError as error:
            Dialogs.error(self, error.message())
            return False
        self.recovery.view.show_key(recovery_key, self.org_name)
        self.user_page.fields.clear()
        return True
