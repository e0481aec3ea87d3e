-- Rises with every password change; access tokens carry the generation they were issued under, so a change
-- ends every token issued before it.
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
