-- The twin of migrations/0022_leases.sql: which worker runs a job or a broadcast, until when.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
