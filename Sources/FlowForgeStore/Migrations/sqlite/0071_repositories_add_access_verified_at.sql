-- When the forge last confirmed that the repository's access token (or the account's linked GitHub App
-- installation) can read it; set when the repository is connected.
ALTER TABLE repositories ADD COLUMN access_verified_at INTEGER;
