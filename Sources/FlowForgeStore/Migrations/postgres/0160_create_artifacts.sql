-- Files a step kept with `artifacts:`. The bytes live in the artifact store under storage_key; name is the
-- file's path in the workspace, one per pipeline (a later step's file of the same path replaces it).
-- user_id is the pipeline's account: listing, downloads and the plan's storage quota go by it.
CREATE TABLE artifacts (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX artifacts_pipeline_name ON artifacts (pipeline_id, name);
