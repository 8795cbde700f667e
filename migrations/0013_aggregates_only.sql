-- No per-person tracking (issue #25): where a signer came from is counted, never kept with the
-- signature. A named link sent to one person would otherwise mark that person's row.
-- 1. Each campaign's signatures per source, as the rows say now, move into the aggregate
--    (source_visits.signed, '' = no link) before the column goes: no count is lost. From here
--    on it counts signatures brought; a withdrawal no longer lowers it (nothing says where a
--    withdrawn signature came from).
ALTER TABLE source_visits ADD COLUMN signed INTEGER NOT NULL DEFAULT 0;
INSERT INTO source_visits (campaign, source, visits, signed)
    SELECT campaign, COALESCE(source, ''), 0, COUNT(*) FROM signatures WHERE true
    GROUP BY campaign, COALESCE(source, '')
    ON CONFLICT (campaign, source) DO UPDATE SET signed = excluded.signed;
-- /source reads every source's sums in one grouped pass over this index.
CREATE INDEX source_visits_by_source ON source_visits (source, visits, signed);
-- 2. The source leaves the signature rows (secure_delete overwrites the old cells; the start
--    that applies this purges the journal).
ALTER TABLE signatures DROP COLUMN source;
-- 3. The funnel by day, not by hour: an hour of a small source is a person's moment.
CREATE TABLE funnel_days (
    campaign      TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',      -- '' = no source (a plain link or /start)
    day           INTEGER NOT NULL,              -- unix seconds // 86400 (UTC days)
    opened        INTEGER NOT NULL DEFAULT 0,
    started       INTEGER NOT NULL DEFAULT 0,
    named         INTEGER NOT NULL DEFAULT 0,
    signed        INTEGER NOT NULL DEFAULT 0,
    cancelled     INTEGER NOT NULL DEFAULT 0,
    expired       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, source, day)
) WITHOUT ROWID;
INSERT INTO funnel_days (campaign, source, day, opened, started, named, signed, cancelled, expired)
    SELECT campaign, source, hour / 24, SUM(opened), SUM(started), SUM(named), SUM(signed),
           SUM(cancelled), SUM(expired)
    FROM funnel GROUP BY campaign, source, hour / 24;
DROP TABLE funnel;
ALTER TABLE funnel_days RENAME TO funnel;
