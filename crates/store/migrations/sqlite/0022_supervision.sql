-- 督办单 and leaders' 批示 (issue 17). A supervision order is a work item of kind supervision
-- (its units, its half-monthly progress obligations, 销号) plus what makes it an order: the 文号
-- (a sequence per year and jurisdiction), 挂牌督办 with the 包案 head and the following leader,
-- and the instruction it carries out. Instructions are written by leaders on an order or a
-- warning.
CREATE TABLE supervision_orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    work_item_id    INTEGER NOT NULL REFERENCES work_items(id),
    doc_year        INTEGER NOT NULL,
    doc_seq         INTEGER NOT NULL,
    listed          INTEGER NOT NULL DEFAULT 0,
    lead_head_id    INTEGER REFERENCES unit_heads(id),
    lead_label      TEXT,
    follower_id     INTEGER REFERENCES users(id),
    instruction_id  INTEGER,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX supervision_orders_item ON supervision_orders (work_item_id);
CREATE UNIQUE INDEX supervision_orders_doc_no ON supervision_orders (jurisdiction_id, doc_year, doc_seq);

-- Every supervision work item issued before is an order: numbered in issue order per year.
INSERT INTO supervision_orders (jurisdiction_id, work_item_id, doc_year, doc_seq, listed, version, created_at, updated_at)
SELECT w.jurisdiction_id, w.id, CAST(substr(w.opened_on, 1, 4) AS INTEGER),
       ROW_NUMBER() OVER (PARTITION BY w.jurisdiction_id, substr(w.opened_on, 1, 4) ORDER BY w.opened_on, w.id),
       0, 1, w.created_at, w.updated_at
FROM work_items w WHERE w.kind = 'supervision';

CREATE TABLE instructions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id     INTEGER NOT NULL REFERENCES units(id),
    supervision_order_id INTEGER REFERENCES supervision_orders(id),
    warning_id          INTEGER REFERENCES warnings(id),
    text                TEXT NOT NULL,
    leader_id           INTEGER NOT NULL REFERENCES users(id),
    leader_name         TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX instructions_order_idx ON instructions (supervision_order_id, id);
CREATE INDEX instructions_warning_idx ON instructions (warning_id, id);
