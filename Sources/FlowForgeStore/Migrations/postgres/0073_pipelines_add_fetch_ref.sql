-- A ref fetched besides the branches and tags, e.g. refs/pull/7/head: a pull request's head commit that
-- the base repository's branches do not hold.
ALTER TABLE pipelines ADD COLUMN fetch_ref TEXT;
