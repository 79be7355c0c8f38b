-- no-transaction
-- Work subjects (工作事项): events and obligations attach to a subject — a proceeding, or a
-- work item (a risk warning 风险预警, a supervision order 督办单, a suggestion 司法建议, an
-- accountability case 责任追究) that may concern a proceeding or stand alone ("a case or a
-- problem"). Events, deadlines and submissions therefore gain `work_item_id` and their
-- `proceeding_id` becomes optional (the rows of a proceeding keep it). Repeating obligations
-- (督办 progress every half month until 销号) are one row per occurrence (`occurrence`, 1, 2, …).
-- SQLite changes a NOT NULL column by rebuilding the table: foreign keys off (outside a
-- transaction), rebuild in one transaction, on again (as migration 0010). AUTOINCREMENT and the
-- sequences are kept: ids are never reused.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE work_items (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    -- The proceeding it concerns, if any (a supervision order may be about a problem).
    proceeding_id   INTEGER REFERENCES proceedings(id),
    -- open / closed (销号).
    status          TEXT NOT NULL,
    opened_on       TEXT NOT NULL,
    closed_on       TEXT,
    closed_reason   TEXT,
    note            TEXT,
    created_by      INTEGER REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX work_items_jur_idx ON work_items (jurisdiction_id, status, id);
CREATE INDEX work_items_proceeding_idx ON work_items (proceeding_id, id);

-- The units a work item is addressed to: each owes the item's unit obligations.
CREATE TABLE work_item_units (
    work_item_id INTEGER NOT NULL REFERENCES work_items(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (work_item_id, unit_id)
);
CREATE INDEX work_item_units_unit_idx ON work_item_units (unit_id, work_item_id);

CREATE TABLE events_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id INTEGER REFERENCES proceedings(id),
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    work_item_id  INTEGER REFERENCES work_items(id),
    CHECK ((proceeding_id IS NULL) <> (work_item_id IS NULL))
);
INSERT INTO events_rebuilt (id, proceeding_id, kind, occurred_on, note, version, created_at, updated_at)
 SELECT id, proceeding_id, kind, occurred_on, note, version, created_at, updated_at FROM events;
DROP TABLE events;
ALTER TABLE events_rebuilt RENAME TO events;
CREATE INDEX events_proceeding_idx ON events (proceeding_id, occurred_on);
CREATE INDEX events_work_item_idx ON events (work_item_id, occurred_on);

CREATE TABLE deadlines_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id   INTEGER REFERENCES proceedings(id),
    -- Copy of the subject's jurisdiction_id for the jurisdiction-wide lists.
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
    nature          TEXT NOT NULL DEFAULT 'duty',
    submission_state TEXT,
    met_by_event    INTEGER,
    work_item_id    INTEGER REFERENCES work_items(id),
    -- 1 for a rule's only (or first) obligation; 2, 3 … for the repetitions of a repeating rule.
    occurrence      INTEGER NOT NULL DEFAULT 1,
    CHECK ((proceeding_id IS NULL) <> (work_item_id IS NULL))
);
INSERT INTO deadlines_rebuilt (id, proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on, responsible, severity,
 citation, trace, provisional, met_on, waived_reason, waived_by, done, change_note, adjustments, version, created_at, updated_at, unit_id,
 nature, submission_state, met_by_event)
 SELECT id, proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on, responsible, severity,
 citation, trace, provisional, met_on, waived_reason, waived_by, done, change_note, adjustments, version, created_at, updated_at, unit_id,
 nature, submission_state, met_by_event FROM deadlines;
DROP TABLE deadlines;
ALTER TABLE deadlines_rebuilt RENAME TO deadlines;
CREATE INDEX deadlines_proceeding_idx ON deadlines (proceeding_id, done, due_on);
CREATE INDEX deadlines_jur_idx ON deadlines (jurisdiction_id, done, due_on, id);
CREATE UNIQUE INDEX deadlines_obligation_key ON deadlines (event_id, rule_id, COALESCE(unit_id, 0), occurrence);
CREATE INDEX deadlines_unit_idx ON deadlines (unit_id, nature, done, due_on, id);
CREATE INDEX deadlines_jur_nature_idx ON deadlines (jurisdiction_id, nature, responsible, done, due_on, id);
CREATE INDEX deadlines_work_item_idx ON deadlines (work_item_id, done, due_on);

CREATE TABLE submissions_rebuilt (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    deadline_id      INTEGER NOT NULL REFERENCES deadlines(id),
    proceeding_id    INTEGER REFERENCES proceedings(id),
    -- Copy of deadlines.jurisdiction_id and unit_id for the review lists.
    jurisdiction_id  INTEGER NOT NULL,
    unit_id          INTEGER REFERENCES units(id),
    -- 1 for the first submission of this obligation, 2 for the resubmission after a return …
    seq              INTEGER NOT NULL,
    status           TEXT NOT NULL,
    submitted_on     TEXT NOT NULL,
    submitted_at     TEXT NOT NULL,
    submitted_by     INTEGER REFERENCES users(id),
    submitted_by_name TEXT NOT NULL,
    fields           TEXT NOT NULL,
    note             TEXT,
    reviewed_by_name TEXT,
    reviewed_at      TEXT,
    review_note      TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
);
INSERT INTO submissions_rebuilt SELECT * FROM submissions;
DROP TABLE submissions;
ALTER TABLE submissions_rebuilt RENAME TO submissions;
CREATE UNIQUE INDEX submissions_deadline_seq_key ON submissions (deadline_id, seq);
CREATE INDEX submissions_review_idx ON submissions (jurisdiction_id, status, id);
CREATE INDEX submissions_unit_idx ON submissions (unit_id, status, id);

COMMIT;
PRAGMA foreign_keys = ON;
