-- 1 for a pull request whose head lives in another repository (a fork): it never gets write-scoped tokens.
ALTER TABLE pipelines ADD COLUMN fork INTEGER NOT NULL DEFAULT 0;
