-- A record the assessed cannot bend (更正申请): who recorded each outcome, and the requests of
-- units to correct an outcome the 司法局 recorded or a court document confirmed, which the bureau
-- approves (the outcome changes, with the reason) or refuses. Outcomes stored before this
-- migration are taken as the bureau's.
ALTER TABLE outcomes ADD COLUMN source TEXT NOT NULL DEFAULT 'bureau';

CREATE TABLE correction_requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    proceeding_id     INTEGER NOT NULL REFERENCES proceedings(id),
    jurisdiction_id   INTEGER NOT NULL,
    outcome_id        INTEGER NOT NULL REFERENCES outcomes(id),
    unit_id           INTEGER REFERENCES units(id),
    -- The outcome when asked, and the outcome asked for.
    before_code       TEXT NOT NULL,
    before_decided_on TEXT NOT NULL,
    code              TEXT NOT NULL,
    decided_on        TEXT NOT NULL,
    grounds           TEXT NOT NULL DEFAULT '',
    note              TEXT,
    reason            TEXT NOT NULL,
    document_id       INTEGER NOT NULL REFERENCES documents(id),
    status            TEXT NOT NULL,
    requested_by      INTEGER REFERENCES users(id),
    requested_by_name TEXT NOT NULL,
    requested_at      TEXT NOT NULL,
    decided_by_name   TEXT,
    decided_at        TEXT,
    decision_note     TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    updated_at        TEXT NOT NULL
);
CREATE INDEX correction_requests_queue_idx ON correction_requests (jurisdiction_id, status, id);
CREATE INDEX correction_requests_outcome_idx ON correction_requests (outcome_id, id);
CREATE INDEX correction_requests_unit_idx ON correction_requests (unit_id, status, id);
