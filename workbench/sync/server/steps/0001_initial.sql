-- Team sync: settings, devices, key epochs and envelopes, the change log, row-level security
--
-- Applied by workbench.sync.server.install() in one transaction with search_path set to
-- pg_catalog only, so every name here is schema-qualified. The functions devices call are in
-- ../schema.sql (replaced as a whole when they change).
--
-- Who may see what, in two layers:
--  1. Privileges: devices (members of workbench_device) get USAGE on the schema and EXECUTE
--     on the device functions, nothing on any table.
--  2. Row-level security, forced on the owner too, so the SECURITY DEFINER functions (which
--     run as the owner) see only what the calling device may see. Policies:
--     * "owner": a session logged in as the owner (session_user a member of the table
--       owner), for install, register_first_device and maintenance, sees everything;
--     * "device_…": only while the owner's functions run for a device (current_user is
--       the owner, session_user the device), keyed on the transaction-local settings
--       workbench.device_id / device_role / device_state that workbench._caller() sets from
--       the devices row of session_user at the start of every device function. A device
--       that set these itself would gain nothing, even given a table privilege by mistake:
--       its own queries run as itself (or as workbench_device after SET ROLE), never as
--       the owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'workbench_device') THEN
        CREATE ROLE workbench_device NOLOGIN;
    END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS workbench;
REVOKE ALL ON SCHEMA workbench FROM PUBLIC;
GRANT USAGE ON SCHEMA workbench TO workbench_device;

CREATE TABLE workbench.settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE workbench.devices (
    device_id      uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name <> ''),
    user_name      text NOT NULL CHECK (user_name <> ''),
    role           text NOT NULL CHECK (role IN ('admin', 'advisor', 'lead')),
    db_role        name NOT NULL UNIQUE,
    box_public     bytea,
    sign_public    bytea,
    certificate    bytea,
    approved_by    uuid REFERENCES workbench.devices,
    state          text NOT NULL CHECK (state IN ('invited', 'pending', 'active', 'revoked')),
    client_version int,
    created_at     timestamptz NOT NULL DEFAULT now(),
    enrolled_at    timestamptz,
    approved_at    timestamptz,
    revoked_at     timestamptz,
    last_seen      timestamptz,
    -- an enrolled device has its public keys; an approved one its certificate
    CHECK (state = 'invited' OR (box_public IS NOT NULL AND sign_public IS NOT NULL)),
    CHECK (state <> 'active' OR certificate IS NOT NULL)
);

