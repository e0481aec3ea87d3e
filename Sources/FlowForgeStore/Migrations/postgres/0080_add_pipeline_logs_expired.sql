-- Set when the retention sweep deleted the pipeline's logs (FLOWFORGE_LOG_RETENTION_DAYS after it ended).
ALTER TABLE pipelines ADD COLUMN logs_expired_at BIGINT;
