-- Audit rows signed by the acting user's key; referrals looked up by partner for the statistics facts.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
ALTER TABLE audit_log ADD COLUMN signature BLOB;
CREATE INDEX referrals_partner ON referrals (partner);
