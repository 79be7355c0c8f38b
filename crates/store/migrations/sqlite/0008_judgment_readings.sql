-- Court documents read into proceedings (裁判文书识别): what the reader proposed (JSON), and
-- what the user confirmed or corrected (JSON labels) — kept as labelled examples for the reader.
CREATE TABLE judgment_readings (
    id                INTEGER PRIMARY KEY,
    proceeding_id     INTEGER NOT NULL REFERENCES proceedings(id),
    document_id       INTEGER NOT NULL REFERENCES documents(id),
    reader_version    TEXT NOT NULL,
    proposal          TEXT NOT NULL,
    status            TEXT NOT NULL,
    labels            TEXT,
    corrected         INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER REFERENCES users(id),
    created_by_name   TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    confirmed_by_name TEXT,
    confirmed_at      TEXT,
    version           INTEGER NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX judgment_readings_proceeding_idx ON judgment_readings (proceeding_id, id);
CREATE INDEX judgment_readings_status_idx ON judgment_readings (status, id);
