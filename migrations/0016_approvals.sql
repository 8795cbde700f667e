-- Four eyes (bot.domain.approvals): a request for an export with names, a backup, a broadcast,
-- a bulk removal or the unhiding of a name an admin hid waits here for a second admin. The
-- requester is the audit log's keyed hash, never a Telegram id; `params` never hold a name. A
-- decided or expired request is deleted (the audit log keeps the trail).
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('export', 'backup', 'broadcast', 'purge', 'unhide')),
    campaign    TEXT NOT NULL DEFAULT '',
    requester   TEXT NOT NULL,                   -- HMAC-SHA256(signer key, "admin:" + id), hex
    level       TEXT NOT NULL CHECK (level IN ('admin', 'moderator')),
    rows        INTEGER NOT NULL DEFAULT 0,
    params      TEXT NOT NULL DEFAULT '{}',      -- JSON: format, broadcast id, window, number
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'refused', 'expired')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
-- The same request asked twice (a redelivered update, a double tap) is one request.
CREATE UNIQUE INDEX approvals_once ON approvals (requester, kind, campaign, params)
    WHERE status = 'pending';

-- Who hid a name, by level: unhiding a name an admin hid needs a second admin. Names hidden
-- before this version count as hidden by an admin (nobody can tell any more).
ALTER TABLE signatures ADD COLUMN hidden_by TEXT CHECK (hidden_by IN ('admin', 'moderator'));
UPDATE signatures SET hidden_by = 'admin' WHERE review = 'hidden';
