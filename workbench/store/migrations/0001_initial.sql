-- Organisation settings, users, the audit chain, residents, cases and everything mapped at intake.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    roles      TEXT NOT NULL,               -- comma-separated: admin, advisor, lead
    created_at TEXT NOT NULL,
    removed_at TEXT                         -- users are never deleted: the audit names them
) STRICT;

-- Append-only: each row's hash covers the previous row's hash and its own fields.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE persons (
    id                  INTEGER PRIMARY KEY,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    identity_number     TEXT,               -- canonical compact form, NULL: no Nordic number
    identity_kind       TEXT,
    identity_unverified INTEGER NOT NULL DEFAULT 0 CHECK (identity_unverified IN (0, 1)),
    birth_year          INTEGER,
    phone               TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX persons_identity ON persons (identity_number);

CREATE TABLE landlords (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    kind  TEXT NOT NULL CHECK (kind IN ('municipal', 'non_profit', 'private', 'student_youth', 'other')),
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES persons (id),
    status          TEXT NOT NULL CHECK (status IN ('outreach', 'open', 'on_hold', 'closed')),
    opened_on       TEXT NOT NULL,
    closed_on       TEXT,
    referral_source TEXT NOT NULL DEFAULT 'self'
                    CHECK (referral_source IN ('self', 'landlord', 'social_services', 'other_service', 'court_bailiff')),
    reasons         TEXT NOT NULL DEFAULT '',   -- comma-separated reason codes
    advisor_id      INTEGER REFERENCES users (id),
    intake_arrears  INTEGER NOT NULL DEFAULT 0 CHECK (intake_arrears >= 0),
    note            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_advisor ON cases (advisor_id);
CREATE INDEX cases_opened ON cases (opened_on);

CREATE TABLE household_members (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('partner', 'child', 'adult', 'other')),
    name       TEXT NOT NULL DEFAULT '',
    birth_year INTEGER
) STRICT;
CREATE INDEX household_members_case ON household_members (case_id);

CREATE TABLE tenancies (
    case_id            INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    landlord_id        INTEGER REFERENCES landlords (id),
    street             TEXT NOT NULL DEFAULT '',
    postcode           TEXT NOT NULL DEFAULT '',
    city               TEXT NOT NULL DEFAULT '',
    monthly_rent       INTEGER NOT NULL DEFAULT 0 CHECK (monthly_rent >= 0),
    start_date         TEXT,
    landlord_reference TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX tenancies_landlord ON tenancies (landlord_id);

CREATE TABLE arrears (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    component TEXT NOT NULL CHECK (component IN ('rent', 'fees', 'collection_costs', 'other')),
    amount    INTEGER NOT NULL CHECK (amount >= 0),
    as_of     TEXT NOT NULL,
    UNIQUE (case_id, component)
) STRICT;

CREATE TABLE debts (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    creditor       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    in_enforcement INTEGER NOT NULL DEFAULT 0 CHECK (in_enforcement IN (0, 1))
) STRICT;
CREATE INDEX debts_case ON debts (case_id);

CREATE TABLE benefits (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('housing_allowance', 'social_assistance', 'other')),
    status     TEXT NOT NULL CHECK (status IN ('not_applied', 'applied', 'granted', 'refused')),
    decided_on TEXT,
    note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX benefits_case ON benefits (case_id);

CREATE TABLE authority_decisions (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('eviction_notice', 'court_case', 'bailiff_eviction')),
    event_date TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX authority_decisions_case ON authority_decisions (case_id);

CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    party        TEXT NOT NULL CHECK (party IN ('landlord', 'social_services', 'debt_counselling', 'benefits_office', 'court_bailiff', 'other')),
    scope        TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL CHECK (method IN ('written', 'oral', 'electronic')),
    given_on     TEXT NOT NULL,
    withdrawn_on TEXT
) STRICT;
CREATE INDEX consents_case ON consents (case_id);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    channel    TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'office', 'service_point', 'home_visit', 'video')),
    at         TEXT NOT NULL,
    minutes    INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    topic      TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    advisor_id INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX contacts_case ON contacts (case_id);
CREATE INDEX contacts_at ON contacts (at);

CREATE TABLE referrals (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    partner     TEXT NOT NULL,
    referred_on TEXT NOT NULL,
    result      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX referrals_case ON referrals (case_id);

CREATE TABLE followups (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    due_on     TEXT NOT NULL,
    task       TEXT NOT NULL,
    done_on    TEXT,
    advisor_id INTEGER REFERENCES users (id)
) STRICT;
CREATE INDEX followups_case ON followups (case_id);
CREATE INDEX followups_open_due ON followups (due_on) WHERE done_on IS NULL;

CREATE TABLE outcomes (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('eviction_prevented', 'court_case_withdrawn', 'payment_plan_made', 'plan_completed', 'moved_affordable', 'benefits_granted', 'referred_debt_counselling', 'evicted', 'contact_lost')),
    recorded_on TEXT NOT NULL,
    UNIQUE (case_id, outcome)
) STRICT;

-- Revisions of a payment plan; the schedule and its tracking arrive with the plan editor.
CREATE TABLE payment_plans (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    total      INTEGER NOT NULL CHECK (total >= 0),
    created_at TEXT NOT NULL,
    UNIQUE (case_id, revision)
) STRICT;

-- Full-text search; rowid is the case id. Kept in step by the case services, in the same
-- transaction as the change it reflects. Contentless (the text lives in its own tables) and
-- with column-level detail (no phrase search is offered), which keeps the index a quarter
-- of the size of a full one, so more of it stays in the decrypted page cache.
CREATE VIRTUAL TABLE case_search USING fts5 (
    names, identity, address, landlord, notes,
    content = '',
    contentless_delete = 1,
    detail = column,
    tokenize = "unicode61 remove_diacritics 2"
);
