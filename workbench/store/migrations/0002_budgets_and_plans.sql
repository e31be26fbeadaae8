-- Household budgets, payment plan revisions with their instalments, and payments.

CREATE TABLE budgets (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    taken_on   TEXT NOT NULL,
    adults     INTEGER NOT NULL DEFAULT 1 CHECK (adults >= 0),
    children   INTEGER NOT NULL DEFAULT 0 CHECK (children >= 0),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (case_id, taken_on)
) STRICT;

CREATE TABLE budget_lines (
    id          INTEGER PRIMARY KEY,
    budget_id   INTEGER NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('income', 'expense')),
    amount      INTEGER NOT NULL CHECK (amount >= 0),
    frequency   TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly', 'monthly', 'quarterly', 'yearly')),
    note        TEXT NOT NULL DEFAULT '',
    explanation TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX budget_lines_budget ON budget_lines (budget_id);

-- A plan revision keeps the terms it was made on; the newest revision of a case is in force.
ALTER TABLE payment_plans ADD COLUMN components TEXT NOT NULL DEFAULT '{}';
ALTER TABLE payment_plans ADD COLUMN start_on TEXT;
ALTER TABLE payment_plans ADD COLUMN due_day INTEGER;
ALTER TABLE payment_plans ADD COLUMN instalment INTEGER;
ALTER TABLE payment_plans ADD COLUMN months INTEGER;
ALTER TABLE payment_plans ADD COLUMN pause_months TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_plans ADD COLUMN monthly_rent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment_plans ADD COLUMN budget_id INTEGER REFERENCES budgets (id) ON DELETE SET NULL;
ALTER TABLE payment_plans ADD COLUMN capacity INTEGER;
ALTER TABLE payment_plans ADD COLUMN capacity_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE payment_plans ADD COLUMN note TEXT NOT NULL DEFAULT '';
-- The due date of the first instalment payments do not yet cover: a cache of what the
-- instalments and payments say, rewritten with every change to either, so the case list can
-- show and filter "follow-ups due" without adding up payments for 100,000 cases.
ALTER TABLE payment_plans ADD COLUMN next_unpaid_on TEXT;

CREATE TABLE plan_instalments (
    id      INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES payment_plans (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    due_on  TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0),
    note    TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, seq)
) STRICT;

CREATE TABLE payments (
    id      INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    plan_id INTEGER NOT NULL REFERENCES payment_plans (id) ON DELETE CASCADE,
    paid_on TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (amount > 0),
    payer   TEXT NOT NULL CHECK (payer IN ('tenant', 'social_assistance', 'other')),
    note    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX payments_plan ON payments (plan_id);
CREATE INDEX payments_case ON payments (case_id);
