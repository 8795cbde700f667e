-- Signer privacy, version 2. Nothing here says that a person opened a campaign or saw a notice;
-- what outlives a draft is what the person chose (a language), a block, and their signatures.
-- Moving the old rows to the new pseudonyms needs the signer key, so it is a data step in
-- Python (bot/storage/keys.py), run after the key's fingerprint is checked; until it has run,
-- the old `signers` table still exists.

-- Signature numbers are never reused (AUTOINCREMENT): a stale moderation button cannot reach
-- whoever holds a number next. `signer` is now a per-campaign pseudonym; `seal` is the person's
-- base id encrypted under the key with a fresh nonce, so moderators can block from a signature
-- while two signatures of one person share nothing visible without the key.
CREATE TABLE signatures_v2 (
    number        INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign      TEXT NOT NULL,
    signer        TEXT NOT NULL,                 -- per-campaign pseudonym
    seal          TEXT,                          -- NULL once anonymised
    name          TEXT,                          -- NULL once anonymised by retention
    role          TEXT,
    organisation  TEXT,
    public        INTEGER NOT NULL,
    language      TEXT NOT NULL,
    source        TEXT,
    signed_at     INTEGER NOT NULL,              -- unix seconds, UTC
    updated_at    INTEGER,
    UNIQUE (campaign, signer)
);
INSERT INTO signatures_v2 (number, campaign, signer, name, role, organisation, public, language,
                           source, signed_at, updated_at)
    SELECT number, campaign, signer, name, role, organisation, public, language, source,
           signed_at, updated_at FROM signatures;
DROP TABLE signatures;
ALTER TABLE signatures_v2 RENAME TO signatures;
CREATE INDEX signatures_by_time ON signatures (campaign, signed_at);

-- What a person set themselves. Erased by /stop, by withdrawing the last signature, and by
-- retention once untouched for RETENTION_DAYS.
CREATE TABLE preferences (
    person        TEXT PRIMARY KEY,              -- per-person pseudonym
    language      TEXT,
    touched_at    INTEGER NOT NULL               -- unix seconds of the last change
) WITHOUT ROWID;

-- People moderators blocked from signing again, by a keyed hash of their own.
CREATE TABLE blocks (
    block         TEXT PRIMARY KEY,
    at            INTEGER NOT NULL
) WITHOUT ROWID;

-- The flow's state, now also where a deep link's source is kept: it lives as long as the draft
-- (DRAFT_TTL_HOURS), never in a per-person row. Steps are checked by the domain's Step type.
CREATE TABLE drafts_v2 (
    person        TEXT PRIMARY KEY,              -- per-person pseudonym
    campaign      TEXT NOT NULL,
    step          TEXT NOT NULL,
    source        TEXT,
    name          TEXT,
    role          TEXT,
    organisation  TEXT,
    public        INTEGER,
    editing       INTEGER NOT NULL DEFAULT 0,
    message_id    INTEGER,
    last_update   INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO drafts_v2 (person, campaign, step, name, role, organisation, public, editing,
                       message_id, last_update, updated_at)
    SELECT signer, campaign, step, name, role, organisation, public, editing, message_id,
           last_update, updated_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_v2 RENAME TO drafts;

-- A subscriber's language travels with the subscription (set when they opt in or change
-- /language), so broadcasts need no link between a preference and a signature.
ALTER TABLE subscriptions ADD COLUMN language TEXT;
CREATE INDEX subscriptions_by_chat ON subscriptions (chat_id);
CREATE INDEX deliveries_by_chat ON deliveries (chat_id);
