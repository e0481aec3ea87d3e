-- Metered usage per account and calendar month (period = 'YYYY-MM', UTC).
CREATE TABLE usage (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    pipeline_runs INTEGER NOT NULL DEFAULT 0,
    compute_seconds INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, period)
);
