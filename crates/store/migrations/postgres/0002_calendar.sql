-- Calendar years loaded after release (e.g. the 2027 State Council notice) and local rest days.
-- jurisdiction_id 0 = the national calendar; otherwise a jurisdiction's own extra days.
CREATE TABLE calendar_days (
    jurisdiction_id BIGINT NOT NULL,
    day             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    PRIMARY KEY (jurisdiction_id, day)
);

-- National years whose notice is loaded (the shipped years need no row).
CREATE TABLE calendar_years (
    year        BIGINT PRIMARY KEY,
    source      TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
