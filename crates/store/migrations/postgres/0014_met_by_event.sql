-- "Met by" an event (rules' met_by): an obligation closed by a later event of its proceeding
-- (e.g. 法院发送起诉状副本 by 收到起诉状副本) names that event, so that moving or withdrawing the
-- event moves or reopens it.
ALTER TABLE deadlines ADD COLUMN met_by_event BIGINT;
