-- Commit statuses waiting to be posted to a forge. A row is sent by whichever process claims it (a lease,
-- as for jobs); `sequence` orders the statuses of one (repository, sha, context) so an older one is never
-- posted after a newer one.
CREATE TABLE status_outbox (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    repository_id TEXT NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    repository_full_name TEXT NOT NULL,
    sha TEXT NOT NULL,
    context TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    state TEXT NOT NULL,
    description TEXT NOT NULL,
    target_url TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX status_outbox_due ON status_outbox (status, next_attempt_at);
CREATE INDEX status_outbox_key ON status_outbox (repository_id, sha, context, sequence);
