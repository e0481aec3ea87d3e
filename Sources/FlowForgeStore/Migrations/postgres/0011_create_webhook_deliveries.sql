-- Webhook deliveries by forge and delivery id, so a redelivery answers like the first and starts nothing.
CREATE TABLE webhook_deliveries (
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    repository_id TEXT REFERENCES repositories(id) ON DELETE SET NULL,
    status_code BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (provider, delivery_id)
);
