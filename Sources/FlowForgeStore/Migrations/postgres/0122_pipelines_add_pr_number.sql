-- The pull request's number, for pull request pipelines.
ALTER TABLE pipelines ADD COLUMN pr_number BIGINT;
