-- The twin of migrations/0025_workers.sql: updates handled, flood allowances, generations.
CREATE TABLE handled_updates (
    update_id   BIGINT PRIMARY KEY,
    handled_at  BIGINT NOT NULL
);
CREATE INDEX handled_updates_at ON handled_updates(handled_at);

CREATE TABLE flood_buckets (
    bucket      BIGINT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    at          DOUBLE PRECISION NOT NULL,
    warned      BIGINT NOT NULL,
    verdict     TEXT NOT NULL
);

CREATE TABLE generations (
    kind        TEXT PRIMARY KEY,
    value       BIGINT NOT NULL
);
