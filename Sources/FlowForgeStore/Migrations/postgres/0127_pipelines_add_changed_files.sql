-- JSON list of the files the push changed, from the webhook payload's commits; NULL when not known.
ALTER TABLE pipelines ADD COLUMN changed_files TEXT;
