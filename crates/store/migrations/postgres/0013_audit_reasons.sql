-- Corrections keep their reason (更正原因): the reason a person gave for a change or a removal,
-- with the audit event that records it.
ALTER TABLE audit_events ADD COLUMN reason TEXT;
