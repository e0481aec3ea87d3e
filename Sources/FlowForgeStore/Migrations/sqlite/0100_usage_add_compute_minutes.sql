-- Compute is metered in whole minutes, each pipeline's step run time rounded up when it ends (the plans
-- limit minutes, and a customer is billed for minutes, so seconds summed over pipelines would not match).
ALTER TABLE usage ADD COLUMN compute_minutes INTEGER NOT NULL DEFAULT 0;
