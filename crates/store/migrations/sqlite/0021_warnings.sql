-- 红黄蓝 risk warnings (issue 17): a warning on a pending proceeding from the court (预警函),
-- the bureau or a defendant unit, with its grade and reasons; the bureau's assignment (交办)
-- opens a work item of kind risk_warning (the responsible units and their obligations) and
-- names the 包案 leader; regrading, escalation and the close-out with its result are steps of
-- its history (warning_steps), each with who and why.
CREATE TABLE warnings (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id    INTEGER NOT NULL REFERENCES units(id),
    proceeding_id      INTEGER NOT NULL REFERENCES proceedings(id),
    grade              TEXT NOT NULL,
    reasons            TEXT NOT NULL,
    source             TEXT NOT NULL,
    source_unit_id     INTEGER NOT NULL REFERENCES units(id),
    issued_on          TEXT NOT NULL,
    letter_document_id INTEGER REFERENCES documents(id),
    state              TEXT NOT NULL,
    work_item_id       INTEGER REFERENCES work_items(id),
    lead_head_id       INTEGER REFERENCES unit_heads(id),
    lead_label         TEXT,
    assigned_on        TEXT,
    result             TEXT,
    result_note        TEXT,
    closed_on          TEXT,
    created_by         INTEGER REFERENCES users(id),
    created_by_name    TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX warnings_list_idx ON warnings (jurisdiction_id, state, grade, id);
CREATE INDEX warnings_proceeding_idx ON warnings (proceeding_id, id);

CREATE TABLE warning_steps (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    warning_id INTEGER NOT NULL REFERENCES warnings(id),
    step       TEXT NOT NULL,
    grade      TEXT NOT NULL,
    note       TEXT,
    by_name    TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX warning_steps_idx ON warning_steps (warning_id, id);
