-- Campaigns in the database (bot.core.catalogue). A campaign created or imported through the
-- bot is owned by the database: `campaigns` holds its campaign.toml in the canonical form
-- (bot.domain.campaign_meta). Every campaign, whoever owns it, has its language texts as
-- versions: one row per text ever in use, with the SHA-256 of the file, when it came and the
-- keyed hash of the organiser who sent it ('' for a folder's text or an import). The newest
-- version of a language is its current text (a text put back gets a new row). A signature records the version its signer
-- confirmed; NULL for signatures made before versions existed.
CREATE TABLE campaigns (
    slug        TEXT PRIMARY KEY,
    meta        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE campaign_versions (
    id          INTEGER PRIMARY KEY,
    campaign    TEXT NOT NULL,
    language    TEXT NOT NULL,
    version     TEXT NOT NULL,      -- the first 12 hex digits of the SHA-256 of `body`
    sha256      TEXT NOT NULL,
    body        TEXT NOT NULL,      -- the <language>.md file
    organiser   TEXT NOT NULL DEFAULT '',
    -- whether the campaign had signatures when this version came: its card then says
    -- "text changed on …" with the earlier text a tap away
    after_signatures INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
CREATE INDEX campaign_versions_newest ON campaign_versions (campaign, language, id);

ALTER TABLE signatures ADD COLUMN version TEXT;
