-- Leases (bot.core.leases): which worker runs a periodic job or sends a broadcast, until when.
-- Several workers on one PostgreSQL database run each job once and each broadcast in one
-- place; a worker that dies lets its leases expire and another takes over. One worker on
-- SQLite holds every lease.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,                -- a random id of the worker's process, per start
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
