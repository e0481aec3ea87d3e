-- Steps of a pipeline, in the order they run.
CREATE TABLE steps (
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    exit_code BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    PRIMARY KEY (pipeline_id, position),
    UNIQUE (pipeline_id, name)
);
