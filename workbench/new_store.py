"""A new organisation's store, ready for work: the store with its first user, and a seal
certificate so agreements can be sealed at once (an organisation's own certificate can
replace it in Settings). One place, for the set-up wizard, ``workbench init`` and the demo.
"""

from __future__ import annotations

from workbench.agreements.identity import create_identity, save_identity
from workbench.session import Session, StoreLocation, create_store
from workbench.store.keyslots import DEFAULT_KDF, KdfParams


def new_organisation_store(location: StoreLocation, org_name: str, country: str,
                           admin: str, passphrase: str, language: str = "en",
                           kdf: KdfParams = DEFAULT_KDF) -> tuple[Session, str]:
    """The open session and the recovery key (to show once). If the certificate cannot be
    made, the store is locked again (held open, a retry would be refused)."""
    session, recovery_key = create_store(location, org_name, country, admin, passphrase,
                                         language=language, kdf=kdf)
    try:
        save_identity(session, create_identity(session.organisation.name, country))
    except BaseException:
        session.lock()
        raise
    return session, recovery_key
