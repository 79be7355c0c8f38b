-- Each unit's hearings by date (a unit's workbench, feeds and the appearance to-do): one row per
-- hearing and per unit that is a party to its proceeding, kept by triggers on hearings and
-- parties, so every write path (forms, API, import, corrections, the demo loader) keeps it true.
-- A unit's hearings in a window are then an index range instead of a test of every hearing of the
-- county against the parties. A migration that rebuilds hearings or parties must recreate these
-- triggers.
CREATE TABLE hearing_units (
    hearing_id   INTEGER NOT NULL,
    unit_id      INTEGER NOT NULL,
    scheduled_at TEXT NOT NULL,
    PRIMARY KEY (hearing_id, unit_id)
) WITHOUT ROWID;
CREATE INDEX hearing_units_unit_idx ON hearing_units (unit_id, scheduled_at);

INSERT INTO hearing_units (hearing_id, unit_id, scheduled_at)
SELECT h.id, p.unit_id, h.scheduled_at
FROM hearings h JOIN parties p ON p.proceeding_id = h.proceeding_id
WHERE p.unit_id IS NOT NULL;

CREATE TRIGGER hearing_units_hearing_insert AFTER INSERT ON hearings BEGIN
    INSERT OR IGNORE INTO hearing_units (hearing_id, unit_id, scheduled_at)
    SELECT NEW.id, p.unit_id, NEW.scheduled_at FROM parties p
    WHERE p.proceeding_id = NEW.proceeding_id AND p.unit_id IS NOT NULL;
END;

CREATE TRIGGER hearing_units_hearing_update AFTER UPDATE OF proceeding_id, scheduled_at ON hearings BEGIN
    DELETE FROM hearing_units WHERE hearing_id = OLD.id;
    INSERT OR IGNORE INTO hearing_units (hearing_id, unit_id, scheduled_at)
    SELECT NEW.id, p.unit_id, NEW.scheduled_at FROM parties p
    WHERE p.proceeding_id = NEW.proceeding_id AND p.unit_id IS NOT NULL;
END;

CREATE TRIGGER hearing_units_hearing_delete AFTER DELETE ON hearings BEGIN
    DELETE FROM hearing_units WHERE hearing_id = OLD.id;
END;

CREATE TRIGGER hearing_units_party_insert AFTER INSERT ON parties WHEN NEW.unit_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO hearing_units (hearing_id, unit_id, scheduled_at)
    SELECT h.id, NEW.unit_id, h.scheduled_at FROM hearings h WHERE h.proceeding_id = NEW.proceeding_id;
END;

CREATE TRIGGER hearing_units_party_update AFTER UPDATE OF proceeding_id, unit_id ON parties BEGIN
    DELETE FROM hearing_units WHERE unit_id = OLD.unit_id
        AND hearing_id IN (SELECT h.id FROM hearings h WHERE h.proceeding_id = OLD.proceeding_id);
    INSERT OR IGNORE INTO hearing_units (hearing_id, unit_id, scheduled_at)
    SELECT h.id, NEW.unit_id, h.scheduled_at FROM hearings h
    WHERE h.proceeding_id = NEW.proceeding_id AND NEW.unit_id IS NOT NULL;
END;

CREATE TRIGGER hearing_units_party_delete AFTER DELETE ON parties WHEN OLD.unit_id IS NOT NULL BEGIN
    DELETE FROM hearing_units WHERE unit_id = OLD.unit_id
        AND hearing_id IN (SELECT h.id FROM hearings h WHERE h.proceeding_id = OLD.proceeding_id);
END;
