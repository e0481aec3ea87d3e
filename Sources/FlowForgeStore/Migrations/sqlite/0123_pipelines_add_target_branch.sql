-- The branch a pull request targets: what when.branch matches for pull requests.
ALTER TABLE pipelines ADD COLUMN target_branch TEXT;
