-- A claim takes the oldest queued job, or a job whose lease expired. These two partial indexes let it walk
-- the queued jobs in queue order and stop at the first one it may take, and find the few running jobs
-- (for expired leases and each account's running count) without reading the finished ones.
CREATE INDEX jobs_queued_created ON jobs (created_at) WHERE status = 'queued';
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';
