-- Campaigns being written from Telegram (bot.domain.authoring): one row per campaign an admin
-- is creating, and one per language text waiting for an admin (a translator's, or an admin's
-- before they confirm the change they were shown). `organiser` is the keyed hash of who sent it
-- (bot.storage.admin.organiser_ref), never a Telegram id; `data` holds the campaign's settings
-- and texts, never a signer. Every change is a compare-and-set on `revision`, so a double tap or
-- a redelivered update moves a draft once. A published, refused or abandoned draft is deleted
-- (the audit log keeps the trail).
CREATE TABLE campaign_drafts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('create', 'text')),
    organiser   TEXT NOT NULL,
    campaign    TEXT NOT NULL DEFAULT '',
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    revision    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
-- One campaign being created per admin at a time.
CREATE UNIQUE INDEX campaign_drafts_creating ON campaign_drafts (organiser) WHERE kind = 'create';
