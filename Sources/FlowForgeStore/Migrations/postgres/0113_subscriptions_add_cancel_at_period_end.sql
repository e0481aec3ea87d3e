-- 1 when the subscription ends at the close of its current period (cancelled in the portal, still paid up).
ALTER TABLE subscriptions ADD COLUMN cancel_at_period_end INTEGER NOT NULL DEFAULT 0;
