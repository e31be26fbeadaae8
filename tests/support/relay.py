"""An ordered list of change records, as the server keeps them, for tests of the merge
alone: laptops push their outbox in order and pull from their cursor. The tests of sync
itself use a real PostgreSQL; this exercises the merge rules under many orders fast."""

from __future__ import annotations

import json

from workbench.sync.receive import receive
from workbench.sync.state import cursor


class Relay:
    def __init__(self) -> None:
        self.log: list[dict] = []
        self._ids: set[str] = set()

    def push(self, session) -> int:
        db = session.db
        sent = 0
        for n, op_id, payload in db.all("SELECT n, op_id, payload FROM sync_outbox ORDER BY n"):
            if op_id not in self._ids:
                self._ids.add(op_id)
                self.log.append(json.loads(payload))
                sent += 1
            with db.transaction():
                db.execute("UPDATE sync_seen SET seq = ? WHERE op_id = ?",
                           (self._seq(op_id), op_id))
                db.execute("DELETE FROM sync_outbox WHERE n = ?", (n,))
        return sent

    def _seq(self, op_id: str) -> int:
        return next(i + 1 for i, r in enumerate(self.log) if r["id"] == op_id)

    def pull(self, session, page: int = 50) -> int:
        got = 0
        while True:
            start = cursor(session.db)
            chunk = self.log[start:start + page]
            if not chunk:
                return got
            receive(session, [(start + i + 1, r) for i, r in enumerate(chunk)],
                    cursor=start + len(chunk))
            got += len(chunk)

    def sync(self, session) -> None:
        self.push(session)
        self.pull(session)
