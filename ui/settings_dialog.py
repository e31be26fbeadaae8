"""Settings: the language, when to lock, the default language of agreements and my
details; for administrators also the plan rule, the seal certificate and the users."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.context import show_failure
from ui.dialogs import Dialogs
from ui.language_names import LANGUAGE_NAMES
from ui.my_details import MyDetailsBox
from ui.preferences import (
    AGREEMENT_LANGUAGE,
    IDLE_MINUTES,
    LANGUAGE,
    MAX_IDLE_MINUTES,
    MIN_IDLE_MINUTES,
    Preferences,
)
from ui.users_panel import UsersPanel
from workbench.agreements.identity import (
    create_identity,
    import_pkcs12,
    load_identity,
    save_identity,
)
from workbench.errors import WorkbenchError
from workbench.i18n import LANGUAGES, _, format_date, locale_for
from workbench.plans.service import PlanService
from workbench.plans.tracking import TrackingRule
from workbench.session import Role, Session
from workbench.stats.service import MAX_THRESHOLD, StatsService
from workbench.stats.suppression import MIN_THRESHOLD
from workbench.store.files import write_atomically
from workbench.store.keyslots import DEFAULT_KDF, KdfParams
from workbench.sync import state


class SettingsDialog(QDialog):
    """This computer's preferences, and for administrators the organisation's plan rule,
    seal certificate and users."""

    # While a user's removal (or the backup after it) runs on its worker thread.
    busy = Signal(bool)

    def __init__(self, preferences: Preferences, parent: QWidget | None = None,
                 session: Session | None = None, kdf: KdfParams = DEFAULT_KDF) -> None:
        super().__init__(parent)
        self.preferences = preferences
        self.session = session
        self.setWindowTitle(_("Settings"))
        # Everything scrolls above the buttons: an administrator's settings (plan rules,
        # seal, users, team laptops) are taller than a 768-pixel screen.
        outer = QVBoxLayout(self)
        content = QWidget()
        layout = QVBoxLayout(content)
        form = QFormLayout()
        self.language = QComboBox()
        self.agreement_language = QComboBox()
        self.agreement_language.addItem(_("The resident's language"), "")
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
            self.agreement_language.addItem(LANGUAGE_NAMES[code], code)
        self.language.setCurrentIndex(LANGUAGES.index(preferences.language()))
        self.agreement_language.setCurrentIndex(
            max(0, self.agreement_language.findData(preferences.get(AGREEMENT_LANGUAGE))))
        self.idle = QSpinBox()
        self.idle.setRange(MIN_IDLE_MINUTES, MAX_IDLE_MINUTES)
        self.idle.setSuffix(" " + _("min"))
        self.idle.setValue(preferences.idle_minutes())
        form.addRow(_("&Language"), self.language)
        form.addRow(_("Lock after &idle time"), self.idle)
        form.addRow(_("Default language of &agreements"), self.agreement_language)
        layout.addLayout(form)
        if session is not None and session.db is not None:  # a lead has no case store
            layout.addWidget(MyDetailsBox(session, self))
        if session is not None and not session.user.has(Role.ADMIN):
            # Everybody changes their own passphrase here (administrators in Users below).
            own = QPushButton(_("Change my &passphrase…"))
            own.setObjectName("changeOwnPassphrase")
            own.clicked.connect(lambda: self._change_own_passphrase(kdf))
            layout.addWidget(own)
        self.rule_box = None
        self.users: UsersPanel | None = None
        if session is not None and session.user.has(Role.ADMIN):
            rule = PlanService(session).rule()
            self.rule_box = QGroupBox(_("Payment plans (whole organisation)"))
            rules = QFormLayout(self.rule_box)
            self.grace = QSpinBox()
            self.grace.setRange(0, 60)
            self.grace.setValue(rule.grace_days)
            self.broken_after = QSpinBox()
            self.broken_after.setRange(1, 12)
            self.broken_after.setValue(rule.broken_after)
            rules.addRow(_("Days of grace after a due date"), self.grace)
            rules.addRow(_("Missed instalments that break a plan"), self.broken_after)
            layout.addWidget(self.rule_box)
            # The threshold for small numbers in statistics: signed with the other rules,
            # audited, and what every export uses unless an administrator lowers it once.
            self.stats_box = QGroupBox(_("Statistics (whole organisation)"))
            stats_form = QFormLayout(self.stats_box)
            self.threshold = QSpinBox()
            self.threshold.setObjectName("settingsThreshold")
            self.threshold.setRange(MIN_THRESHOLD, MAX_THRESHOLD)
            self.threshold.setValue(StatsService(session).threshold())
            stats_form.addRow(_("Hide counts below"), self.threshold)
            layout.addWidget(self.stats_box)
            layout.addWidget(self._identity_box())
            self.users = UsersPanel(session, kdf, self)
            self.users.busy.connect(self.busy)
            layout.addWidget(self.users)
            if session.db is not None and state.in_team(session.db):
                from ui.devices_panel import DevicesPanel  # (the server's client: when needed)

                self.devices = DevicesPanel(session, self)
                self.devices.busy.connect(self.busy)
                layout.addWidget(self.devices)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        self.scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)
        outer.addWidget(buttons)
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() - 80 if screen is not None else 700
        hint = content.sizeHint()
        self.resize(max(hint.width() + 40, 640), min(hint.height() + 80, room))

    def _identity_box(self) -> QGroupBox:
        """The certificate that seals agreements: see it, import one, export it."""
        box = QGroupBox(_("Seal certificate for agreements"))
        rows = QFormLayout(box)
        self.identity_label = QLabel()
        self.identity_label.setWordWrap(True)
        rows.addRow(self.identity_label)
        buttons = QHBoxLayout()
        for text, slot in ((_("Create a new certificate"), self._create_identity),
                           (_("Import PKCS#12…"), self._import_identity),
                           (_("Export public certificate…"), self._export_identity)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        rows.addRow(buttons)
        self._show_identity()
        return box

    def _show_identity(self) -> None:
        try:
            identity = load_identity(self.session)
        except WorkbenchError as error:
            self.identity_label.setText(error.message())
            return
        certificate = identity.certificate
        self.identity_label.setText(_("{subject}, valid until {date}").format(
            subject=identity.subject,
            date=format_date(certificate.not_valid_after_utc.date(), locale_for(
                self.preferences.language(), self.session.organisation.country))))

    def _create_identity(self) -> None:
        if not Dialogs.confirm(self, _("Make a new seal certificate? Agreements sealed "
                                       "earlier stay valid only against the old certificate, "
                                       "so export it first if landlords or courts have it.")):
            return
        organisation = self.session.organisation
        try:
            save_identity(self.session, create_identity(organisation.name,
                                                        organisation.country))
        except Exception as error:
            show_failure(self, error)
            return
        self._show_identity()

    def _import_identity(self) -> None:
        source = Dialogs.open_file(self, _("Import the organisation's certificate"),
                                   _("PKCS#12 (*.p12 *.pfx)"))
        if source is None:
            return
        password, ok = QInputDialog.getText(self, _("Certificate password"),
                                            _("Password of {path}:").format(path=source.name),
                                            QLineEdit.Password)
        if not ok:
            return
        try:
            save_identity(self.session, import_pkcs12(source.read_bytes(), password))
        except Exception as error:
            show_failure(self, error)
            return
        self._show_identity()

    def _export_identity(self) -> None:
        target = Dialogs.save_file(self, _("Export the public certificate"),
                                   "organisation.pem", _("Certificates (*.pem)"))
        if target is None:
            return
        try:
            write_atomically(target, load_identity(self.session).certificate_pem)
        except Exception as error:
            show_failure(self, error)

    def reject(self) -> None:
        if self.users is not None and self.users.running:
            return  # the store's keys are being renewed; the dialog closes after
        super().reject()

    def _change_own_passphrase(self, kdf) -> None:
        from ui.user_dialogs import SetPassphraseDialog
        from workbench.users import UserService

        name = self.session.user.name
        if SetPassphraseDialog(UserService(self.session, kdf), name, self).exec():
            Dialogs.inform(self, _("Changed the passphrase of {user}.").format(user=name))

    def _save(self) -> None:
        if self.rule_box is not None:
            rule = TrackingRule(self.grace.value(), self.broken_after.value())
            try:
                if rule != PlanService(self.session).rule():
                    PlanService(self.session).set_rule(rule)
                if self.threshold.value() != StatsService(self.session).threshold():
                    StatsService(self.session).set_threshold(self.threshold.value())
            except Exception as error:
                show_failure(self, error)
                return
        self.preferences.set(LANGUAGE, self.language.currentData())
        self.preferences.set(IDLE_MINUTES, self.idle.value())
        self.preferences.set(AGREEMENT_LANGUAGE, self.agreement_language.currentData())
        self.accept()
