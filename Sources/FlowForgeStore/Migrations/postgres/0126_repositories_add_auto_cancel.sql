-- 1: a new push to a branch cancels that branch's older unfinished push pipelines (never on the default branch).
ALTER TABLE repositories ADD COLUMN auto_cancel INTEGER NOT NULL DEFAULT 1;
