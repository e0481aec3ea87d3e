-- The forge repository's full name (owner/name), for FLOWFORGE_REPO; NULL for v1 API pipelines.
ALTER TABLE pipelines ADD COLUMN repository_name TEXT;
