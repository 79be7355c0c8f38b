-- SQLite reused the ids of deleted rows; its migration 0010 rebuilds four tables with
-- AUTOINCREMENT. PostgreSQL identity columns never hand out an id twice: nothing to do.
SELECT 1;
