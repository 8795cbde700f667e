-- The twin of migrations/0026_counter_shards.sql: each count spread over rows, so that
-- signers of one campaign do not wait for each other's COMMIT on one row.
CREATE TABLE counter_shards (
    campaign      TEXT NOT NULL,
    shard         BIGINT NOT NULL,
    signatures    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, shard)
);

ALTER TABLE activity ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE activity DROP CONSTRAINT activity_pkey, ADD PRIMARY KEY (campaign, hour, shard);

ALTER TABLE funnel ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE funnel DROP CONSTRAINT funnel_pkey, ADD PRIMARY KEY (campaign, source, day, shard);

ALTER TABLE source_visits ADD COLUMN shard BIGINT NOT NULL DEFAULT 0;
ALTER TABLE source_visits DROP CONSTRAINT source_visits_pkey,
    ADD PRIMARY KEY (campaign, source, shard);
