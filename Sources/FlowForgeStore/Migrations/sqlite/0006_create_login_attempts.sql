-- Failed sign-ins per key ('email:…' or 'ip:…'), shared by every replica, to slow guessing.
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_failure_at INTEGER NOT NULL,
    locked_until INTEGER
);
