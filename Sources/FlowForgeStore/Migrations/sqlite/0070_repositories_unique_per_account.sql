-- A repository name is unique per account, not globally: connecting a name must never block the account
-- that really owns it (whoever proves access to the forge may connect it). full_name is stored lower-cased
-- for the forges, so this also ignores case there.
--
-- SQLite cannot drop a table constraint, so the table is rebuilt. Foreign keys are on and cannot be turned
-- off inside the migration's transaction, so dropping the old table sets the repository of pipelines and
-- deliveries to NULL and deletes outbox rows: those are saved first and put back after the rename.
CREATE TABLE repositories_0070 (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    full_name TEXT NOT NULL,
    clone_url TEXT NOT NULL,
    webhook_secret_encrypted TEXT NOT NULL,
    access_token_encrypted TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO repositories_0070 (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, access_token_encrypted, created_at)
    SELECT id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, access_token_encrypted, created_at FROM repositories;
CREATE TEMP TABLE saved_0070_pipelines AS SELECT id, repository_id FROM pipelines WHERE repository_id IS NOT NULL;
CREATE TEMP TABLE saved_0070_deliveries AS SELECT provider, delivery_id, repository_id FROM webhook_deliveries WHERE repository_id IS NOT NULL;
CREATE TEMP TABLE saved_0070_outbox AS SELECT * FROM status_outbox;
DROP TABLE repositories;
ALTER TABLE repositories_0070 RENAME TO repositories;
CREATE INDEX repositories_user_id ON repositories (user_id);
CREATE UNIQUE INDEX repositories_user_provider_full_name ON repositories (user_id, provider, full_name);
CREATE INDEX repositories_provider_full_name ON repositories (provider, full_name);
UPDATE pipelines SET repository_id = (SELECT s.repository_id FROM saved_0070_pipelines s WHERE s.id = pipelines.id)
    WHERE id IN (SELECT id FROM saved_0070_pipelines);
UPDATE webhook_deliveries SET repository_id = (
        SELECT s.repository_id FROM saved_0070_deliveries s
        WHERE s.provider = webhook_deliveries.provider AND s.delivery_id = webhook_deliveries.delivery_id)
    WHERE EXISTS (SELECT 1 FROM saved_0070_deliveries s
        WHERE s.provider = webhook_deliveries.provider AND s.delivery_id = webhook_deliveries.delivery_id);
INSERT INTO status_outbox SELECT * FROM saved_0070_outbox WHERE id NOT IN (SELECT id FROM status_outbox);
DROP TABLE saved_0070_pipelines;
DROP TABLE saved_0070_deliveries;
DROP TABLE saved_0070_outbox;
