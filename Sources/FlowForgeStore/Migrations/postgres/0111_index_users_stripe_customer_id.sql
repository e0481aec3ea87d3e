-- A Stripe customer belongs to one account, and webhook events find the account by it.
CREATE UNIQUE INDEX users_stripe_customer_id ON users (stripe_customer_id);
