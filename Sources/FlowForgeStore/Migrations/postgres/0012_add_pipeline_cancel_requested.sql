-- Set by POST /api/v1/pipelines/:id/cancel; the worker running the pipeline polls it and stops the run.
ALTER TABLE pipelines ADD COLUMN cancel_requested_at BIGINT;
