-- Submit and review (报送—审核): a unit submits what its obligation requires (documents of the
-- proceeding, fields, a note); the 司法局 accepts it (the obligation is met on the submission
-- date) or returns it with reasons. Every version is kept.
CREATE TABLE submissions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    deadline_id      INTEGER NOT NULL REFERENCES deadlines(id),
    proceeding_id    INTEGER NOT NULL REFERENCES proceedings(id),
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
CREATE UNIQUE INDEX submissions_deadline_seq_key ON submissions (deadline_id, seq);
CREATE INDEX submissions_review_idx ON submissions (jurisdiction_id, status, id);
CREATE INDEX submissions_unit_idx ON submissions (unit_id, status, id);

CREATE TABLE submission_documents (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    document_id   INTEGER NOT NULL REFERENCES documents(id),
    PRIMARY KEY (submission_id, document_id)
);

-- The latest submission's status on the obligation itself, for lists (待审核 / 已退回 / 已通过).
ALTER TABLE deadlines ADD COLUMN submission_state TEXT;
