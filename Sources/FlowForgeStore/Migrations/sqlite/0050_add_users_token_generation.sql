-- Rises with every password change; access tokens carry the generation they were issued under, so a change
-- ends every token issued before it.
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
