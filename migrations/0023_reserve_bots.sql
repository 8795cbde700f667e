-- Reserve bots (bot.core.bots): several official bots over one database. A person is one
-- signer on every bot (pseudonyms come from the Telegram id); what lives in one chat carries
-- the bot's numeric id from getMe, never its position in BOT_TOKENS or its token, so that
-- reordering the tokens or replacing a leaked one keeps it. Rows made before this version say
-- 0, "the bot that was running": the first start adopts them for the primary bot.
CREATE TABLE bots (
    id          INTEGER PRIMARY KEY,             -- getMe's id (the number before the token's colon)
    username    TEXT NOT NULL,                   -- as getMe said it last
    role        TEXT NOT NULL CHECK (role IN ('primary', 'active', 'dormant')),
    seen_at     INTEGER NOT NULL                 -- unix seconds of its last start
);
CREATE UNIQUE INDEX bots_one_primary ON bots (role) WHERE role = 'primary';

-- The flow message of a draft is in the chat with this bot.
ALTER TABLE drafts ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
-- A subscription's delivery route: the bot the person subscribed with; copied to each delivery.
ALTER TABLE subscriptions ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;
-- The bot whose chat holds the admin's progress message of a broadcast.
ALTER TABLE broadcasts ADD COLUMN bot INTEGER NOT NULL DEFAULT 0;

-- A conversation's trail is one per person and bot: each chat is deleted by its own bot.
CREATE TABLE trail_v2 (
    person        TEXT NOT NULL,
    bot           INTEGER NOT NULL DEFAULT 0,
    first_message INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    PRIMARY KEY (person, bot)
) WITHOUT ROWID;
INSERT INTO trail_v2 (person, bot, first_message, last_at)
    SELECT person, 0, first_message, last_at FROM trail;
DROP TABLE trail;
ALTER TABLE trail_v2 RENAME TO trail;

-- A change of a bot's role waits, with four eyes, for a second admin. SQLite cannot change a
-- CHECK in place: the table is made again with the same rows.
CREATE TABLE approvals_v2 (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL
                CHECK (kind IN ('export', 'backup', 'broadcast', 'purge', 'unhide', 'bot_role')),
    campaign    TEXT NOT NULL DEFAULT '',
    requester   TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('admin', 'moderator')),
    rows        INTEGER NOT NULL DEFAULT 0,
    params      TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'refused', 'expired')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
INSERT INTO approvals_v2 SELECT id, kind, campaign, requester, level, rows, params, status,
    created_at, expires_at FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_v2 RENAME TO approvals;
CREATE UNIQUE INDEX approvals_once ON approvals (requester, kind, campaign, params)
    WHERE status = 'pending';
