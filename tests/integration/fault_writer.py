"""A worker for the fault test: repeats one kind of action until it is killed.

Prints a line after each committed action, so the test knows what must survive.
Modes: ``save`` (a case and a contact), ``backup`` (a backup file), ``plan`` (a revision).
"""

import sys
from datetime import UTC, date, datetime
from pathlib import Path

from workbench.cases.model import ArrearsComponent, Channel, Contact, Intake
from workbench.cases.service import CaseService
from workbench.plans.model import PlanDraft, PlanRow
from workbench.plans.service import PlanService
from workbench.session import StoreLocation, unlock
from workbench.store.maintenance import backup


def main() -> None:
    data_dir, user, passphrase, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    session = unlock(StoreLocation(data_dir), user, passphrase)
    cases, plans = CaseService(session), PlanService(session)
    n = 0
    while True:
        n += 1
        if mode == "save":
            file = cases.create_case(Intake(f"Fault{n}", "Test", rent_arrears=100 * n))
            print(f"case {file.case.id}", flush=True)
            cases.add(Contact(file.case.id, Channel.PHONE, datetime.now(UTC), n))
            print(f"contact {file.case.id}", flush=True)
        elif mode == "backup":
            backup(session, Path(sys.argv[5]))
            print("backup", flush=True)
        else:
            case_id = int(sys.argv[5])
            revision = plans.save_revision(case_id, PlanDraft(
                {ArrearsComponent.RENT: 300_00 + n}, date(2026, 12, 1), 1,
                [PlanRow(date(2026, 12, 1), 100_00), PlanRow(date(2027, 1, 1), 100_00),
                 PlanRow(date(2027, 2, 1), 100_00 + n)]))
            print(f"revision {revision.revision}", flush=True)


if __name__ == "__main__":
    main()
