-- The court-appearance duty (issue 16): circumstances of a case that call for the 正职
-- (recorded by the bureau), and each defendant unit's appearance plan for a hearing (who is to
-- appear: the named head from the unit's heads, and the agents), filed before the hearing.
CREATE TABLE case_flags (
    proceeding_id INTEGER NOT NULL REFERENCES proceedings(id),
    flag          TEXT NOT NULL,
    set_at        TEXT NOT NULL,
    PRIMARY KEY (proceeding_id, flag)
);

CREATE TABLE appearance_plans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    hearing_id    INTEGER NOT NULL REFERENCES hearings(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    head_id       INTEGER REFERENCES unit_heads(id),
    head_name     TEXT NOT NULL,
    head_post     TEXT NOT NULL,
    head_kind     TEXT NOT NULL,
    agents        TEXT NOT NULL DEFAULT '',
    filed_by      INTEGER REFERENCES users(id),
    filed_by_name TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX appearance_plans_key ON appearance_plans (hearing_id, unit_id);
