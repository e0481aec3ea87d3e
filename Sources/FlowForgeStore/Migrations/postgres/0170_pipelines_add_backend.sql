-- The backend that ran (or runs) the pipeline's steps, `docker` or `local`; NULL until a worker starts them.
ALTER TABLE pipelines ADD COLUMN backend TEXT;
