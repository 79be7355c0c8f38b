-- Statistics: indexes for period windows, and published (frozen) figure sets.

-- Facts concluded in a period: outcomes by date, closings of proceedings without an outcome.
CREATE INDEX outcomes_decided_idx ON outcomes (decided_on, proceeding_id);
CREATE INDEX proceedings_jur_closed_idx ON proceedings (jurisdiction_id, closed_on);

-- A published figure set (季度通报 etc.) never changes: later corrections show as a
-- difference between the live figures and this row.
CREATE TABLE stat_snapshots (
    id              INTEGER PRIMARY KEY,
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    period_kind     TEXT NOT NULL,
    from_on         TEXT NOT NULL,
    to_on           TEXT NOT NULL,
    label           TEXT NOT NULL,
    -- The statistics configuration (TOML) and loss rule (JSON) the figures were computed with.
    config          TEXT NOT NULL,
    loss_rule       TEXT NOT NULL,
    -- The figure set (JSON).
    figures         TEXT NOT NULL,
    note            TEXT,
    published_by_id INTEGER,
    published_by    TEXT NOT NULL,
    published_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX stat_snapshots_period_key ON stat_snapshots (jurisdiction_id, from_on, to_on);

CREATE TRIGGER stat_snapshots_no_update BEFORE UPDATE ON stat_snapshots
BEGIN SELECT RAISE(ABORT, 'stat_snapshots are frozen'); END;
CREATE TRIGGER stat_snapshots_no_delete BEFORE DELETE ON stat_snapshots
BEGIN SELECT RAISE(ABORT, 'stat_snapshots are frozen'); END;
