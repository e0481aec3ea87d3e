-- When FlowForge read this state from Stripe (milliseconds): a state read earlier never overwrites one read later.
ALTER TABLE subscriptions ADD COLUMN synced_at BIGINT NOT NULL DEFAULT 0;