-- Team-key epochs per channel ('audit' records use the 'case' key).
CREATE TABLE workbench.epochs (
    channel    text NOT NULL CHECK (channel IN ('case', 'facts')),
    epoch      int NOT NULL CHECK (epoch >= 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid REFERENCES workbench.devices,
    PRIMARY KEY (channel, epoch)
);

-- A team key of one epoch, sealed to one device's public key.
CREATE TABLE workbench.envelopes (
    device_id  uuid NOT NULL REFERENCES workbench.devices,
    channel    text NOT NULL,
    epoch      int NOT NULL,
    sealed     bytea NOT NULL,
    created_by uuid REFERENCES workbench.devices,
    PRIMARY KEY (device_id, channel, epoch),
    FOREIGN KEY (channel, epoch) REFERENCES workbench.epochs
);

-- The append-only change log. seq order is commit order (push serialises on push_gate).
CREATE TABLE workbench.changes (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id          uuid NOT NULL UNIQUE,
    channel        text NOT NULL CHECK (channel IN ('case', 'facts', 'audit')),
    device_id      uuid NOT NULL REFERENCES workbench.devices,
    entity         bytea NOT NULL,
    key_epoch      int NOT NULL,
    schema_version int NOT NULL,
    nonce          bytea NOT NULL,
    ciphertext     bytea NOT NULL,
    signature      bytea NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now()
);
-- A lead's pull reads only 'facts': a range scan on (channel, seq).
CREATE INDEX changes_channel_seq ON workbench.changes (channel, seq);

-- Empty tables that exist to be locked (LOCK TABLE … IN EXCLUSIVE MODE, held to commit):
-- push_gate serialises pushes (and rotations) so seq order equals commit order; admin_gate
-- serialises administrators' changes (last-admin check, epochs). Unlike an advisory lock,
-- which any login may take with pg_advisory_lock() and hold, a device cannot take these:
-- LOCK TABLE needs a table privilege devices do not have.
CREATE TABLE workbench.push_gate ();
CREATE TABLE workbench.admin_gate ();

REVOKE ALL ON workbench.settings, workbench.devices, workbench.epochs, workbench.envelopes,
    workbench.changes, workbench.push_gate, workbench.admin_gate FROM PUBLIC;

-- Row-level security -----------------------------------------------------------------------

-- True in a session logged in as the owner (install, register_first_device, maintenance).
CREATE FUNCTION workbench._rls_owner_session() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_has_role(session_user, c.relowner, 'MEMBER')
    FROM pg_class c WHERE c.oid = 'workbench.settings'::regclass
$$;

-- The calling device's id, role or state while the owner's functions act for it (as
-- workbench._caller() set them); NULL outside our functions, whatever a session set itself.
CREATE FUNCTION workbench._rls_caller(what text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pg_has_role(current_user, c.relowner, 'MEMBER')
                THEN nullif(current_setting('workbench.device_' || what, true), '') END
    FROM pg_class c WHERE c.oid = 'workbench.settings'::regclass
$$;

REVOKE ALL ON FUNCTION workbench._rls_owner_session(), workbench._rls_caller(text) FROM PUBLIC;

ALTER TABLE workbench.settings   ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.devices    ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.epochs     ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.envelopes  ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.changes    ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.push_gate  ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.admin_gate ENABLE ROW LEVEL SECURITY;
ALTER TABLE workbench.settings   FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.devices    FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.epochs     FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.envelopes  FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.changes    FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.push_gate  FORCE ROW LEVEL SECURITY;
ALTER TABLE workbench.admin_gate FORCE ROW LEVEL SECURITY;

-- (Each call is wrapped in a scalar subquery so it runs once per query, not once per row.)

-- The owner's own sessions see and change everything.
CREATE POLICY owner ON workbench.settings  USING ((SELECT workbench._rls_owner_session()));
CREATE POLICY owner ON workbench.devices   USING ((SELECT workbench._rls_owner_session()));
CREATE POLICY owner ON workbench.epochs    USING ((SELECT workbench._rls_owner_session()));
CREATE POLICY owner ON workbench.envelopes USING ((SELECT workbench._rls_owner_session()));
CREATE POLICY owner ON workbench.changes   USING ((SELECT workbench._rls_owner_session()));

-- settings: read inside any device function (no secrets); an administrator changes them
-- (min_client_version).
CREATE POLICY device_read ON workbench.settings FOR SELECT
    USING ((SELECT workbench._rls_caller('state')) IS NOT NULL);
CREATE POLICY device_admin_update ON workbench.settings FOR UPDATE
    USING ((SELECT workbench._rls_caller('state')) = 'active'
           AND (SELECT workbench._rls_caller('role')) = 'admin');

-- devices: a device sees its own row in any state (workbench._caller finds it before the
-- settings exist), an active device the whole roster.
CREATE POLICY device_own_row ON workbench.devices FOR SELECT
    USING (db_role = session_user
           AND (SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER')
                FROM pg_catalog.pg_class c
                WHERE c.oid = 'workbench.devices'::pg_catalog.regclass));
CREATE POLICY device_read ON workbench.devices FOR SELECT
    USING ((SELECT workbench._rls_caller('state')) = 'active');
-- a device updates its own row (enrol, last_seen), an administrator any (approve, revoke)
CREATE POLICY device_update ON workbench.devices FOR UPDATE
    USING (device_id::text = (SELECT workbench._rls_caller('id'))
           OR ((SELECT workbench._rls_caller('state')) = 'active'
               AND (SELECT workbench._rls_caller('role')) = 'admin'));
CREATE POLICY device_admin_insert ON workbench.devices FOR INSERT
    WITH CHECK ((SELECT workbench._rls_caller('state')) = 'active'
                AND (SELECT workbench._rls_caller('role')) = 'admin');

-- epochs: active devices read; administrators add.
CREATE POLICY device_read ON workbench.epochs FOR SELECT
    USING ((SELECT workbench._rls_caller('state')) = 'active');
CREATE POLICY device_admin_insert ON workbench.epochs FOR INSERT
    WITH CHECK ((SELECT workbench._rls_caller('state')) = 'active'
                AND (SELECT workbench._rls_caller('role')) = 'admin');

-- envelopes: an active device reads its own; administrators read and write all.
CREATE POLICY device_read ON workbench.envelopes FOR SELECT
    USING ((SELECT workbench._rls_caller('state')) = 'active'
           AND (device_id::text = (SELECT workbench._rls_caller('id'))
                OR (SELECT workbench._rls_caller('role')) = 'admin'));
CREATE POLICY device_admin_insert ON workbench.envelopes FOR INSERT
    WITH CHECK ((SELECT workbench._rls_caller('state')) = 'active'
                AND (SELECT workbench._rls_caller('role')) = 'admin');
CREATE POLICY device_admin_update ON workbench.envelopes FOR UPDATE
    USING ((SELECT workbench._rls_caller('state')) = 'active'
           AND (SELECT workbench._rls_caller('role')) = 'admin');

-- changes: active devices read (a lead only 'facts') and append as themselves (a lead never
-- 'case'). No UPDATE or DELETE policy: for the functions the log is append-only.
CREATE POLICY device_read ON workbench.changes FOR SELECT
    USING ((SELECT workbench._rls_caller('state')) = 'active'
           AND ((SELECT workbench._rls_caller('role')) <> 'lead' OR channel = 'facts'));
CREATE POLICY device_insert ON workbench.changes FOR INSERT
    WITH CHECK ((SELECT workbench._rls_caller('state')) = 'active'
                AND device_id::text = (SELECT workbench._rls_caller('id'))
                AND ((SELECT workbench._rls_caller('role')) <> 'lead' OR channel = 'facts'));
