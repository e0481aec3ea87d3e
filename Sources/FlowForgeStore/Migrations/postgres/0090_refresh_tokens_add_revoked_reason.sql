-- Why a refresh token was revoked: 'reuse' (an already used token of its family was presented again, so
-- the whole family was ended) or 'password_change'. It lets the answer to a revoked token say which. NULL
-- for tokens revoked before this column existed.
ALTER TABLE refresh_tokens ADD COLUMN revoked_reason TEXT;
