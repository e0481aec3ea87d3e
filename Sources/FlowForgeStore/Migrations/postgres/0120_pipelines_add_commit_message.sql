-- The head commit's message as the forge sent it (NULL for v1 API pipelines); shown by the API and given to steps.
ALTER TABLE pipelines ADD COLUMN commit_message TEXT;
