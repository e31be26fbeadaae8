-- Team sync: global ids of rows, the outbox, what each field was last based on, conflicts
--
-- Nothing here changes a case table. A row's global id and the versions of its fields live
-- in sync_rows; triggers note every changed row in sync_dirty, and the end of each action
-- turns those notes into one change record in the outbox (the same transaction as the
-- change and its audit row). The triggers write only while sync is switched on for this
-- store (sync_state.capture = '1').

CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_dirty (
    n      INTEGER PRIMARY KEY,
    tbl    TEXT NOT NULL,
    row_id INTEGER NOT NULL,
    op     TEXT NOT NULL CHECK (op IN ('i', 'u', 'd')),
    old    TEXT                               -- the row before the change, as JSON
) STRICT;

CREATE TABLE sync_rows (
    gid        TEXT PRIMARY KEY,
    tbl        TEXT NOT NULL,
    row_id     INTEGER,                       -- NULL while the row is deleted
    entity     TEXT NOT NULL,                 -- the case (or landlord, person) it belongs to
    created_op TEXT NOT NULL,
    versions   TEXT NOT NULL DEFAULT '{}',    -- field -> the change(s) it now stands on
    tomb       TEXT                           -- a deleted row's last values, for a restore
) STRICT;
CREATE UNIQUE INDEX sync_rows_local ON sync_rows (tbl, row_id) WHERE row_id IS NOT NULL;

CREATE TABLE sync_deletes (
    gid  TEXT NOT NULL,
    op   TEXT NOT NULL,
    base TEXT NOT NULL,                       -- JSON list of the changes the delete had seen
    PRIMARY KEY (gid, op)
) STRICT;

CREATE TABLE sync_conflicts (
    gid    TEXT NOT NULL,
    field  TEXT NOT NULL,
    op     TEXT NOT NULL,
    value  TEXT,                              -- JSON
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,                     -- user @ device
    entity TEXT NOT NULL,
    PRIMARY KEY (gid, field, op)
) STRICT;
CREATE INDEX sync_conflicts_entity ON sync_conflicts (entity);

CREATE TABLE sync_outbox (
    n       INTEGER PRIMARY KEY,
    op_id   TEXT NOT NULL,                   -- random; the server keeps one copy per id
    channel TEXT NOT NULL,
    entity  TEXT NOT NULL,
    payload TEXT NOT NULL                     -- JSON; encrypted with the team key when sent
) STRICT;

CREATE TABLE sync_seen (
    op_id TEXT PRIMARY KEY,
    seq   INTEGER,                            -- the server's number; NULL until sent
    at    TEXT NOT NULL DEFAULT '',
    who   TEXT NOT NULL DEFAULT '',           -- the user who made it
    dev   TEXT NOT NULL DEFAULT ''            -- the device it was made on
) STRICT, WITHOUT ROWID;

-- The last record taken in from each other laptop, by that laptop's own count.
CREATE TABLE sync_counters (
    device TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
) STRICT;

-- Records from a newer program: kept, applied once this program is updated. Records that
-- wait for an earlier one the server has not sent yet. Faulty records (version -1).
CREATE TABLE sync_held (
    seq            INTEGER PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    record         TEXT NOT NULL
) STRICT;

CREATE TABLE sync_keys (
    channel TEXT NOT NULL,
    epoch   INTEGER NOT NULL,
    key     BLOB NOT NULL,
    PRIMARY KEY (channel, epoch)
) STRICT;

CREATE TABLE sync_devices (
    device_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    role        TEXT NOT NULL,
    state       TEXT NOT NULL,
    box_public  BLOB,
    sign_public BLOB,
    certificate BLOB,
    approved_by TEXT,
    last_seen   TEXT
) STRICT;

