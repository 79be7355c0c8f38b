-- Tamper-evident audit log (issue 15): every row carries the SM3 hash of its content chained to
-- the row before (`prev_hash`, `row_hash`); `audit_head` holds the last link, and writing it
-- first serialises audit writers (a row lock held to commit) so the chain never forks. Rows
-- written before this migration are sealed by the application right after it
-- (`Store::migrate`), in id order. The append-only trigger now allows exactly that: giving an
-- unsealed row its hashes once, nothing else.
--
-- Run the application under a role that does not own the tables (README: "PostgreSQL roles"):
-- only an owner or a superuser can disable a trigger. `Store::migrate` grants a role named
-- huajie_app, when it exists, what the application needs and only read and append on the audit
-- log, after every run that applied migrations (so later tables are covered too).
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN row_hash TEXT;

CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '');

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
            AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_name, NEW.action, NEW.entity, NEW.entity_id,
                 NEW.proceeding_id, NEW.before_json, NEW.after_json, NEW.reason)
                IS NOT DISTINCT FROM
                (OLD.id, OLD.at, OLD.actor_id, OLD.actor_name, OLD.action, OLD.entity, OLD.entity_id,
                 OLD.proceeding_id, OLD.before_json, OLD.after_json, OLD.reason) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
