-- The retention sweep looks for pipelines that ended before a cutoff and still have logs.
CREATE INDEX pipelines_completed_at ON pipelines (completed_at);
