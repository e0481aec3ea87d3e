-- Repositories connected to an account. Secrets and forge tokens are stored encrypted.
CREATE TABLE repositories (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    full_name TEXT NOT NULL,
    clone_url TEXT NOT NULL,
    webhook_secret_encrypted TEXT NOT NULL,
    access_token_encrypted TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (provider, full_name)
);
CREATE INDEX repositories_user_id ON repositories (user_id);
