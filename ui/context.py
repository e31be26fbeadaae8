"""What the windows share: the unlocked session, preferences, formatting, and signals.

Passed to each window and page explicitly; there is no global main-window object.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from babel import Locale
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ui.dialogs import Dialogs
from ui.preferences import Preferences
from ui.private_copies import PrivateCopies, sweep_stale
from workbench.cases.service import CaseService
from workbench.errors import FieldError, WorkbenchError
from workbench.i18n import _, locale_for
from workbench.session import Session, StoreLocation, User
from workbench.store.database import StoreReplaced
from workbench.users import UserService

T = TypeVar("T")
log = logging.getLogger(__name__)


class AppContext(QObject):
    case_saved = Signal(object)       # a CaseFile, after any change to it
    cases_changed = Signal()          # the list needs a refresh (a case added or erased)
    language_changed = Signal()
    locking_soon = Signal()           # the store is about to lock: stop work on it
    session_locked = Signal()
    store_replaced = Signal()         # restored or re-keyed under this window: lock it
    session_unlocked = Signal()

    def __init__(self, location: StoreLocation, preferences: Preferences,
                 demo: bool = False) -> None:
        super().__init__()
        self.location = location
        self.preferences = preferences
        self.demo = demo
        self.session: Session | None = None
        self.locking = False  # while locking, pages save what they can without asking
        # Documents opened in other programs; copies a killed earlier run left are removed.
        self.copies = PrivateCopies()
        sweep_stale()

    # --- the session ---------------------------------------------------------------------

    @property
    def unlocked(self) -> bool:
        return self.session is not None and not self.session.locked

    def open(self, session: Session) -> None:
        self.session = session
        self.session_unlocked.emit()

    def lock(self) -> None:
        self.locking_soon.emit()
        self.copies.remove_all()  # no plaintext document stays behind a locked window
        if self.session is not None:
            self.session.lock()
        self.session = None
        self.session_locked.emit()

    @property
    def cases(self) -> CaseService:
        if self.session is None:
            raise RuntimeError("the store is locked")
        return CaseService(self.session)

    def advisors(self) -> list[User]:
        """The store's active users, for the advisor column and the advisor field."""
        return UserService(self.session).list_users() if self.unlocked else []

    # --- formatting ----------------------------------------------------------------------

    @property
    def country(self) -> str:
        return self.session.organisation.country if self.session else "FI"

    @property
    def currency(self) -> str:
        return self.session.organisation.currency if self.session else "EUR"

    @property
    def locale(self) -> Locale:
        return locale_for(self.preferences.language(), self.country)

    # --- running an action ---------------------------------------------------------------

    def run(self, parent: QWidget | None, action: Callable[[], T]) -> T | None:
        """Run a service call; a failure is shown to the user, never raised into Qt."""
        try:
            return action()
        except StoreReplaced as error:
            show_failure(parent, error)
            self.store_replaced.emit()
        except Exception as error:  # an unexpected bug must not take the window down
            show_failure(parent, error)
        return None


def show_failure(parent: QWidget | None, error: Exception, rows: dict | None = None) -> None:
    """Tell the user what went wrong in their language; log what they need not see.

    A problem with one field of a form (``rows``: field name → FieldRow) is shown beside
    that field rather than in a message box.
    """
    if isinstance(error, FieldError) and rows and error.field in rows:
        rows[error.field].show_error(error.message())
        return
    if isinstance(error, WorkbenchError):
        Dialogs.error(parent, error.message())
        return
    log.error("unexpected error in a user action", exc_info=error)
    Dialogs.error(parent, _("Something unexpected went wrong, and the last change was not "
                            "saved. Details are in the program's log."))
