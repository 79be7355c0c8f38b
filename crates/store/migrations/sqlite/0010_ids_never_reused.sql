-- no-transaction
-- SQLite gave a new row the id of the last row deleted (rowid = MAX(id) + 1), so the audit
-- history of a deleted party, event, outcome or deadline ran on into a new, unrelated one.
-- The four tables whose rows are deleted are rebuilt with AUTOINCREMENT (ids never reused),
-- the sequence starting past every id the audit log has seen. SQLite's procedure for a table
-- change: foreign keys off (outside a transaction), rebuild in one transaction, on again.
-- Re-running it after a crash between its COMMIT and sqlx's bookkeeping rebuilds once more.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE deadlines_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id   INTEGER NOT NULL REFERENCES proceedings(id),
    -- Copy of proceedings.jurisdiction_id for the jurisdiction-wide lists.
    jurisdiction_id INTEGER NOT NULL,
    event_id        INTEGER NOT NULL REFERENCES events(id),
    rule_id         TEXT NOT NULL,
    parent_rule_id  TEXT,
    name            TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    responsible     TEXT NOT NULL,
    severity        TEXT NOT NULL,
    citation        TEXT NOT NULL,
    trace           TEXT NOT NULL,
    provisional     INTEGER NOT NULL DEFAULT 0,
    met_on          TEXT,
    waived_reason   TEXT,
    waived_by       TEXT,
    -- 1 once met or waived: open deadlines sort first and are the ones recomputed.
    done            INTEGER NOT NULL DEFAULT 0,
    change_note     TEXT,
    -- Approved suspensions and extension of this rule's deadline (JSON), kept across recomputation.
    adjustments     TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    unit_id         INTEGER REFERENCES units(id),
    nature          TEXT NOT NULL DEFAULT 'duty'
);
INSERT INTO deadlines_rebuilt (id, proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on, responsible, severity, citation, trace, provisional, met_on, waived_reason, waived_by, done, change_note, adjustments, version, created_at, updated_at, unit_id, nature) SELECT id, proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on, responsible, severity, citation, trace, provisional, met_on, waived_reason, waived_by, done, change_note, adjustments, version, created_at, updated_at, unit_id, nature FROM deadlines;
DROP TABLE deadlines;
ALTER TABLE deadlines_rebuilt RENAME TO deadlines;
-- Copying the rows set the sequence to their largest id; the audit log may know a larger one.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(entity_id) FROM audit_events WHERE entity = 'deadline'), 0)) WHERE name = 'deadlines';
INSERT INTO sqlite_sequence (name, seq) SELECT 'deadlines', m FROM (SELECT MAX(entity_id) AS m FROM audit_events WHERE entity = 'deadline')
 WHERE m IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'deadlines');
CREATE INDEX deadlines_proceeding_idx ON deadlines (proceeding_id, done, due_on);
CREATE INDEX deadlines_jur_idx ON deadlines (jurisdiction_id, done, due_on, id);
CREATE UNIQUE INDEX deadlines_obligation_key ON deadlines (event_id, rule_id, COALESCE(unit_id, 0));
CREATE INDEX deadlines_unit_idx ON deadlines (unit_id, nature, done, due_on, id);
CREATE INDEX deadlines_jur_nature_idx ON deadlines (jurisdiction_id, nature, responsible, done, due_on, id);

CREATE TABLE events_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
INSERT INTO events_rebuilt (id, proceeding_id, kind, occurred_on, note, version, created_at, updated_at) SELECT id, proceeding_id, kind, occurred_on, note, version, created_at, updated_at FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
-- Copying the rows set the sequence to their largest id; the audit log may know a larger one.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(entity_id) FROM audit_events WHERE entity = 'event'), 0)) WHERE name = 'events';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events', m FROM (SELECT MAX(entity_id) AS m FROM audit_events WHERE entity = 'event')
 WHERE m IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events');
CREATE INDEX events_proceeding_idx ON events (proceeding_id, occurred_on);

CREATE TABLE parties_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    role          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    -- Copy of proceedings.registered_on, so a unit's ledger pages walk one index in date order.
    registered_on TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
INSERT INTO parties_rebuilt (id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at) SELECT id, proceeding_id, role, kind, name, unit_id, registered_on, version, created_at, updated_at FROM parties;
DROP TABLE parties;
ALTER TABLE parties_rebuilt RENAME TO parties;
-- Copying the rows set the sequence to their largest id; the audit log may know a larger one.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(entity_id) FROM audit_events WHERE entity = 'party'), 0)) WHERE name = 'parties';
INSERT INTO sqlite_sequence (name, seq) SELECT 'parties', m FROM (SELECT MAX(entity_id) AS m FROM audit_events WHERE entity = 'party')
 WHERE m IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'parties');
CREATE UNIQUE INDEX parties_proceeding_unit_key ON parties (proceeding_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX parties_unit_reg_idx ON parties (unit_id, registered_on, proceeding_id);
CREATE INDEX parties_name_idx ON parties (name, proceeding_id);
CREATE INDEX parties_proceeding_name_idx ON parties (proceeding_id, name);

CREATE TABLE outcomes_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    party_id      INTEGER NOT NULL REFERENCES parties(id),
    code          TEXT NOT NULL,
    decided_on    TEXT NOT NULL,
    grounds       TEXT NOT NULL DEFAULT '',
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
INSERT INTO outcomes_rebuilt (id, proceeding_id, party_id, code, decided_on, grounds, note, version, created_at, updated_at) SELECT id, proceeding_id, party_id, code, decided_on, grounds, note, version, created_at, updated_at FROM outcomes;
DROP TABLE outcomes;
ALTER TABLE outcomes_rebuilt RENAME TO outcomes;
-- Copying the rows set the sequence to their largest id; the audit log may know a larger one.
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(entity_id) FROM audit_events WHERE entity = 'outcome'), 0)) WHERE name = 'outcomes';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outcomes', m FROM (SELECT MAX(entity_id) AS m FROM audit_events WHERE entity = 'outcome')
 WHERE m IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'outcomes');
CREATE UNIQUE INDEX outcomes_party_key ON outcomes (party_id);
CREATE INDEX outcomes_proceeding_idx ON outcomes (proceeding_id);
CREATE INDEX outcomes_decided_idx ON outcomes (decided_on, proceeding_id);

COMMIT;
PRAGMA foreign_keys = ON;
