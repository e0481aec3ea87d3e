-- GitHub App installations, as their webhooks report them. user_id is set when an account links the
-- installation (the App's setup callback); a webhook alone does not say which FlowForge account it is.
CREATE TABLE github_installations (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    suspended_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
