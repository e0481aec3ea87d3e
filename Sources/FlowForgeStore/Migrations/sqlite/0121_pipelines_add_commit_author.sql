-- Who made the commit or opened the pull request, as the forge names them.
ALTER TABLE pipelines ADD COLUMN commit_author TEXT;
