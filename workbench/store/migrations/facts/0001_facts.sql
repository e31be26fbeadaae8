-- The de-identified statistics facts: per case, quarters and codes only; no name, number, address or free text.

-- Organisation name, country and currency (for the report's cover), and the facts' state.
CREATE TABLE fact_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- A project lead's actions (statistics exports) are audited here, signed like the case log.
CREATE TABLE fact_audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL,
    key_id    TEXT,
    signature BLOB
) STRICT;

CREATE TRIGGER fact_audit_no_update BEFORE UPDATE ON fact_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER fact_audit_no_delete BEFORE DELETE ON fact_audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Quarters are numbered year * 4 + (quarter - 1). fid: a keyed hash of the case, which only
-- holders of the case key can compute, so a fact cannot be traced back to its case.
CREATE TABLE f_cases (
    fid             TEXT PRIMARY KEY,
    opened_q        INTEGER NOT NULL,
    closed_q        INTEGER,
    referral_source TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    household_type  INTEGER NOT NULL,
    birth_year      INTEGER,
    landlord_kind   TEXT,
    intake_arrears  INTEGER NOT NULL
) STRICT;
CREATE INDEX f_cases_opened ON f_cases (opened_q);

CREATE TABLE f_contacts (
    fid     TEXT NOT NULL,
    q       INTEGER NOT NULL,
    channel TEXT NOT NULL,
    n       INTEGER NOT NULL
) STRICT;
CREATE INDEX f_contacts_fid ON f_contacts (fid);
CREATE INDEX f_contacts_q ON f_contacts (q);

CREATE TABLE f_outcomes (
    fid     TEXT NOT NULL,
    q       INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    n       INTEGER NOT NULL
) STRICT;
CREATE INDEX f_outcomes_fid ON f_outcomes (fid);

-- partner: a keyed hash of the partner's name; the name itself is kept in f_partners only
-- once at least k different households were referred there.
CREATE TABLE f_referrals (
    fid     TEXT NOT NULL,
    q       INTEGER NOT NULL,
    partner TEXT NOT NULL,
    n       INTEGER NOT NULL
) STRICT;
CREATE INDEX f_referrals_fid ON f_referrals (fid);

CREATE TABLE f_partners (
    partner TEXT PRIMARY KEY,
    name    TEXT NOT NULL
) STRICT;

CREATE TABLE f_plans (
    pid       TEXT PRIMARY KEY,
    fid       TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    created_q INTEGER NOT NULL,
    total     INTEGER NOT NULL
) STRICT;
CREATE INDEX f_plans_fid ON f_plans (fid);

-- For each instalment: the amount that must be paid by then (running sum) and the first
-- quarter at whose end it is past its days of grace.
CREATE TABLE f_plan_due (
    pid      TEXT NOT NULL,
    missed_q INTEGER NOT NULL,
    needed   INTEGER NOT NULL
) STRICT;
CREATE INDEX f_plan_due_pid ON f_plan_due (pid);

CREATE TABLE f_plan_paid (
    pid    TEXT NOT NULL,
    q      INTEGER NOT NULL,
    amount INTEGER NOT NULL
) STRICT;
CREATE INDEX f_plan_paid_pid ON f_plan_paid (pid);
