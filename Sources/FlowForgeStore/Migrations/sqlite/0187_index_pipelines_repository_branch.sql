-- A badge reads the newest pipeline of one repository's branch.
CREATE INDEX pipelines_repository_branch ON pipelines (repository_id, branch, created_at);
