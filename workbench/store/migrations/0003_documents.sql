-- Documents kept inside the encrypted store: sealed agreements and scanned signed copies.

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('agreement', 'scan')),
    number     TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL DEFAULT '',
    plan_id    INTEGER REFERENCES payment_plans (id) ON DELETE SET NULL,
    signers    TEXT NOT NULL DEFAULT '[]',   -- who signed on screen: role, name, time
    filename   TEXT NOT NULL DEFAULT '',
    mime       TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX documents_case ON documents (case_id);
