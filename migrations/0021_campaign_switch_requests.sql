-- A change of a campaign's switch that widens who sees existing names (a list turned on,
-- review turned off, earlier signatures listed) waits, with four eyes, for a second admin as a
-- `switch` row of campaign_drafts (bot.core.campaign_edits). SQLite cannot change a CHECK in
-- place: the table is made again with the same rows.
CREATE TABLE campaign_drafts_v2 (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('create', 'text', 'switch')),
    organiser   TEXT NOT NULL,
    campaign    TEXT NOT NULL DEFAULT '',
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    revision    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
INSERT INTO campaign_drafts_v2 SELECT id, kind, organiser, campaign, step, data, revision, updated_at
    FROM campaign_drafts;
DROP TABLE campaign_drafts;
ALTER TABLE campaign_drafts_v2 RENAME TO campaign_drafts;
CREATE UNIQUE INDEX campaign_drafts_creating ON campaign_drafts (organiser) WHERE kind = 'create';
