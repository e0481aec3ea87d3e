-- Replaced by compute_minutes (0100); nothing ever wrote it.
ALTER TABLE usage DROP COLUMN compute_seconds;
