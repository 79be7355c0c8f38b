-- Each unit's hearings by date (a unit's workbench, feeds and the appearance to-do): one row per
-- hearing and per unit that is a party to its proceeding, kept by triggers on hearings and
-- parties, so every write path (forms, API, import, corrections, the demo loader) keeps it true.
-- A unit's hearings in a window are then an index range instead of a test of every hearing of the
-- county against the parties.
CREATE TABLE hearing_units (
    hearing_id   BIGINT NOT NULL,
    unit_id      BIGINT NOT NULL,
    scheduled_at TEXT NOT NULL,
    PRIMARY KEY (hearing_id, unit_id)
);
CREATE INDEX hearing_units_unit_idx ON hearing_units (unit_id, scheduled_at, hearing_id);

INSERT INTO hearing_units (hearing_id, unit_id, scheduled_at)
SELECT h.id, p.unit_id, h.scheduled_at
FROM hearings h JOIN parties p ON p.proceeding_id = h.proceeding_id
WHERE p.unit_id IS NOT NULL;

CREATE FUNCTION hearing_units_of_hearing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM hearing_units WHERE hearing_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO hearing_units (hearing_id, unit_id, scheduled_at)
        SELECT NEW.id, p.unit_id, NEW.scheduled_at FROM parties p
        WHERE p.proceeding_id = NEW.proceeding_id AND p.unit_id IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER hearing_units_hearing
    AFTER INSERT OR DELETE OR UPDATE OF proceeding_id, scheduled_at ON hearings
    FOR EACH ROW EXECUTE FUNCTION hearing_units_of_hearing();

CREATE FUNCTION hearing_units_of_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.unit_id IS NOT NULL THEN
        DELETE FROM hearing_units WHERE unit_id = OLD.unit_id
            AND hearing_id IN (SELECT h.id FROM hearings h WHERE h.proceeding_id = OLD.proceeding_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.unit_id IS NOT NULL THEN
        INSERT INTO hearing_units (hearing_id, unit_id, scheduled_at)
        SELECT h.id, NEW.unit_id, h.scheduled_at FROM hearings h
        WHERE h.proceeding_id = NEW.proceeding_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER hearing_units_party
    AFTER INSERT OR DELETE OR UPDATE OF proceeding_id, unit_id ON parties
    FOR EACH ROW EXECUTE FUNCTION hearing_units_of_party();
