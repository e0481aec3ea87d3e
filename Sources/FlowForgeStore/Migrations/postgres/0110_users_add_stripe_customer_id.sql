-- The account's Stripe customer, created once on its first subscribe (billing on); NULL until then.
ALTER TABLE users ADD COLUMN stripe_customer_id TEXT;
