-- huajie ledger schema (SQLite). Never edit an applied migration; add a new one.
-- Dates are ISO-8601 TEXT (YYYY-MM-DD), timestamps RFC 3339 UTC TEXT, booleans INTEGER 0/1.

CREATE TABLE units (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    short_name      TEXT,
    kind            TEXT NOT NULL,
    parent_id       INTEGER REFERENCES units(id),
    jurisdiction_id INTEGER REFERENCES units(id),
    code            TEXT,
    contact_phone   TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX units_parent_name_key ON units (COALESCE(parent_id, 0), name);
CREATE INDEX units_jurisdiction_idx ON units (jurisdiction_id);

CREATE TABLE unit_heads (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    name       TEXT NOT NULL,
    post       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    phone      TEXT,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX unit_heads_unit_idx ON unit_heads (unit_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);

CREATE TABLE code_items (
    list       TEXT NOT NULL,
    code       TEXT NOT NULL,
    label      TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    version    INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (list, code)
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE disputes (
    id              INTEGER PRIMARY KEY,
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    title           TEXT NOT NULL,
    domain          TEXT NOT NULL,
    summary         TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX disputes_jurisdiction_idx ON disputes (jurisdiction_id, id);

CREATE TABLE proceedings (
    id              INTEGER PRIMARY KEY,
    dispute_id      INTEGER NOT NULL REFERENCES disputes(id),
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    kind            TEXT NOT NULL,
    case_no         TEXT,
    case_year       INTEGER,
    court_code      TEXT,
    case_type       TEXT,
    reference_no    TEXT,
    status          TEXT NOT NULL,
    domain          TEXT NOT NULL,
    act_type        TEXT,
    forum           TEXT,
    cause           TEXT,
    claimant_count  INTEGER NOT NULL,
    registered_on   TEXT NOT NULL,
    act_on          TEXT,
    received_on     TEXT,
    filed_on        TEXT,
    decided_on      TEXT,
    served_on       TEXT,
    effective_on    TEXT,
    closed_on       TEXT,
    summary         TEXT,
    claimants       TEXT NOT NULL DEFAULT '',
    defendants      TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX proceedings_case_no_key ON proceedings (case_no);
-- Ledger indexes: equality prefix, then the sort key and id (keyset order), then the other
-- filter columns so filtering happens inside the index without reading table rows.
CREATE INDEX proceedings_jur_reg_idx ON proceedings (jurisdiction_id, registered_on, id, kind, status, domain);
CREATE INDEX proceedings_jur_upd_idx ON proceedings (jurisdiction_id, updated_at, id);
CREATE INDEX proceedings_jur_status_reg_idx ON proceedings (jurisdiction_id, status, registered_on, id, kind, domain);
CREATE INDEX proceedings_jur_kind_reg_idx ON proceedings (jurisdiction_id, kind, registered_on, id, status, domain);
CREATE INDEX proceedings_jur_domain_reg_idx ON proceedings (jurisdiction_id, domain, registered_on, id, kind, status);
CREATE INDEX proceedings_dispute_idx ON proceedings (dispute_id);

CREATE TABLE parties (
    id            INTEGER PRIMARY KEY,
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
-- A unit appears at most once among the parties of a proceeding.
CREATE UNIQUE INDEX parties_proceeding_unit_key ON parties (proceeding_id, unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX parties_unit_reg_idx ON parties (unit_id, registered_on, proceeding_id);
CREATE INDEX parties_name_idx ON parties (name, proceeding_id);
-- Also serves every lookup of a proceeding's parties.
CREATE INDEX parties_proceeding_name_idx ON parties (proceeding_id, name);

CREATE TABLE hearings (
    id            INTEGER PRIMARY KEY,
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    scheduled_at  TEXT NOT NULL,
    place         TEXT,
    note          TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX hearings_proceeding_idx ON hearings (proceeding_id);

CREATE TABLE appearances (
    id          INTEGER PRIMARY KEY,
    hearing_id  INTEGER NOT NULL REFERENCES hearings(id),
    unit_id     INTEGER REFERENCES units(id),
    person_name TEXT NOT NULL,
    post        TEXT,
    level       TEXT NOT NULL,
    appeared    INTEGER NOT NULL,
    spoke       INTEGER NOT NULL,
    excuse      TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX appearances_hearing_idx ON appearances (hearing_id);

CREATE TABLE outcomes (
    id            INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX outcomes_party_key ON outcomes (party_id);
CREATE INDEX outcomes_proceeding_idx ON outcomes (proceeding_id);

CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_id      INTEGER,
    actor_name    TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     INTEGER NOT NULL,
    proceeding_id INTEGER,
    before_json   TEXT,
    after_json    TEXT
);
CREATE INDEX audit_entity_idx ON audit_events (entity, entity_id, id);
CREATE INDEX audit_proceeding_idx ON audit_events (proceeding_id, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
