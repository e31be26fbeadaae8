-- Team sync: the functions devices call, with their privileges
--
-- Applied by workbench.sync.server.install() after the numbered steps, whenever this file
-- differs from the one last applied (its digest is kept in workbench.settings): every
-- function in the schema is dropped and made again, in the same transaction, except the
-- row-level security helpers workbench._rls_* that the policies (steps/) depend on.
--
-- Every device function is SECURITY DEFINER (it runs as the installing owner) with a pinned
-- search_path that ends with pg_temp, so a device's temporary tables can never stand in for
-- ours; names are schema-qualified anyway. The caller is session_user, matched against
-- workbench.devices.db_role. Errors carry our own SQLSTATEs:
--   WB001 stale key epoch           WB002 client too old ("update this program")
--   WB003 not allowed (role/state)  WB004 unknown device / invitation
--   WB005 bad input

DO $$
DECLARE
    f pg_catalog.regprocedure;
BEGIN
    FOR f IN SELECT p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc p
             WHERE p.pronamespace = 'workbench'::pg_catalog.regnamespace
               AND p.proname NOT LIKE '\_rls\_%'  -- the policies' helpers (steps/)
    LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s', f);
    END LOOP;
END
$$;

-- Internal helpers (no EXECUTE for devices) ------------------------------------------------

-- The calling device, checked against what the function needs:
--   'any' (any state but revoked), 'invited', 'active', 'admin' (an active administrator).
-- Sets workbench.device_id / device_role / device_state for the row-level security policies.
-- Every device function calls this first, so inside our functions the settings are always
-- the caller's. They are transaction-local (a function's SET clause cannot scope them: a
-- non-superuser owner may not name custom settings there), so they outlive the call within
-- the device's transaction; that gives the device nothing, since the policies honour them
-- only while the owner's functions run (current_user the owner).
CREATE FUNCTION workbench._caller(need text) RETURNS workbench.devices
LANGUAGE plpgsql SET search_path = pg_catalog, workbench, pg_temp
AS $$
DECLARE
    me workbench.devices;
BEGIN
    PERFORM pg_catalog.set_config('workbench.device_id', '', true);
    PERFORM pg_catalog.set_config('workbench.device_role', '', true);
    PERFORM pg_catalog.set_config('workbench.device_state', '', true);
    SELECT d.* INTO me FROM workbench.devices d WHERE d.db_role = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this login (%) is not a device of the team', session_user
            USING ERRCODE = 'WB004';
    END IF;
    IF me.state = 'revoked' THEN
        RAISE EXCEPTION 'this device has been removed from the team' USING ERRCODE = 'WB003';
    ELSIF need = 'invited' AND me.state <> 'invited' THEN
        RAISE EXCEPTION 'this device has already enrolled (state %)', me.state
            USING ERRCODE = 'WB003';
    ELSIF need IN ('active', 'admin') AND me.state <> 'active' THEN
        RAISE EXCEPTION 'this device is not approved yet (state %)', me.state
            USING ERRCODE = 'WB003';
    ELSIF need = 'admin' AND me.role <> 'admin' THEN
        RAISE EXCEPTION 'only an administrator''s device may do this' USING ERRCODE = 'WB003';
    ELSIF need NOT IN ('any', 'invited', 'active', 'admin') THEN
        RAISE EXCEPTION 'workbench._caller: unknown need %', need;
    END IF;
    PERFORM pg_catalog.set_config('workbench.device_id', me.device_id::text, true);
    PERFORM pg_catalog.set_config('workbench.device_role', me.role, true);
    PERFORM pg_catalog.set_config('workbench.device_state', me.state, true);
    RETURN me;
END
$$;

CREATE FUNCTION workbench._check_client_version(client_version int) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, workbench, pg_temp
AS $$
DECLARE
    minimum int;
BEGIN
    SELECT s.value::int INTO minimum FROM workbench.settings s WHERE s.key = 'min_client_version';
    IF client_version IS NULL OR client_version < coalesce(minimum, 0) THEN
        RAISE EXCEPTION 'this program is too old for the team server: update this program'
            USING ERRCODE = 'WB002',
                  DETAIL = format('client version %s, the team requires %s',
                                  coalesce(client_version::text, 'unknown'), minimum);
    END IF;
