-- Stripe events already applied, by event id: a redelivered event changes nothing. A row is written in the
-- same transaction as the event's effect, so a crash between the two cannot lose or repeat an effect.
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
