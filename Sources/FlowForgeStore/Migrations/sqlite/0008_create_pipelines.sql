-- One row per pipeline run. commands/env hold the v1 API's request (JSON) when given.
CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    repository_id TEXT REFERENCES repositories(id) ON DELETE SET NULL,
    repo_url TEXT NOT NULL,
    branch TEXT NOT NULL,
    commit_sha TEXT,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    commands TEXT,
    env TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    completed_at INTEGER
);
CREATE INDEX pipelines_user_created ON pipelines (user_id, created_at);
CREATE INDEX pipelines_status ON pipelines (status);
