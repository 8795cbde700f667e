-- Counting under load (issue #30): a signature adds to its campaign's counts in the same
-- transaction, but not all on one row. On PostgreSQL, signers of one campaign sign side by
-- side; one row every signature updates would make each wait for the previous one's COMMIT.
-- So each count is spread over SHARDS rows (bot.storage.shards): a signature adds to the row
-- its pseudonym picks, a visit or a draft step to the row its person picks, and every read
-- sums them. SQLite has one writer anyway: it keeps the same tables so both engines run one SQL.

-- 1. The signature count: `counters.signatures` keeps the count settled (by this migration,
--    by the hourly recount); what signatures and withdrawals added since is in these rows.
CREATE TABLE counter_shards (
    campaign      TEXT NOT NULL,
    shard         INTEGER NOT NULL,
    signatures    INTEGER NOT NULL DEFAULT 0,    -- may be negative: only the sum is a count
    PRIMARY KEY (campaign, shard)
) WITHOUT ROWID;

-- 2. The hourly activity, the funnel and the sources' counts get a shard in their keys; the
--    rows there now become shard 0.
CREATE TABLE activity_sharded (
    campaign      TEXT NOT NULL,
    hour          INTEGER NOT NULL,              -- unix seconds // 3600
    signed        INTEGER NOT NULL DEFAULT 0,
    withdrawn     INTEGER NOT NULL DEFAULT 0,
    shard         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, hour, shard)
) WITHOUT ROWID;
INSERT INTO activity_sharded (campaign, hour, signed, withdrawn)
    SELECT campaign, hour, signed, withdrawn FROM activity;
DROP TABLE activity;
ALTER TABLE activity_sharded RENAME TO activity;

CREATE TABLE funnel_sharded (
    campaign      TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',      -- '' = no source (a plain link or /start)
    day           INTEGER NOT NULL,              -- unix seconds // 86400 (UTC days)
    opened        INTEGER NOT NULL DEFAULT 0,
    started       INTEGER NOT NULL DEFAULT 0,
    named         INTEGER NOT NULL DEFAULT 0,
    signed        INTEGER NOT NULL DEFAULT 0,
    cancelled     INTEGER NOT NULL DEFAULT 0,
    expired       INTEGER NOT NULL DEFAULT 0,
    shard         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, source, day, shard)
) WITHOUT ROWID;
INSERT INTO funnel_sharded (campaign, source, day, opened, started, named, signed, cancelled,
                            expired)
    SELECT campaign, source, day, opened, started, named, signed, cancelled, expired FROM funnel;
DROP TABLE funnel;
ALTER TABLE funnel_sharded RENAME TO funnel;

CREATE TABLE source_visits_sharded (
    campaign      TEXT NOT NULL,
    source        TEXT NOT NULL,
    visits        INTEGER NOT NULL DEFAULT 0,
    signed        INTEGER NOT NULL DEFAULT 0,
    shard         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, source, shard)
) WITHOUT ROWID;
INSERT INTO source_visits_sharded (campaign, source, visits, signed)
    SELECT campaign, source, visits, signed FROM source_visits;
DROP TABLE source_visits;
ALTER TABLE source_visits_sharded RENAME TO source_visits;
CREATE INDEX source_visits_by_source ON source_visits (source, visits, signed);
