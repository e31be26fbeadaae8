"""The case editor: a header with who and how much, and a list of the case's sections
beside the section shown."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.case_editor.budget_page import BudgetPage
from ui.case_editor.documents_page import DocumentsPage
from ui.case_editor.money_pages import MoneyPage
from ui.case_editor.overview import OverviewPage
from ui.case_editor.plan_page import PlanPage
from ui.case_editor.record_kinds import (
    BENEFITS,
    CONSENTS,
    CONTACTS,
    DECISIONS,
    FOLLOWUPS,
    REFERRALS,
)
from ui.case_editor.record_page import RecordKind, RecordPage
from ui.case_editor.resident import ResidentPage
from ui.case_editor.sections import Sections
from ui.case_editor.tenancy import TenancyPage
from ui.context import AppContext
from ui.dialogs import Dialogs
from ui.fields import FieldRow
from workbench.cases.model import CaseFile
from workbench.i18n import _, format_money, ngettext
from workbench.labels import label
from workbench.sync.conflicts import list_conflicts


class GroupedRecords(QWidget):
    """Several short lists on one tab (benefits with authority decisions)."""

    def __init__(self, ctx: AppContext, kinds: list[RecordKind]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.pages = []
        for kind in kinds:
            box = QGroupBox(_(kind.title))
            page = RecordPage(ctx, kind)
            QVBoxLayout(box).addWidget(page)
            layout.addWidget(box)
            self.pages.append(page)

    def load(self, file: CaseFile) -> None:
        for page in self.pages:
            page.load(file)

    def commit(self) -> bool:
        return all(page.commit() for page in self.pages)


class Section:
    """One section of the case: its title, and its page once it is first needed."""

    def __init__(self, kind: type, title: str, make: Callable[[], QWidget],
                 records: RecordKind | None = None) -> None:
        self.kind, self.title, self.make, self.records = kind, title, make, records
        self.page: QWidget | None = None
        self.holder = QWidget()  # in the section list's stack until the page is built
        layout = QVBoxLayout(self.holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loaded: Callable[[QWidget], None] = lambda _page: None

    def built(self) -> QWidget:
        if self.page is None:
            self.page = self.make()
            self.holder.layout().addWidget(self.page)
            # Filled while still hidden (as the other sections were), so filling takes no
            # cursor from the section list; then shown at once, not when the event loop
            # next runs (keys may follow).
            self.loaded(self.page)
            self.page.show()
        return self.page


class CaseEditor(QWidget):
    closed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.file: CaseFile | None = None
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setStyleSheet("#caseHeader { font-size: 15px; font-weight: 600; }")
        layout.addWidget(self.header)
        self.banner = self._conflict_banner()
        layout.addWidget(self.banner)
        self.sections = Sections()
        layout.addWidget(self.sections, 1)
        # In the order of a home visit: who and where, the talk, the consents, the money,
        # the plan and its agreement; then what follows the visit. Each section is built
        # when first shown (building all twelve made unlocking and a language change slow,
        # and a save reloaded sections nobody had looked at).
        self.entries = [
            Section(OverviewPage, _("&Overview"), lambda: OverviewPage(ctx)),
            Section(ResidentPage, _("&Resident"), lambda: ResidentPage(ctx)),
            Section(TenancyPage, _("&Tenancy"), lambda: TenancyPage(ctx)),
            Section(MoneyPage, _("&Arrears"), lambda: MoneyPage(ctx)),
            Section(RecordPage, _("&Contacts"), lambda: RecordPage(ctx, CONTACTS), CONTACTS),
            Section(RecordPage, _("Co&nsents"), lambda: RecordPage(ctx, CONSENTS), CONSENTS),
            Section(GroupedRecords, _("&Benefits"),
                    lambda: GroupedRecords(ctx, [BENEFITS, DECISIONS])),
            Section(BudgetPage, _("Bu&dget"), lambda: BudgetPage(ctx)),
            Section(PlanPage, _("&Plan"), lambda: PlanPage(ctx)),
            Section(DocumentsPage, _("Doc&uments"), lambda: DocumentsPage(ctx)),
            Section(RecordPage, _("R&eferrals"), lambda: RecordPage(ctx, REFERRALS),
                    REFERRALS),
            Section(RecordPage, _("&Follow-ups"), lambda: RecordPage(ctx, FOLLOWUPS),
                    FOLLOWUPS),
        ]
        for entry in self.entries:
            entry.loaded = lambda page: page.load(self.file) if self.file else None
            self.sections.add_section(entry.holder, entry.title)
        self.sections.page_at = lambda index: self.entries[index].built()
        self.entries[0].built()
        self.conflicts_dialog = None
        self._previous = 0
        self.sections.currentChanged.connect(self._section_changed)
        self.sections.entered.connect(self.focus_first_field)
        ctx.case_saved.connect(self._saved)

    @property
    def pages(self) -> list[tuple[QWidget, str]]:
        """The sections built so far, with their titles (only they can hold edits)."""
        return [(entry.page, entry.title) for entry in self.entries if entry.page]

    def build_all(self) -> None:
        for entry in self.entries:
            entry.built()

    @property
    def contacts(self) -> RecordPage:
        return self.record_page(CONTACTS.record_type)

    def open_case(self, case_id: int, tab: int | None = None) -> bool:
        """Show a case; False (and the current case kept) when pending edits cannot be saved."""
        if not self.commit_or_ask():
            return False
        file = self.ctx.run(self, lambda: self.ctx.cases.open_case(case_id))
        if file is None:
            return False
        self._show(file)
        if tab is not None:
            self.sections.setCurrentIndex(tab)
        self.keep_focus_in_sight()
        return True

    def keep_focus_in_sight(self) -> None:
        """No key may go to a field the advisor cannot see: focus left on a section that is
        not shown moves to the first field of the one that is."""
        focused = QApplication.focusWidget()
        if focused is not None and self.isAncestorOf(focused) and not focused.isVisible():
            self.focus_first_field()

    def focus_first_field(self) -> bool:
        """Focus the first field of the section shown (where a new entry starts, in a
        section with a list); False if it has none."""
        page = self.sections.currentWidget()
        if page is None or not page.isVisible():
            return False  # (no case shown: no key may go there)
        if hasattr(page, "focus_first") and page.focus_first():
            return True
        widget = page.nextInFocusChain() if page is not None else None
        while widget is not None and widget is not page and page.isAncestorOf(widget):
            if widget.isVisible() and widget.isEnabled() and \
                    widget.focusPolicy() & Qt.TabFocus:
                widget.setFocus(Qt.TabFocusReason)
                return True
            widget = widget.nextInFocusChain()
        return False

    def _conflict_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("conflictBanner")
        banner.setStyleSheet("#conflictBanner { background: #fff4ce; border: 1px solid #e0c060;"
                             " border-radius: 4px; }")
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.settle_button = QPushButton(_("&Settle…"))
        self.settle_button.clicked.connect(self.settle_conflicts)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.settle_button)
        banner.hide()
        return banner

    def _show_conflicts(self, case_id: int) -> None:
        count = len(list_conflicts(self.ctx.session.db, case_id)) if self.ctx.unlocked else 0
        self.banner.setVisible(count > 0)
        self.banner_text.setText(ngettext(
            "This case was changed on two laptops at once: {n} question waits for you.",
            "This case was changed on two laptops at once: {n} questions wait for you.",
            count).format(n=count))

    def settle_conflicts(self) -> None:
        """The conflicts panel (over the window, which waits for it); afterwards the case
        as settled, and the choice syncs."""
        if self.file is None or not self.commit():
            return
        from ui.conflicts_dialog import ConflictsDialog
        self.conflicts_dialog = ConflictsDialog(self.ctx, self.file.case.id,
                                                self.file.person.full_name, self)
        self.conflicts_dialog.finished.connect(self._conflicts_settled)
        self.conflicts_dialog.open()

    def _conflicts_settled(self, _result: int) -> None:
        dialog, self.conflicts_dialog = self.conflicts_dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if dialog.settled and self.ctx.unlocked:
            self.reload()
            self.ctx.cases_changed.emit()

    def reload(self) -> bool:
        """The open case again from the store (changes from other laptops); a tab being
        edited keeps what the advisor typed. False when the case is gone."""
        if self.file is None:
            return True
        case_id = self.file.case.id
        if not self.ctx.cases.exists(case_id):
            self.clear()
            return False
        file = self.ctx.run(self, lambda: self.ctx.cases.open_case(case_id))
        if file is not None:
            self._show(file)
        return True

    def _show(self, file: CaseFile) -> None:
        self.file = file
        arrears = format_money(file.arrears_total, self.ctx.currency, self.ctx.locale)
        self.header.setText(_("{name} · case {id} · {status} · arrears {arrears}").format(
            name=file.person.full_name, id=file.case.id, status=label(file.case.status),
            arrears=arrears))
        for page, _title in self.pages:
            page.load(file)
        self._show_conflicts(file.case.id)

    def _saved(self, file: CaseFile) -> None:
        if self.file is not None and file.case.id == self.file.case.id:
            self._show(file)

    def _section_changed(self, index: int) -> None:
        previous = self.entries[self._previous].page
        if self.file is not None and previous is not None and not previous.commit():
            # Stay where the problem is, so the user sees the message beside the field.
            self.sections.revert_to(self._previous)
            return
        self._previous = index
        self.entries[index].built()
        self.keep_focus_in_sight()

    def commit(self) -> bool:
        """Save every page's pending edits; False if one must be put right first."""
        if self.file is None or not self.ctx.unlocked:
            return True
        return all(page.commit() for page, _title in self.pages)

    def commit_or_ask(self) -> bool:
        """Save every section's pending edits before the advisor moves on. An entry that
        cannot be saved is never a silent refusal: one dialog names its section and field,
        with *Discard* (the entry goes, the move goes on) and *Go there*. True when
        nothing is left pending."""
        if self.file is None or not self.ctx.unlocked:
            return True
        for page, title in self.pages:
            if page.commit():
                continue
            field, problem = _first_problem(page)
            text = (_("The entry in {section} cannot be saved: {field} — {problem}")
                    if field else _("The entry in {section} cannot be saved: {problem}"))
            choice = Dialogs.choose(self, text.format(
                section=_(title).replace("&", ""), field=field,
                problem=problem or _("it is not complete.")),
                [("discard", _("&Discard the entry")), ("go", _("&Go there"))],
                _("An entry is not saved"))
            if choice == "discard":
                _forget_edits(page)
                self.reload()
                continue
            self.sections.setCurrentWidget(page)
            _focus_problem(page)
            return False
        return True

    def show_page(self, page: QWidget) -> None:
        self.sections.setCurrentWidget(page)

    def page_of(self, kind: type) -> QWidget:
        """The first section's page of a given class, built if it was not yet (tests and
        shortcuts find sections so)."""
        return next(entry for entry in self.entries if issubclass(entry.kind, kind)).built()

    def record_page(self, record_type: type) -> RecordPage:
        """The section listing records of ``record_type`` (contacts, consents, …)."""
        return next(entry for entry in self.entries if entry.records is not None
                    and entry.records.record_type is record_type).built()

    def current_case_id(self) -> int | None:
        return self.file.case.id if self.file else None

    def clear(self) -> None:
        self.file = None
        self.header.clear()
        self.banner.hide()


def _problem_rows(page: QWidget) -> list[FieldRow]:
    return [row for row in page.findChildren(FieldRow) if row.error.text()]


def _first_problem(page: QWidget) -> tuple[str, str]:
    """The caption of the first field that says it cannot be saved, and what it says."""
    for row in _problem_rows(page):
        widget = row.layout().itemAt(0).widget()
        caption = next((label.text().replace("&", "") for label in page.findChildren(QLabel)
                        if label.buddy() is widget and label.text()), "")
        return caption, row.error.text()
    said = [label.text() for label in page.findChildren(QLabel)
            if label.objectName() == "pageProblem" and label.text()]
    return "", said[0] if said else ""


def _focus_problem(page: QWidget) -> None:
    rows = _problem_rows(page)
    if rows:
        rows[0].layout().itemAt(0).widget().setFocus(Qt.OtherFocusReason)


def _forget_edits(page: QWidget) -> None:
    """The section's typing is let go; the reload that follows fills it from the store."""
    for widget in (page, *page.findChildren(QWidget)):
        if getattr(widget, "dirty", False) is True:
            widget.dirty = False
