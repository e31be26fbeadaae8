"""Errors a user may see. Each carries a message template translated when shown.

The template is marked with ``N_`` so it is extracted for the catalogs, and translated
only when displayed, so the message follows the language in force at that moment.
"""

from __future__ import annotations

from typing import Any, ClassVar

from workbench.i18n import N_, _


class WorkbenchError(Exception):
    """Base of every error that should reach the user as one clear sentence."""

    exit_code: ClassVar[int] = 1
    template: ClassVar[str] = N_("The operation could not be completed.")

    def __init__(self, template: str | None = None, **values: Any) -> None:
        self._template = template or self.template
        self.values = values
        super().__init__(self._template.format(**values))

    def __reduce__(self):
        # Pickled (a sync in a helper process reports it) with its template and values,
        # so it is translated where it is shown; pickling's default keeps only the
        # English sentence.
        return _rebuilt, (type(self), dict(self.__dict__))

    def message(self) -> str:
        """The message in the current user's language.

        String values marked with ``N_`` (such as a ``detail``) are translated too; other
        strings (paths, names) pass through gettext unchanged.
        """
        values = {key: _(value) if isinstance(value, str) and value else value
                  for key, value in self.values.items()}
        return _(self._template).format(**values)


def _rebuilt(kind: type[WorkbenchError], state: dict[str, Any]) -> WorkbenchError:
    error = kind.__new__(kind)
    Exception.__init__(error, state["_template"].format(**state["values"]))
    error.__dict__.update(state)
    return error


class AuthenticationError(WorkbenchError):
    exit_code = 3
    template = N_("The passphrase is wrong.")


class WrongPassphrase(AuthenticationError):
    template = N_("The passphrase is wrong.")


class WrongRecoveryKey(AuthenticationError):
    template = N_("The recovery key is wrong.")


class UnknownUser(AuthenticationError):
    # Translators: {user} is the user name typed by the person logging in.
    template = N_("There is no user named “{user}” in this store.")


class PermissionDenied(WorkbenchError):
    exit_code = 4
    # Translators: {user} is a user name, {action} a short description of what was tried.
    template = N_("User “{user}” may not {action}.")


class StoreError(WorkbenchError):
    exit_code = 2


class StoreNotFound(StoreError):
    # Translators: {path} is a folder on disk.
    template = N_("No case store was found in {path}. Create one with “workbench init”.")


class StoreExists(StoreError):
    template = N_("A case store already exists in {path}; it was left as it is.")


class StoreTooNew(StoreError):
    template = N_(
        "This case store was written by a newer version of the program (schema {found}, "
        "this program knows up to {known}). Install the newer version; the store was not changed."
    )


class StoreCorrupt(StoreError):
    template = N_(
        "The case store cannot be read: {detail}. Restore it from a backup "
        "with “workbench restore”."
    )


class DiskFull(StoreError):
    template = N_("The disk is full, so nothing was written. Free some space and try again.")


class FileProblem(StoreError):
    # Translators: {path} is a file, {detail} the operating system's reason.
    template = N_("Could not use the file {path}: {detail}")


class ValidationError(WorkbenchError):
    """Input the user can correct."""

    exit_code = 2
    template = N_("The input is not valid.")


class NotFound(WorkbenchError):
    exit_code = 2
    # Translators: {what} is a kind of record, e.g. "case", {id} its number.
    template = N_("No {what} with number {id} was found.")


class FieldError(ValidationError):
    """Invalid input in one named field, so a form can show the message beside it."""

    def __init__(self, field: str, template: str, **values: Any) -> None:
        self.field = field
        super().__init__(template, **values)
