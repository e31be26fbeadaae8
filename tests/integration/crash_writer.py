"""A writer for the crash test: saves cases and edits until it is killed.

After each committed action it prints the case id and what was committed, so the test
knows exactly which records must survive the kill.
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from workbench.cases.model import Channel, Contact, Intake
from workbench.cases.service import CaseService
from workbench.session import StoreLocation, unlock


def main() -> None:
    data_dir, user, passphrase = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    session = unlock(StoreLocation(data_dir), user, passphrase)
    service = CaseService(session)
    n = 0
    while True:
        n += 1
        file = service.create_case(Intake(f"Crash{n}", "Test", street=f"Kaatumiskatu {n}",
                                          rent_arrears=1000 * n))
        print(f"case {file.case.id}", flush=True)
        contact = service.add(Contact(file.case.id, Channel.PHONE, datetime.now(UTC), n,
                                      "Crash", f"note {n}"))
        print(f"contact {contact.id}", flush=True)


if __name__ == "__main__":
    main()
