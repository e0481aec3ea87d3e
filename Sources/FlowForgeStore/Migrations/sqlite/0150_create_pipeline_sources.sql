-- The archive a pipeline was uploaded with (POST /api/v1/pipelines, multipart), until the pipeline ends: in the
-- database, so a worker on any replica can unpack it. Bounded by MAX_FILE_SIZE.
CREATE TABLE pipeline_sources (
    pipeline_id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
