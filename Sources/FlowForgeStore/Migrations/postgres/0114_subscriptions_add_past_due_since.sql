-- When the subscription became past_due (milliseconds); the paid plan is kept for the grace period from then.
ALTER TABLE subscriptions ADD COLUMN past_due_since BIGINT;
