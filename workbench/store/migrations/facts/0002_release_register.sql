-- The release register: what every statistics export published, and the figures each period was frozen at when first published.

-- One row per export: the period, the threshold, format and language, who and when.
CREATE TABLE f_releases (
    id        INTEGER PRIMARY KEY,
    period    TEXT NOT NULL,
    first_q   INTEGER NOT NULL,
    last_q    INTEGER NOT NULL,
    threshold INTEGER NOT NULL,
    format    TEXT NOT NULL,
    language  TEXT NOT NULL,
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;

-- Every value the export published (they are public), or NULL where it showed the mark
-- for a hidden value. item: "c:ROW:COL", "row:ROW", "col:COL", "all" or "fig:N".
CREATE TABLE f_release_items (
    release_id INTEGER NOT NULL REFERENCES f_releases (id),
    table_key  TEXT NOT NULL,
    item       TEXT NOT NULL,
    value      INTEGER,
    PRIMARY KEY (release_id, table_key, item)
) STRICT;

-- A period's full tables, as they stood when the period was first published: later exports
-- of it (or of a longer period containing it) use these, so late changes can never be
-- found by subtracting one export from another.
CREATE TABLE f_frozen (
    period TEXT PRIMARY KEY,
    tables TEXT NOT NULL,
    at     TEXT NOT NULL
) STRICT;
