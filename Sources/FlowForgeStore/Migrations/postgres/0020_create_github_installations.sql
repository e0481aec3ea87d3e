-- GitHub App installations, as their webhooks report them. user_id is set when an account links the
-- installation (the App's setup callback); a webhook alone does not say which FlowForge account it is.
CREATE TABLE github_installations (
    id BIGINT PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    suspended_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
