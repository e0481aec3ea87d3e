-- The branch a badge shows when the request names none: set by the owner, or learnt from the forge's pushes.
ALTER TABLE repositories ADD COLUMN default_branch TEXT;
