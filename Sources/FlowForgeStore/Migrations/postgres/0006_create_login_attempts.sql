-- Failed sign-ins per key ('email:…' or 'ip:…'), shared by every replica, to slow guessing.
CREATE TABLE login_attempts (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failure_at BIGINT NOT NULL,
    locked_until BIGINT
);
