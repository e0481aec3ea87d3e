-- The account's token generation when the refresh token was issued. A refresh is refused when the account's
-- generation has moved on since (a password change), checked under a share lock on the account row. NULL for
-- tokens issued before this column existed: those rely on the revocation a password change writes.
ALTER TABLE refresh_tokens ADD COLUMN token_generation BIGINT;
