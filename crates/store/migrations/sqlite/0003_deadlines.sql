-- Events recorded on proceedings and the deadlines the rule catalogue derives from them.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    kind          TEXT NOT NULL,
    occurred_on   TEXT NOT NULL,
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX events_proceeding_idx ON events (proceeding_id, occurred_on);

CREATE TABLE deadlines (
    id              INTEGER PRIMARY KEY,
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
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX deadlines_event_rule_key ON deadlines (event_id, rule_id);
CREATE INDEX deadlines_proceeding_idx ON deadlines (proceeding_id, done, due_on);
CREATE INDEX deadlines_jur_idx ON deadlines (jurisdiction_id, done, due_on, id);
CREATE INDEX deadlines_jur_resp_idx ON deadlines (jurisdiction_id, responsible, done, due_on, id);

-- Hearings by date, for calendar feeds.
CREATE INDEX hearings_scheduled_idx ON hearings (scheduled_at, proceeding_id);

-- Calendar feeds (日历订阅): a secret URL per user or unit; only the SM3 hash is stored.
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL,
    user_id       INTEGER REFERENCES users(id),
    unit_id       INTEGER REFERENCES units(id),
    created_by_id INTEGER,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);
CREATE UNIQUE INDEX feeds_token_key ON feeds (token_hash);