-- Cases whose statistics facts the team has not been sent since they changed, and what
-- was sent last for each (a lead's laptop receives only these facts).
CREATE TABLE sync_facts_dirty (
    case_gid TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Cases this laptop has changed itself. Only these have their facts sent again when
-- another laptop's change arrives (the merge may differ from what that laptop sent); a
-- case only others changed, they send.
CREATE TABLE sync_own_cases (
    case_gid TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- Cases received in bulk (a first sync) whose search entry and facts are still to be
-- derived; done at the end of the sync, or at the next one if it was cut short.
CREATE TABLE sync_derive (
    case_id INTEGER PRIMARY KEY
) STRICT;

CREATE TABLE sync_facts_sent (
    fid    TEXT PRIMARY KEY,
    digest TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Each device's audit rows as they arrived, to verify every device's chain.
CREATE TABLE sync_audit (
    device_id TEXT NOT NULL,
    id        INTEGER NOT NULL,
    row       TEXT NOT NULL,                  -- JSON of the device's audit row
    PRIMARY KEY (device_id, id)
) STRICT;

CREATE TRIGGER sync_settings_i AFTER INSERT ON settings WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1' AND NEW.key IN ('signing_certificate', 'signing_key', 'seal_certificate_history')
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('settings', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_settings_u AFTER UPDATE ON settings WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1' AND OLD.key IN ('signing_certificate', 'signing_key', 'seal_certificate_history')
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('settings', OLD.rowid, 'u', json_object('key', OLD.key, 'value', OLD.value));
END;

CREATE TRIGGER sync_settings_d AFTER DELETE ON settings WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1' AND OLD.key IN ('signing_certificate', 'signing_key', 'seal_certificate_history')
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('settings', OLD.rowid, 'd', json_object('key', OLD.key, 'value', OLD.value));
END;

CREATE TRIGGER sync_persons_i AFTER INSERT ON persons WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('persons', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_persons_u AFTER UPDATE ON persons WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('persons', OLD.rowid, 'u', json_object('id', OLD.id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'identity_number', OLD.identity_number, 'identity_kind', OLD.identity_kind, 'identity_unverified', OLD.identity_unverified, 'birth_year', OLD.birth_year, 'phone', OLD.phone, 'email', OLD.email, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_persons_d AFTER DELETE ON persons WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('persons', OLD.rowid, 'd', json_object('id', OLD.id, 'first_name', OLD.first_name, 'last_name', OLD.last_name, 'identity_number', OLD.identity_number, 'identity_kind', OLD.identity_kind, 'identity_unverified', OLD.identity_unverified, 'birth_year', OLD.birth_year, 'phone', OLD.phone, 'email', OLD.email, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_landlords_i AFTER INSERT ON landlords WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('landlords', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_landlords_u AFTER UPDATE ON landlords WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('landlords', OLD.rowid, 'u', json_object('id', OLD.id, 'name', OLD.name, 'kind', OLD.kind, 'phone', OLD.phone, 'email', OLD.email, 'contact_person', OLD.contact_person, 'address', OLD.address, 'iban', OLD.iban, 'bankgiro', OLD.bankgiro, 'payment_reference', OLD.payment_reference));
END;

CREATE TRIGGER sync_landlords_d AFTER DELETE ON landlords WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('landlords', OLD.rowid, 'd', json_object('id', OLD.id, 'name', OLD.name, 'kind', OLD.kind, 'phone', OLD.phone, 'email', OLD.email, 'contact_person', OLD.contact_person, 'address', OLD.address, 'iban', OLD.iban, 'bankgiro', OLD.bankgiro, 'payment_reference', OLD.payment_reference));
END;

CREATE TRIGGER sync_user_profiles_i AFTER INSERT ON user_profiles WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('user_profiles', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_user_profiles_u AFTER UPDATE ON user_profiles WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('user_profiles', OLD.rowid, 'u', json_object('user_name', OLD.user_name, 'full_name', OLD.full_name, 'title', OLD.title, 'phone', OLD.phone, 'email', OLD.email, 'address', OLD.address, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_user_profiles_d AFTER DELETE ON user_profiles WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('user_profiles', OLD.rowid, 'd', json_object('user_name', OLD.user_name, 'full_name', OLD.full_name, 'title', OLD.title, 'phone', OLD.phone, 'email', OLD.email, 'address', OLD.address, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_cases_i AFTER INSERT ON cases WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('cases', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_cases_u AFTER UPDATE ON cases WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('cases', OLD.rowid, 'u', json_object('id', OLD.id, 'person_id', OLD.person_id, 'status', OLD.status, 'opened_on', OLD.opened_on, 'closed_on', OLD.closed_on, 'referral_source', OLD.referral_source, 'reasons', OLD.reasons, 'advisor_id', OLD.advisor_id, 'intake_arrears', OLD.intake_arrears, 'note', OLD.note, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_cases_d AFTER DELETE ON cases WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('cases', OLD.rowid, 'd', json_object('id', OLD.id, 'person_id', OLD.person_id, 'status', OLD.status, 'opened_on', OLD.opened_on, 'closed_on', OLD.closed_on, 'referral_source', OLD.referral_source, 'reasons', OLD.reasons, 'advisor_id', OLD.advisor_id, 'intake_arrears', OLD.intake_arrears, 'note', OLD.note, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at));
END;

CREATE TRIGGER sync_household_members_i AFTER INSERT ON household_members WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('household_members', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_household_members_u AFTER UPDATE ON household_members WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('household_members', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'role', OLD.role, 'name', OLD.name, 'birth_year', OLD.birth_year));
END;

CREATE TRIGGER sync_household_members_d AFTER DELETE ON household_members WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('household_members', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'role', OLD.role, 'name', OLD.name, 'birth_year', OLD.birth_year));
END;

CREATE TRIGGER sync_tenancies_i AFTER INSERT ON tenancies WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('tenancies', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_tenancies_u AFTER UPDATE ON tenancies WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('tenancies', OLD.rowid, 'u', json_object('case_id', OLD.case_id, 'landlord_id', OLD.landlord_id, 'street', OLD.street, 'postcode', OLD.postcode, 'city', OLD.city, 'monthly_rent', OLD.monthly_rent, 'start_date', OLD.start_date, 'landlord_reference', OLD.landlord_reference));
END;

CREATE TRIGGER sync_tenancies_d AFTER DELETE ON tenancies WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('tenancies', OLD.rowid, 'd', json_object('case_id', OLD.case_id, 'landlord_id', OLD.landlord_id, 'street', OLD.street, 'postcode', OLD.postcode, 'city', OLD.city, 'monthly_rent', OLD.monthly_rent, 'start_date', OLD.start_date, 'landlord_reference', OLD.landlord_reference));
END;

CREATE TRIGGER sync_arrears_i AFTER INSERT ON arrears WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('arrears', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_arrears_u AFTER UPDATE ON arrears WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('arrears', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'component', OLD.component, 'amount', OLD.amount, 'as_of', OLD.as_of));
END;

CREATE TRIGGER sync_arrears_d AFTER DELETE ON arrears WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('arrears', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'component', OLD.component, 'amount', OLD.amount, 'as_of', OLD.as_of));
END;

CREATE TRIGGER sync_debts_i AFTER INSERT ON debts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('debts', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_debts_u AFTER UPDATE ON debts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('debts', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'creditor', OLD.creditor, 'kind', OLD.kind, 'amount', OLD.amount, 'in_enforcement', OLD.in_enforcement));
END;

CREATE TRIGGER sync_debts_d AFTER DELETE ON debts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('debts', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'creditor', OLD.creditor, 'kind', OLD.kind, 'amount', OLD.amount, 'in_enforcement', OLD.in_enforcement));
END;

CREATE TRIGGER sync_benefits_i AFTER INSERT ON benefits WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('benefits', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_benefits_u AFTER UPDATE ON benefits WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('benefits', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'status', OLD.status, 'decided_on', OLD.decided_on, 'note', OLD.note));
END;

CREATE TRIGGER sync_benefits_d AFTER DELETE ON benefits WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('benefits', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'status', OLD.status, 'decided_on', OLD.decided_on, 'note', OLD.note));
END;

CREATE TRIGGER sync_authority_decisions_i AFTER INSERT ON authority_decisions WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('authority_decisions', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_authority_decisions_u AFTER UPDATE ON authority_decisions WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('authority_decisions', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'event_date', OLD.event_date, 'note', OLD.note));
END;

CREATE TRIGGER sync_authority_decisions_d AFTER DELETE ON authority_decisions WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('authority_decisions', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'event_date', OLD.event_date, 'note', OLD.note));
END;

CREATE TRIGGER sync_consents_i AFTER INSERT ON consents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('consents', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_consents_u AFTER UPDATE ON consents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('consents', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'party', OLD.party, 'scope', OLD.scope, 'method', OLD.method, 'given_on', OLD.given_on, 'withdrawn_on', OLD.withdrawn_on));
END;

CREATE TRIGGER sync_consents_d AFTER DELETE ON consents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('consents', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'party', OLD.party, 'scope', OLD.scope, 'method', OLD.method, 'given_on', OLD.given_on, 'withdrawn_on', OLD.withdrawn_on));
END;

CREATE TRIGGER sync_contacts_i AFTER INSERT ON contacts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('contacts', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_contacts_u AFTER UPDATE ON contacts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('contacts', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'channel', OLD.channel, 'at', OLD.at, 'minutes', OLD.minutes, 'topic', OLD.topic, 'note', OLD.note, 'advisor_id', OLD.advisor_id));
END;

CREATE TRIGGER sync_contacts_d AFTER DELETE ON contacts WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('contacts', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'channel', OLD.channel, 'at', OLD.at, 'minutes', OLD.minutes, 'topic', OLD.topic, 'note', OLD.note, 'advisor_id', OLD.advisor_id));
END;

CREATE TRIGGER sync_referrals_i AFTER INSERT ON referrals WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('referrals', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_referrals_u AFTER UPDATE ON referrals WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('referrals', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'partner', OLD.partner, 'referred_on', OLD.referred_on, 'result', OLD.result));
END;

CREATE TRIGGER sync_referrals_d AFTER DELETE ON referrals WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('referrals', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'partner', OLD.partner, 'referred_on', OLD.referred_on, 'result', OLD.result));
END;

CREATE TRIGGER sync_followups_i AFTER INSERT ON followups WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('followups', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_followups_u AFTER UPDATE ON followups WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('followups', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'due_on', OLD.due_on, 'task', OLD.task, 'done_on', OLD.done_on, 'advisor_id', OLD.advisor_id));
END;

CREATE TRIGGER sync_followups_d AFTER DELETE ON followups WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('followups', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'due_on', OLD.due_on, 'task', OLD.task, 'done_on', OLD.done_on, 'advisor_id', OLD.advisor_id));
END;

CREATE TRIGGER sync_outcomes_i AFTER INSERT ON outcomes WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('outcomes', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_outcomes_u AFTER UPDATE ON outcomes WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('outcomes', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'outcome', OLD.outcome, 'recorded_on', OLD.recorded_on));
END;

CREATE TRIGGER sync_outcomes_d AFTER DELETE ON outcomes WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('outcomes', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'outcome', OLD.outcome, 'recorded_on', OLD.recorded_on));
END;

CREATE TRIGGER sync_budgets_i AFTER INSERT ON budgets WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budgets', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_budgets_u AFTER UPDATE ON budgets WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budgets', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'taken_on', OLD.taken_on, 'adults', OLD.adults, 'children', OLD.children, 'created_at', OLD.created_at));
END;

CREATE TRIGGER sync_budgets_d AFTER DELETE ON budgets WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budgets', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'taken_on', OLD.taken_on, 'adults', OLD.adults, 'children', OLD.children, 'created_at', OLD.created_at));
END;

CREATE TRIGGER sync_budget_lines_i AFTER INSERT ON budget_lines WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budget_lines', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_budget_lines_u AFTER UPDATE ON budget_lines WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budget_lines', OLD.rowid, 'u', json_object('id', OLD.id, 'budget_id', OLD.budget_id, 'category', OLD.category, 'kind', OLD.kind, 'amount', OLD.amount, 'frequency', OLD.frequency, 'note', OLD.note, 'explanation', OLD.explanation));
END;

CREATE TRIGGER sync_budget_lines_d AFTER DELETE ON budget_lines WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('budget_lines', OLD.rowid, 'd', json_object('id', OLD.id, 'budget_id', OLD.budget_id, 'category', OLD.category, 'kind', OLD.kind, 'amount', OLD.amount, 'frequency', OLD.frequency, 'note', OLD.note, 'explanation', OLD.explanation));
END;

CREATE TRIGGER sync_payment_plans_i AFTER INSERT ON payment_plans WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payment_plans', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_payment_plans_u AFTER UPDATE ON payment_plans WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payment_plans', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'revision', OLD.revision, 'total', OLD.total, 'created_at', OLD.created_at, 'components', OLD.components, 'start_on', OLD.start_on, 'due_day', OLD.due_day, 'instalment', OLD.instalment, 'months', OLD.months, 'pause_months', OLD.pause_months, 'monthly_rent', OLD.monthly_rent, 'budget_id', OLD.budget_id, 'capacity', OLD.capacity, 'capacity_reason', OLD.capacity_reason, 'note', OLD.note, 'next_unpaid_on', OLD.next_unpaid_on));
END;

CREATE TRIGGER sync_payment_plans_d AFTER DELETE ON payment_plans WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payment_plans', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'revision', OLD.revision, 'total', OLD.total, 'created_at', OLD.created_at, 'components', OLD.components, 'start_on', OLD.start_on, 'due_day', OLD.due_day, 'instalment', OLD.instalment, 'months', OLD.months, 'pause_months', OLD.pause_months, 'monthly_rent', OLD.monthly_rent, 'budget_id', OLD.budget_id, 'capacity', OLD.capacity, 'capacity_reason', OLD.capacity_reason, 'note', OLD.note, 'next_unpaid_on', OLD.next_unpaid_on));
END;

CREATE TRIGGER sync_plan_instalments_i AFTER INSERT ON plan_instalments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('plan_instalments', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_plan_instalments_u AFTER UPDATE ON plan_instalments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('plan_instalments', OLD.rowid, 'u', json_object('id', OLD.id, 'plan_id', OLD.plan_id, 'seq', OLD.seq, 'due_on', OLD.due_on, 'amount', OLD.amount, 'note', OLD.note));
END;

CREATE TRIGGER sync_plan_instalments_d AFTER DELETE ON plan_instalments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('plan_instalments', OLD.rowid, 'd', json_object('id', OLD.id, 'plan_id', OLD.plan_id, 'seq', OLD.seq, 'due_on', OLD.due_on, 'amount', OLD.amount, 'note', OLD.note));
END;

CREATE TRIGGER sync_payments_i AFTER INSERT ON payments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payments', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_payments_u AFTER UPDATE ON payments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payments', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'plan_id', OLD.plan_id, 'paid_on', OLD.paid_on, 'amount', OLD.amount, 'payer', OLD.payer, 'note', OLD.note));
END;

CREATE TRIGGER sync_payments_d AFTER DELETE ON payments WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('payments', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'plan_id', OLD.plan_id, 'paid_on', OLD.paid_on, 'amount', OLD.amount, 'payer', OLD.payer, 'note', OLD.note));
END;

CREATE TRIGGER sync_documents_i AFTER INSERT ON documents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('documents', NEW.rowid, 'i', NULL);
END;

CREATE TRIGGER sync_documents_u AFTER UPDATE ON documents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('documents', OLD.rowid, 'u', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'number', OLD.number, 'language', OLD.language, 'plan_id', OLD.plan_id, 'signers', OLD.signers, 'filename', OLD.filename, 'mime', OLD.mime, 'content', hex(OLD.content), 'created_at', OLD.created_at, 'replaces', OLD.replaces));
END;

CREATE TRIGGER sync_documents_d AFTER DELETE ON documents WHEN (SELECT value FROM sync_state WHERE key = 'capture') = '1'
BEGIN
    INSERT INTO sync_dirty (tbl, row_id, op, old) VALUES ('documents', OLD.rowid, 'd', json_object('id', OLD.id, 'case_id', OLD.case_id, 'kind', OLD.kind, 'number', OLD.number, 'language', OLD.language, 'plan_id', OLD.plan_id, 'signers', OLD.signers, 'filename', OLD.filename, 'mime', OLD.mime, 'content', hex(OLD.content), 'created_at', OLD.created_at, 'replaces', OLD.replaces));
END;
