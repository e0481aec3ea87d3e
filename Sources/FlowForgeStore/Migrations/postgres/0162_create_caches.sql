-- One saved `cache:` archive per account, repository and branch. repository is the pipeline's repository
-- URL; the archive lives in the artifact store under storage_key.
CREATE TABLE caches (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    repository TEXT NOT NULL,
    branch TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, repository, branch)
);
