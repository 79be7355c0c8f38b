-- Obligations per responsible unit (义务按责任单位): a deadline a unit owes is owed by each
-- defendant-side unit separately (one row each, `unit_id`), so one unit's completion never
-- closes another's. `nature` says what the row is to the one it names: duty (义务: counted in
-- 按期率 and 考核), right (权利期限: information only) or court (法院或复议机关的期限: monitored).
ALTER TABLE deadlines ADD COLUMN unit_id BIGINT REFERENCES units(id);
ALTER TABLE deadlines ADD COLUMN nature TEXT NOT NULL DEFAULT 'duty';

UPDATE deadlines SET nature = 'court' WHERE responsible IN ('court', 'recon_organ');
UPDATE deadlines SET nature = 'right'
 WHERE responsible = 'claimant'
    OR rule_id IN ('EVIDENCE_EXTENSION_APPLY', 'APPEAL_JUDGMENT', 'APPEAL_RULING', 'RETRIAL_APPLY');

-- Every stored unit deadline becomes one obligation per defendant-side unit, keeping its
-- met / waived state: the existing row goes to the first unit, copies to the others.
DROP INDEX deadlines_event_rule_key;
DROP INDEX deadlines_jur_resp_idx;
UPDATE deadlines SET unit_id = (
    SELECT MIN(pa.unit_id) FROM parties pa
     WHERE pa.proceeding_id = deadlines.proceeding_id AND pa.unit_id IS NOT NULL
       AND pa.role IN ('defendant', 'co_defendant', 'reconsideration_organ'))
 WHERE responsible = 'unit';
INSERT INTO deadlines (proceeding_id, jurisdiction_id, event_id, rule_id, parent_rule_id, name, due_on,
    responsible, severity, citation, trace, provisional, met_on, waived_reason, waived_by, done,
    change_note, adjustments, version, created_at, updated_at, unit_id, nature)
SELECT d.proceeding_id, d.jurisdiction_id, d.event_id, d.rule_id, d.parent_rule_id, d.name, d.due_on,
    d.responsible, d.severity, d.citation, d.trace, d.provisional, d.met_on, d.waived_reason, d.waived_by, d.done,
    d.change_note, d.adjustments, 1, d.created_at, d.updated_at, pa.unit_id, d.nature
  FROM deadlines d
  JOIN parties pa ON pa.proceeding_id = d.proceeding_id AND pa.unit_id IS NOT NULL
   AND pa.role IN ('defendant', 'co_defendant', 'reconsideration_organ') AND pa.unit_id > d.unit_id
 WHERE d.responsible = 'unit'
 ORDER BY d.id, pa.unit_id;

CREATE UNIQUE INDEX deadlines_obligation_key ON deadlines (event_id, rule_id, COALESCE(unit_id, 0));
-- A unit's own list (workbench, feed), overdue first.
CREATE INDEX deadlines_unit_idx ON deadlines (unit_id, nature, done, due_on, id);
-- The county's list of what units owe, by nature and responsible party, overdue first.
CREATE INDEX deadlines_jur_nature_idx ON deadlines (jurisdiction_id, nature, responsible, done, due_on, id);
