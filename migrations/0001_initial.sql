-- Signers are pseudonymous from the start: `signer` is HMAC-SHA256(telegram user id) under a key
-- kept outside this file. A raw Telegram id appears only in `subscriptions`, for signers who asked
-- to be messaged, and is erased when they opt out or withdraw.

CREATE TABLE signers (
    signer        TEXT PRIMARY KEY,              -- hex HMAC of the Telegram user id
    language      TEXT,                          -- chosen with /language; NULL = follow Telegram
    privacy_seen  INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0,    -- set by moderators: may not sign again
    last_campaign TEXT,                          -- campaign opened by the last deep link
    last_source   TEXT                           -- where that link came from (a source code)
) WITHOUT ROWID;

CREATE TABLE counters (
    campaign      TEXT PRIMARY KEY,
    signatures    INTEGER NOT NULL DEFAULT 0 CHECK (signatures >= 0),
    withdrawals   INTEGER NOT NULL DEFAULT 0,
    goal_override INTEGER,                       -- an explicit next goal set by an admin
    last_milestone INTEGER NOT NULL DEFAULT 0    -- the highest goal step already announced
) WITHOUT ROWID;

CREATE TABLE signatures (
    number        INTEGER PRIMARY KEY,           -- what admins call a signature by
    campaign      TEXT NOT NULL,
    signer        TEXT NOT NULL,
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
CREATE INDEX signatures_by_time ON signatures (campaign, signed_at);

-- Signatures and withdrawals per campaign and hour: "+N in 24 hours" and per-day stats in O(1),
-- and they survive anonymisation.
CREATE TABLE activity (
    campaign      TEXT NOT NULL,
    hour          INTEGER NOT NULL,              -- unix seconds // 3600
    signed        INTEGER NOT NULL DEFAULT 0,
    withdrawn     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, hour)
) WITHOUT ROWID;

-- The signing flow's state, so a restart mid-flow loses nothing. Erased on expiry.
CREATE TABLE drafts (
    signer        TEXT NOT NULL,
    campaign      TEXT NOT NULL,
    step          TEXT NOT NULL CHECK (step IN ('name', 'role', 'org', 'public', 'preview')),
    name          TEXT,
    role          TEXT,
    organisation  TEXT,
    public        INTEGER,
    editing       INTEGER NOT NULL DEFAULT 0,    -- 1 when changing an existing signature
    message_id    INTEGER,                       -- the flow message edited in place
    last_update   INTEGER NOT NULL DEFAULT 0,    -- newest user message id handled (redelivery)
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (signer)
) WITHOUT ROWID;

CREATE TABLE subscriptions (
    campaign      TEXT NOT NULL,
    signer        TEXT NOT NULL,
    chat_id       INTEGER NOT NULL,              -- the one raw Telegram id we keep, by consent
    active        INTEGER NOT NULL DEFAULT 1,    -- 0 after Telegram said the bot was blocked
    PRIMARY KEY (campaign, signer)
) WITHOUT ROWID;

-- Where signers come from: groups the bot was used in and named links made by admins.
CREATE TABLE sources (
    code          TEXT PRIMARY KEY,              -- [A-Za-z0-9]{1,16}, part of the deep link
    kind          TEXT NOT NULL CHECK (kind IN ('group', 'named', 'inline')),
    label         TEXT NOT NULL,
    chat_id       INTEGER,                       -- the group, for kind = 'group'
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE source_visits (
    campaign      TEXT NOT NULL,
    source        TEXT NOT NULL,
    visits        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, source)
) WITHOUT ROWID;
