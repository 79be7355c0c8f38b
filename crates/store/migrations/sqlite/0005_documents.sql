-- Documents attached to proceedings. The bytes live on disk, content-addressed by their SM3
-- hash (several rows may share one file); this table holds what is shown and who added it.
CREATE TABLE documents (
    id               INTEGER PRIMARY KEY,
    proceeding_id    INTEGER NOT NULL REFERENCES proceedings(id),
    kind             TEXT NOT NULL,
    filename         TEXT NOT NULL,
    media_type       TEXT NOT NULL,
    size             INTEGER NOT NULL,
    content_hash     TEXT NOT NULL,
    uploaded_by      INTEGER REFERENCES users(id),
    uploaded_by_name TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX documents_proceeding_idx ON documents (proceeding_id, id);
