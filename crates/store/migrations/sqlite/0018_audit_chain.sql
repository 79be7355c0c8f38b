-- Tamper-evident audit log (issue 15): every row carries the SM3 hash of its content chained to
-- the row before (`prev_hash`, `row_hash`); `audit_head` holds the last link, and writing it
-- first serialises audit writers so the chain never forks. Rows written before this migration
-- are sealed by the application right after it (`Store::migrate`), in id order.
-- The append-only trigger now allows exactly that: giving an unsealed row its hashes once,
-- nothing else.
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN row_hash TEXT;

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
    AND NEW.id = OLD.id AND NEW.at IS OLD.at AND NEW.actor_id IS OLD.actor_id
    AND NEW.actor_name IS OLD.actor_name AND NEW.action IS OLD.action AND NEW.entity IS OLD.entity
    AND NEW.entity_id IS OLD.entity_id AND NEW.proceeding_id IS OLD.proceeding_id
    AND NEW.before_json IS OLD.before_json AND NEW.after_json IS OLD.after_json
    AND NEW.reason IS OLD.reason)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
