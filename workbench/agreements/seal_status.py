"""What a document's seal check found, and how to say it (kept apart from the checking,
which loads pyHanko: the window lists documents long before it checks one)."""

from __future__ import annotations

from enum import StrEnum

from workbench.i18n import N_


class SealStatus(StrEnum):
    VALID = "valid"
    CHANGED = "changed"            # the file was altered after sealing
    UNKNOWN_SIGNER = "unknown_signer"
    NO_SEAL = "no_seal"
    UNREADABLE = "unreadable"


REASONS = {
    SealStatus.VALID: N_("The seal is valid and covers the whole document."),
    SealStatus.CHANGED: N_("The document was changed after it was sealed."),
    SealStatus.UNKNOWN_SIGNER: N_("The seal is not the organisation's."),
    SealStatus.NO_SEAL: N_("The document has no seal."),
    SealStatus.UNREADABLE: N_("The file is not a readable PDF."),
}
