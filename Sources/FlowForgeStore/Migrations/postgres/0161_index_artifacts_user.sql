-- The plan's storage quota sums an account's artifacts.
CREATE INDEX artifacts_user ON artifacts (user_id);
