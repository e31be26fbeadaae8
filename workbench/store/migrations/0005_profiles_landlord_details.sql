-- Users' profiles (full name, title, contact details), landlords' contact person, address and payment details, and which agreement a re-issued one replaces.

CREATE TABLE user_profiles (
    user_name  TEXT PRIMARY KEY,            -- the roster's user name
    full_name  TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

ALTER TABLE landlords ADD COLUMN contact_person TEXT NOT NULL DEFAULT '';
ALTER TABLE landlords ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE landlords ADD COLUMN iban TEXT NOT NULL DEFAULT '';               -- compact IBAN
ALTER TABLE landlords ADD COLUMN bankgiro TEXT NOT NULL DEFAULT '';           -- Sweden
ALTER TABLE landlords ADD COLUMN payment_reference TEXT NOT NULL DEFAULT '';

ALTER TABLE documents ADD COLUMN replaces INTEGER REFERENCES documents (id);
