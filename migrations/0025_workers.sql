-- What several workers on one database share so that they act as one bot (bot.core.turns,
-- bot.core.flood): updates already handled, each person's flood allowance, and the generation
-- of each kind of thing a worker caches. One worker on SQLite uses them alike.

-- Updates handled, by Telegram's update id (a number per bot, nothing about the person): a
-- redelivery to another worker is dropped. Kept a day, then purged.
CREATE TABLE handled_updates (
    update_id   INTEGER PRIMARY KEY,
    handled_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX handled_updates_at ON handled_updates(handled_at);

-- Each person's flood allowance (a token bucket). `bucket` is a 24-bit keyed hash of the
-- Telegram id, shared by hundreds of possible accounts: it says nobody's id. Rows are
-- forgotten minutes after their last update.
CREATE TABLE flood_buckets (
    bucket      INTEGER PRIMARY KEY,
    tokens      REAL NOT NULL,
    at          REAL NOT NULL,
    warned      INTEGER NOT NULL,             -- 0/1: this flood had its one notice
    verdict     TEXT NOT NULL                 -- what the last update got: run, notice, drop
);

-- A number per kind of cached thing (languages, lists, campaigns, folders), raised by each
-- change: a worker that sees a higher one drops or reloads its copy.
CREATE TABLE generations (
    kind        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL
) WITHOUT ROWID;
