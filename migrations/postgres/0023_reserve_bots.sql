-- The twin of migrations/0023_reserve_bots.sql: several official bots over one database (see
-- that file). Rows made before it say bot 0, adopted for the primary bot at the first start.
CREATE TABLE bots (
    id          BIGINT PRIMARY KEY,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('primary', 'active', 'dormant')),
    seen_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX bots_one_primary ON bots (role) WHERE role = 'primary';

ALTER TABLE drafts ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;

ALTER TABLE trail ADD COLUMN bot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE trail DROP CONSTRAINT trail_pkey;
ALTER TABLE trail ADD PRIMARY KEY (person, bot);

ALTER TABLE approvals DROP CONSTRAINT approvals_kind_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_kind_check
    CHECK (kind IN ('export', 'backup', 'broadcast', 'purge', 'unhide', 'bot_role'));
