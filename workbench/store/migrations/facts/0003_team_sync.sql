-- Team sync on a project lead's laptop: its place in the team, the statistics key, and which record last described each case's facts.
--
-- A lead's laptop holds only this store, so its sync state lives here, under the same
-- table names as in the case store (a case worker's connection finds the case store's
-- own first). The facts of the team's cases arrive as records from the case workers'
-- laptops; the latest record for a case replaces its facts.

CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
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

CREATE TABLE f_sources (
    fid TEXT PRIMARY KEY,                     -- a case of the team (or 'partners')
    seq INTEGER NOT NULL                      -- the server's number of the record applied
) STRICT;
