-- Credentials to 等保 level 3 (issue 15): earlier password hashes (a new password may not repeat
-- the last five), when the password was last set (optional expiry), and API tokens that expire.
-- Tokens issued before this migration expire 90 days after it.
CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    set_at        TEXT NOT NULL
);
CREATE INDEX password_history_user_idx ON password_history (user_id, id);

ALTER TABLE users ADD COLUMN password_changed_at TEXT;
UPDATE users SET password_changed_at = updated_at;

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days') WHERE revoked_at IS NULL;
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id);
