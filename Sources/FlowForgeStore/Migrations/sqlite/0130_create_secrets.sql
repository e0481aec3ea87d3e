-- Secrets an account hands to its pipelines' steps (`from_secret`) and to image pulls. The value is sealed
-- (AES-GCM under FLOWFORGE_ENCRYPTION_KEY, bound to the row's id); the store never sees it in the clear.
-- repository_id NULL is an account-wide secret; a repository's secret shadows an account one of the same name.
-- pull_requests = 1 lets pipelines of pull requests from forks have the secret.
CREATE TABLE secrets (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    repository_id TEXT REFERENCES repositories(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value_encrypted TEXT NOT NULL,
    pull_requests INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- One name per scope: '' stands for the account scope, which NULL would leave unconstrained.
CREATE UNIQUE INDEX secrets_user_scope_name ON secrets (user_id, COALESCE(repository_id, ''), name);