END
$$;

-- A LOGIN role for a device: member of workbench_device, at most 8 connections, timeouts
-- so a stuck laptop cannot hold the push gate. The password may also be a SCRAM-SHA-256
-- verifier ("SCRAM-SHA-256$…"), so the secret itself never reaches the server.
CREATE FUNCTION workbench._make_role(device_id uuid, password text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, workbench, pg_temp
AS $$
DECLARE
    r text := 'wb_' || replace(device_id::text, '-', '');
BEGIN
    IF password IS NULL OR password = '' THEN
        RAISE EXCEPTION 'a device needs a password' USING ERRCODE = 'WB005';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
        RAISE EXCEPTION 'a database role % already exists', r USING ERRCODE = 'WB005';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L CONNECTION LIMIT 8 IN ROLE workbench_device',
                   r, password);
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', r, '60s');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', r, '60s');
    RETURN r;
END
$$;

-- Insert or replace envelopes; every target must be a known device that is not revoked.
CREATE FUNCTION workbench._put_envelopes(device_ids uuid[], channels text[], epochs int[],
                                         sealed bytea[], created_by uuid) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    n int := cardinality(device_ids);
    bad record;
BEGIN
    IF n IS NULL OR cardinality(channels) IS DISTINCT FROM n
       OR cardinality(epochs) IS DISTINCT FROM n OR cardinality(sealed) IS DISTINCT FROM n THEN
        RAISE EXCEPTION 'envelope arrays must have the same length' USING ERRCODE = 'WB005';
    END IF;
    IF n > 10000 THEN
        RAISE EXCEPTION 'too many envelopes at once (% > 10000)', n USING ERRCODE = 'WB005';
    END IF;
    IF array_position(device_ids, NULL) IS NOT NULL OR array_position(channels, NULL) IS NOT NULL
       OR array_position(epochs, NULL) IS NOT NULL OR array_position(sealed, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'an envelope has an empty field' USING ERRCODE = 'WB005';
    END IF;
    SELECT u.ch, u.ep INTO bad
    FROM unnest(channels, epochs) AS u(ch, ep)
    WHERE NOT EXISTS (SELECT 1 FROM workbench.epochs e WHERE e.channel = u.ch AND e.epoch = u.ep)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'no key epoch % on channel %', bad.ep, bad.ch USING ERRCODE = 'WB005';
    END IF;
    SELECT u.d INTO bad FROM unnest(device_ids, channels, epochs) AS u(d, ch, ep)
    GROUP BY u.d, u.ch, u.ep HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'envelope for device % given twice', bad.d USING ERRCODE = 'WB005';
    END IF;
    SELECT u.d INTO bad FROM unnest(device_ids) AS u(d)
    WHERE NOT EXISTS (SELECT 1 FROM workbench.devices d WHERE d.device_id = u.d) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'unknown device %', bad.d USING ERRCODE = 'WB004';
    END IF;
    SELECT u.d INTO bad FROM unnest(device_ids) AS u(d)
    JOIN workbench.devices d ON d.device_id = u.d WHERE d.state = 'revoked' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'device % has been removed from the team', bad.d USING ERRCODE = 'WB003';
    END IF;
    INSERT INTO workbench.envelopes AS e (device_id, channel, epoch, sealed, created_by)
    SELECT u.d, u.ch, u.ep, u.s, _put_envelopes.created_by
    FROM unnest(device_ids, channels, epochs, sealed) AS u(d, ch, ep, s)
    ON CONFLICT (device_id, channel, epoch)
        DO UPDATE SET sealed = excluded.sealed, created_by = excluded.created_by;
END
$$;

-- Device functions -----------------------------------------------------------------------

-- Append changes. Returns (op_id, seq) for every op_id given, in the order given, also for
-- those stored before (a retry never duplicates and learns the seq).
CREATE FUNCTION workbench.push(op_ids uuid[], channels text[], entities bytea[],
                               key_epochs int[], schema_versions int[], nonces bytea[],
                               ciphertexts bytea[], signatures bytea[], client_version int)
RETURNS TABLE (op_id uuid, seq bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
-- A device that holds the gate open (a transaction left waiting) delays others 20 s at
-- most: they give up and sync later; its own connection is closed when it is removed.
SET lock_timeout = '20s'
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    n int := cardinality(op_ids);
    bad record;
BEGIN
    me := workbench._caller('active');
    PERFORM workbench._check_client_version(push.client_version);
    IF n IS NULL OR cardinality(channels) IS DISTINCT FROM n
       OR cardinality(entities) IS DISTINCT FROM n OR cardinality(key_epochs) IS DISTINCT FROM n
       OR cardinality(schema_versions) IS DISTINCT FROM n OR cardinality(nonces) IS DISTINCT FROM n
       OR cardinality(ciphertexts) IS DISTINCT FROM n
       OR cardinality(signatures) IS DISTINCT FROM n THEN
        RAISE EXCEPTION 'push: the arrays must have the same length' USING ERRCODE = 'WB005';
    END IF;
    IF n > 5000 THEN
        RAISE EXCEPTION 'push: at most 5000 changes at once (got %)', n USING ERRCODE = 'WB005';
    END IF;
    IF array_position(op_ids, NULL) IS NOT NULL OR array_position(channels, NULL) IS NOT NULL
       OR array_position(entities, NULL) IS NOT NULL
       OR array_position(key_epochs, NULL) IS NOT NULL
       OR array_position(schema_versions, NULL) IS NOT NULL
       OR array_position(nonces, NULL) IS NOT NULL
       OR array_position(ciphertexts, NULL) IS NOT NULL
       OR array_position(signatures, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'push: a change has an empty field' USING ERRCODE = 'WB005';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(channels) AS u(ch) WHERE u.ch NOT IN ('case', 'facts', 'audit'))
    THEN
        RAISE EXCEPTION 'push: unknown channel' USING ERRCODE = 'WB005';
    END IF;
    IF me.role = 'lead' AND EXISTS (SELECT 1 FROM unnest(channels) AS u(ch)
                                    WHERE u.ch <> 'facts') THEN
        RAISE EXCEPTION 'a lead''s device may send statistics facts only' USING ERRCODE = 'WB003';
    END IF;
    -- Sizes: one change (a case with its scanned documents) up to 64 MiB, a call up to
    -- 256 MiB, so no device can make every other laptop download without end.
    IF EXISTS (SELECT 1 FROM unnest(ciphertexts) AS u(ct) WHERE octet_length(u.ct) > 67108864)
       OR (SELECT sum(octet_length(u.ct)) FROM unnest(ciphertexts) AS u(ct)) > 268435456 THEN
        RAISE EXCEPTION 'push: a change or the call is too large' USING ERRCODE = 'WB005';
    END IF;
    -- Each statement of a read-committed transaction sees what committed before it, which
    -- the gate below relies on (and the retry lookup).
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'push must run in a READ COMMITTED transaction' USING ERRCODE = 'WB005';
    END IF;

    -- The gate: one pushing transaction at a time, held until it commits. Sequence numbers
    -- are handed out while holding it, so a smaller seq always commits first and a reader
    -- that has seen seq n has seen everything below n: its cursor never skips a late commit.
    LOCK TABLE workbench.push_gate IN EXCLUSIVE MODE;

    -- Key epochs (checked after the gate: rotate takes it too). Changes stored before are
    -- not checked again, so a retry after a rotation still learns its seq.
    SELECT u.ch, u.ep, cur.epoch AS cur_epoch INTO bad
    FROM unnest(op_ids, channels, key_epochs) AS u(o, ch, ep)
    LEFT JOIN (SELECT e.channel, max(e.epoch) AS epoch FROM workbench.epochs e
               GROUP BY e.channel) AS cur
           ON cur.channel = CASE u.ch WHEN 'audit' THEN 'case' ELSE u.ch END
    WHERE u.ep IS DISTINCT FROM cur.epoch
      AND NOT EXISTS (SELECT 1 FROM workbench.changes c WHERE c.op_id = u.o)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stale key epoch on channel %: the team key is at epoch %, the change used %',
                        bad.ch, coalesce(bad.cur_epoch::text, 'none'), bad.ep
            USING ERRCODE = 'WB001';
    END IF;

    INSERT INTO workbench.changes (op_id, channel, device_id, entity, key_epoch, schema_version,
                                   nonce, ciphertext, signature)
    SELECT u.o, u.ch, me.device_id, u.en, u.ep, u.sv, u.nc, u.ct, u.sg
    FROM unnest(op_ids, channels, entities, key_epochs, schema_versions, nonces, ciphertexts,
                signatures) WITH ORDINALITY AS u(o, ch, en, ep, sv, nc, ct, sg, i)
    -- (behind the gate this sees every stored change: retries use up no sequence numbers)
    WHERE NOT EXISTS (SELECT 1 FROM workbench.changes c WHERE c.op_id = u.o)
    ORDER BY u.i
    ON CONFLICT (op_id) DO NOTHING;

    -- An op_id stored before must be this device's change on the same channel.
    IF EXISTS (SELECT 1 FROM unnest(op_ids, channels) AS u(o, ch)
               LEFT JOIN workbench.changes c ON c.op_id = u.o
               WHERE c.seq IS NULL OR c.device_id <> me.device_id OR c.channel <> u.ch) THEN
        RAISE EXCEPTION 'push: an op_id is already used by another change' USING ERRCODE = 'WB005';
    END IF;

    UPDATE workbench.devices d
    SET last_seen = now(), client_version = push.client_version
    WHERE d.device_id = me.device_id;

    RETURN QUERY
        SELECT u.o, c.seq
        FROM unnest(op_ids) WITH ORDINALITY AS u(o, i)
        JOIN workbench.changes c ON c.op_id = u.o
        ORDER BY u.i;
END
$$;

-- Changes after a cursor, oldest first: every channel, or 'facts' only for a lead's device.
CREATE FUNCTION workbench.pull(after bigint, max_rows int)
RETURNS TABLE (seq bigint, op_id uuid, channel text, device_id uuid, entity bytea,
               key_epoch int, schema_version int, nonce bytea, ciphertext bytea,
               signature bytea, received_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    lim int;
BEGIN
    me := workbench._caller('active');
    IF pull.after IS NULL OR pull.after < 0 OR max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'pull: after must be >= 0 and max_rows >= 1' USING ERRCODE = 'WB005';
    END IF;
    lim := least(max_rows, 5000);
    UPDATE workbench.devices d SET last_seen = now()
    WHERE d.device_id = me.device_id
      AND (d.last_seen IS NULL OR d.last_seen < now() - interval '1 minute');
    IF me.role = 'lead' THEN
        RETURN QUERY
            SELECT c.seq, c.op_id, c.channel, c.device_id, c.entity, c.key_epoch,
                   c.schema_version, c.nonce, c.ciphertext, c.signature, c.received_at
            FROM workbench.changes c
            WHERE c.channel = 'facts' AND c.seq > pull.after
            ORDER BY c.seq
            LIMIT lim;
    ELSE
        -- A case worker's laptop derives statistics facts itself: the leads' facts
        -- records are not sent to it (on a first sync they are most of the records).
        RETURN QUERY
            SELECT c.seq, c.op_id, c.channel, c.device_id, c.entity, c.key_epoch,
                   c.schema_version, c.nonce, c.ciphertext, c.signature, c.received_at
            FROM workbench.changes c
            WHERE c.seq > pull.after AND c.channel <> 'facts'
            ORDER BY c.seq
            LIMIT lim;
    END IF;
END
$$;

-- The calling device's own record, in any state but revoked (a waiting laptop polls it).
CREATE FUNCTION workbench.my_device()
RETURNS TABLE (device_id uuid, name text, user_name text, role text, state text,
               certificate bytea, approved_by uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
DECLARE
    me workbench.devices;
BEGIN
    me := workbench._caller('any');
    RETURN QUERY SELECT me.device_id, me.name, me.user_name, me.role, me.state,
                        me.certificate, me.approved_by;
END
$$;

-- The team keys sealed to the calling device.
CREATE FUNCTION workbench.my_envelopes()
RETURNS TABLE (channel text, epoch int, sealed bytea, created_by uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
BEGIN
    me := workbench._caller('active');
    RETURN QUERY
        SELECT e.channel, e.epoch, e.sealed, e.created_by
        FROM workbench.envelopes e
        WHERE e.device_id = me.device_id
        ORDER BY e.channel, e.epoch;
END
$$;

-- The team's roster, revoked devices included (their keys verify their old changes).
CREATE FUNCTION workbench.devices()
RETURNS TABLE (device_id uuid, name text, user_name text, role text, state text,
               box_public bytea, sign_public bytea, certificate bytea, approved_by uuid,
               created_at timestamptz, approved_at timestamptz, revoked_at timestamptz,
               last_seen timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    PERFORM workbench._caller('active');
    RETURN QUERY
        SELECT d.device_id, d.name, d.user_name, d.role, d.state, d.box_public, d.sign_public,
               d.certificate, d.approved_by, d.created_at, d.approved_at, d.revoked_at,
               d.last_seen
        FROM workbench.devices d
        ORDER BY d.created_at, d.name;
END
$$;

CREATE FUNCTION workbench.current_epochs()
RETURNS TABLE (channel text, epoch int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    PERFORM workbench._caller('active');
    RETURN QUERY
        SELECT e.channel, max(e.epoch) FROM workbench.epochs e GROUP BY e.channel ORDER BY 1;
END
$$;

-- How many changes a pull after ``after`` would bring this device (for a progress bar).
CREATE FUNCTION workbench.waiting(after bigint)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
BEGIN
    me := workbench._caller('active');
    IF waiting.after IS NULL OR waiting.after < 0 THEN
        RAISE EXCEPTION 'waiting: after must be >= 0' USING ERRCODE = 'WB005';
    END IF;
    IF me.role = 'lead' THEN
        RETURN (SELECT count(*) FROM workbench.changes c
                WHERE c.channel = 'facts' AND c.seq > waiting.after);
    END IF;
    RETURN (SELECT count(*) FROM workbench.changes c
            WHERE c.seq > waiting.after AND c.channel <> 'facts');
END
$$;

CREATE FUNCTION workbench.server_info()
RETURNS TABLE (schema_version int, team_id text, min_client_version int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    PERFORM workbench._caller('any');
    RETURN QUERY
        SELECT (SELECT s.value::int FROM workbench.settings s WHERE s.key = 'schema_version'),
               (SELECT s.value FROM workbench.settings s WHERE s.key = 'team_id'),
               coalesce((SELECT s.value::int FROM workbench.settings s
                         WHERE s.key = 'min_client_version'), 0);
END
$$;

-- Administrators ---------------------------------------------------------------------------

-- A new device: its LOGIN role (returned) and its record in state 'invited'.
CREATE FUNCTION workbench.invite(device_id uuid, name text, user_name text, role text,
                                 password text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    r text;
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    me := workbench._caller('admin');
    IF invite.device_id IS NULL OR coalesce(trim(invite.name), '') = ''
       OR coalesce(trim(invite.user_name), '') = '' THEN
        RAISE EXCEPTION 'invite: a device needs an id, a name and a user name'
            USING ERRCODE = 'WB005';
    END IF;
    IF invite.role IS NULL OR invite.role NOT IN ('admin', 'advisor', 'lead') THEN
        RAISE EXCEPTION 'invite: unknown role %', invite.role USING ERRCODE = 'WB005';
    END IF;
    IF EXISTS (SELECT 1 FROM workbench.devices d WHERE d.device_id = invite.device_id) THEN
        RAISE EXCEPTION 'invite: device % exists already', invite.device_id
            USING ERRCODE = 'WB005';
    END IF;
    IF EXISTS (SELECT 1 FROM workbench.devices d WHERE d.name = invite.name) THEN
        RAISE EXCEPTION 'invite: a device named "%" exists already', invite.name
            USING ERRCODE = 'WB005';
    END IF;
    r := workbench._make_role(invite.device_id, invite.password);
    INSERT INTO workbench.devices (device_id, name, user_name, role, db_role, state)
    VALUES (invite.device_id, invite.name, invite.user_name, invite.role, r, 'invited');
    RETURN r;
END
$$;

-- The invited device gives its public keys and waits for approval.
CREATE FUNCTION workbench.enrol(box_public bytea, sign_public bytea, client_version int)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
BEGIN
    me := workbench._caller('invited');
    PERFORM workbench._check_client_version(enrol.client_version);
    IF coalesce(octet_length(enrol.box_public), 0) NOT BETWEEN 1 AND 4096
       OR coalesce(octet_length(enrol.sign_public), 0) NOT BETWEEN 1 AND 4096 THEN
        RAISE EXCEPTION 'enrol: missing or oversized public key' USING ERRCODE = 'WB005';
    END IF;
    UPDATE workbench.devices d
    SET box_public = enrol.box_public, sign_public = enrol.sign_public,
        client_version = enrol.client_version, state = 'pending', enrolled_at = now(),
        last_seen = now()
    WHERE d.device_id = me.device_id AND d.state = 'invited';
    IF NOT FOUND THEN  -- a second enrol raced this one
        RAISE EXCEPTION 'this device has already enrolled' USING ERRCODE = 'WB003';
    END IF;
END
$$;

-- An administrator, having compared the fingerprint, activates a pending device and gives
-- it the team keys (channels[i], epochs[i], sealed[i]).
CREATE FUNCTION workbench.approve(device_id uuid, certificate bytea, channels text[],
                                  epochs int[], sealed bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    target workbench.devices;
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    me := workbench._caller('admin');
    SELECT d.* INTO target FROM workbench.devices d WHERE d.device_id = approve.device_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'approve: unknown device %', approve.device_id USING ERRCODE = 'WB004';
    END IF;
    IF target.state <> 'pending' THEN
        RAISE EXCEPTION 'approve: device % is %, not pending', approve.device_id, target.state
            USING ERRCODE = 'WB003';
    END IF;
    IF coalesce(octet_length(approve.certificate), 0) = 0 THEN
        RAISE EXCEPTION 'approve: a certificate is needed' USING ERRCODE = 'WB005';
    END IF;
    UPDATE workbench.devices d
    SET certificate = approve.certificate, approved_by = me.device_id, state = 'active',
        approved_at = now()
    WHERE d.device_id = approve.device_id;
    PERFORM workbench._put_envelopes(
        array_fill(approve.device_id, ARRAY[coalesce(cardinality(channels), 0)]),
        channels, epochs, sealed, me.device_id);
END
$$;

CREATE FUNCTION workbench.add_envelopes(device_ids uuid[], channels text[], epochs int[],
                                        sealed bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
DECLARE
    me workbench.devices;
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    me := workbench._caller('admin');
    PERFORM workbench._put_envelopes(device_ids, channels, epochs, sealed, me.device_id);
END
$$;

-- A new team key for a channel: epoch current+1 and its envelopes, atomically. Takes the
-- push gate too, so every change with a larger seq than the rotation's commit is checked
-- against the new epoch.
CREATE FUNCTION workbench.rotate(channel text, new_epoch int, device_ids uuid[], sealed bytea[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
SET lock_timeout = '20s'
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    cur int;
    n int := coalesce(cardinality(device_ids), 0);
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    me := workbench._caller('admin');
    IF rotate.channel IS NULL OR rotate.channel NOT IN ('case', 'facts') THEN
        RAISE EXCEPTION 'rotate: unknown channel %', rotate.channel USING ERRCODE = 'WB005';
    END IF;
    IF n = 0 THEN
        RAISE EXCEPTION 'rotate: the new key must be sealed to at least one device'
            USING ERRCODE = 'WB005';
    END IF;
    LOCK TABLE workbench.push_gate IN EXCLUSIVE MODE;
    SELECT max(e.epoch) INTO cur FROM workbench.epochs e WHERE e.channel = rotate.channel;
    IF rotate.new_epoch IS DISTINCT FROM coalesce(cur, 0) + 1 THEN
        RAISE EXCEPTION 'rotate: channel % is at epoch %, the next is %',
                        rotate.channel, coalesce(cur, 0), coalesce(cur, 0) + 1
            USING ERRCODE = 'WB001';
    END IF;
    INSERT INTO workbench.epochs (channel, epoch, created_by)
    VALUES (rotate.channel, rotate.new_epoch, me.device_id);
    PERFORM workbench._put_envelopes(device_ids, array_fill(rotate.channel, ARRAY[n]),
                                     array_fill(rotate.new_epoch, ARRAY[n]), sealed,
                                     me.device_id);
END
$$;

-- Remove a device: its role may no longer log in, its open connections are closed, and its
-- calls fail with WB003 from now on. Revoking a revoked device again does it again.
CREATE FUNCTION workbench.revoke(device_id uuid)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    me workbench.devices;
    target workbench.devices;
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    me := workbench._caller('admin');
    SELECT d.* INTO target FROM workbench.devices d WHERE d.device_id = revoke.device_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'revoke: unknown device %', revoke.device_id USING ERRCODE = 'WB004';
    END IF;
    IF target.role = 'admin' AND target.state = 'active'
       AND NOT EXISTS (SELECT 1 FROM workbench.devices d
                       WHERE d.role = 'admin' AND d.state = 'active'
                         AND d.device_id <> target.device_id) THEN
        RAISE EXCEPTION 'revoke: the team''s last administrator device cannot be removed'
            USING ERRCODE = 'WB003';
    END IF;
    UPDATE workbench.devices d
    SET state = 'revoked', revoked_at = coalesce(d.revoked_at, now())
    WHERE d.device_id = target.device_id;
    EXECUTE format('ALTER ROLE %I NOLOGIN', target.db_role);
    -- Not our own connection: an administrator removing its own device would abort this.
    PERFORM pg_terminate_backend(a.pid)
    FROM pg_stat_activity a
    WHERE a.usename = target.db_role AND a.pid <> pg_backend_pid();
    -- The device's last change: the removing administrator signs it into the next key
    -- epoch's statement, so no laptop accepts a change of it numbered later.
    RETURN (SELECT coalesce(max(c.seq), 0) FROM workbench.changes c
            WHERE c.device_id = target.device_id);
END
$$;

CREATE FUNCTION workbench.set_min_client_version(v int)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, workbench, pg_temp
AS $$
BEGIN
    LOCK TABLE workbench.admin_gate IN EXCLUSIVE MODE;
    PERFORM workbench._caller('admin');
    IF v IS NULL OR v < 0 THEN
        RAISE EXCEPTION 'set_min_client_version: a version >= 0 is needed'
            USING ERRCODE = 'WB005';
    END IF;
    UPDATE workbench.settings s SET value = v::text WHERE s.key = 'min_client_version';
END
$$;

-- Privileges: nothing for PUBLIC; devices may call the device functions only.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA workbench FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    workbench.push(uuid[], text[], bytea[], int[], int[], bytea[], bytea[], bytea[], int),
    workbench.pull(bigint, int),
    workbench.waiting(bigint),
    workbench.my_device(),
    workbench.my_envelopes(),
    workbench.devices(),
    workbench.current_epochs(),
    workbench.server_info(),
    workbench.invite(uuid, text, text, text, text),
    workbench.enrol(bytea, bytea, int),
    workbench.approve(uuid, bytea, text[], int[], bytea[]),
    workbench.add_envelopes(uuid[], text[], int[], bytea[]),
    workbench.rotate(text, int, uuid[], bytea[]),
    workbench.revoke(uuid),
    workbench.set_min_client_version(int)
TO workbench_device;
