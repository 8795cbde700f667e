-- Where supporters drop off, counted without any per-person record: per campaign, source and
-- hour, how many opened a card, pressed Sign, gave a name, signed, cancelled, or let a started
-- signature expire. A repeated tap within one draft counts once (`drafts.counted`); nothing
-- de-duplicates people beyond a draft's life.
CREATE TABLE funnel (
    campaign      TEXT NOT NULL,
    source        TEXT NOT NULL DEFAULT '',      -- '' = no source (a plain link or /start)
    hour          INTEGER NOT NULL,              -- unix seconds // 3600
    opened        INTEGER NOT NULL DEFAULT 0,
    started       INTEGER NOT NULL DEFAULT 0,
    named         INTEGER NOT NULL DEFAULT 0,
    signed        INTEGER NOT NULL DEFAULT 0,
    cancelled     INTEGER NOT NULL DEFAULT 0,
    expired       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, source, hour)
) WITHOUT ROWID;

-- Bits of bot.domain.signatures.Counted: which funnel events this draft already counted.
ALTER TABLE drafts ADD COLUMN counted INTEGER NOT NULL DEFAULT 0;
