-- Notifications (issue 16): contacts and preferences of users, the inbox (messages), the durable
-- outbox (deliveries, one per message and channel, with every attempt), the notices already
-- sent (one row per event, so a reminder is sent once however many instances sweep), and the
-- HTTP gateways of SMS / government IM.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN mobile TEXT;
ALTER TABLE users ADD COLUMN notify_prefs TEXT;

CREATE TABLE notices (
    key             TEXT PRIMARY KEY,
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    created_at      TEXT NOT NULL
);

CREATE TABLE notify_gateways (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    url             TEXT NOT NULL,
    method          TEXT NOT NULL,
    headers         TEXT NOT NULL,
    body_template   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX notify_gateways_jur_idx ON notify_gateways (jurisdiction_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users(id),
    jurisdiction_id INTEGER NOT NULL REFERENCES units(id),
    kind            TEXT NOT NULL,
    notice_key      TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    link            TEXT,
    proceeding_id   INTEGER REFERENCES proceedings(id),
    -- No foreign key: an obligation re-planned away keeps its messages (the link then says it is gone).
    deadline_id     INTEGER,
    work_item_id    INTEGER REFERENCES work_items(id),
    created_at      TEXT NOT NULL,
    read_at         TEXT
);
CREATE UNIQUE INDEX messages_once_key ON messages (user_id, notice_key);
CREATE INDEX messages_user_idx ON messages (user_id, id);
CREATE INDEX messages_unread_idx ON messages (user_id, id) WHERE read_at IS NULL;
CREATE INDEX messages_proceeding_idx ON messages (proceeding_id) WHERE proceeding_id IS NOT NULL;

CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id  INTEGER NOT NULL REFERENCES messages(id),
    channel     TEXT NOT NULL,
    gateway_id  INTEGER REFERENCES notify_gateways(id),
    address     TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    lease_owner TEXT,
    last_error  TEXT,
    sent_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX deliveries_once_key ON deliveries (message_id, channel, COALESCE(gateway_id, 0));
CREATE INDEX deliveries_due_idx ON deliveries (status, not_before);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    worker      TEXT NOT NULL,
    at          TEXT NOT NULL,
    ok          INTEGER NOT NULL,
    error       TEXT
);
CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (delivery_id, id);
