-- A repository name is unique per account, not globally: connecting a name must never block the account
-- that really owns it (whoever proves access to the forge may connect it). full_name is stored lower-cased
-- for the forges, so this also ignores case there.
ALTER TABLE repositories DROP CONSTRAINT IF EXISTS repositories_provider_full_name_key;
CREATE UNIQUE INDEX repositories_user_provider_full_name ON repositories (user_id, provider, full_name);
CREATE INDEX repositories_provider_full_name ON repositories (provider, full_name);
