-- Forge accounts signed in or linked through OAuth. Tokens are stored sealed (AES-GCM), never in the clear.
CREATE TABLE oauth_identities (
    provider TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    login TEXT NOT NULL,
    access_token_encrypted TEXT NOT NULL,
    refresh_token_encrypted TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (provider, provider_user_id)
);
CREATE INDEX oauth_identities_user_id ON oauth_identities (user_id);
