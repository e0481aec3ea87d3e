-- Browser sessions of the web app. The cookie carries a random token; only its SHA-256 is stored, so a
-- leaked table signs nobody in. token_generation is the account's generation when the session began: a
-- password change raises the account's, which ends every session begun before it. csrf_token is the
-- synchronizer token every form of the session must send back.
CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    token_generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
