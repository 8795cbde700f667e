-- Admin tooling: an audit trail of every admin action, and broadcasts stored so that a restart
-- resumes them without messaging anyone twice. Delivery rows (raw chat ids) are deleted when a
-- broadcast finishes; the counts stay on the broadcast.

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    admin_id      INTEGER NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',      -- never names or other personal data
    at            INTEGER NOT NULL
);

-- An admin's goal ladder for a campaign ("100,500,1000"), replacing the campaign file's goals.
ALTER TABLE counters ADD COLUMN ladder_override TEXT;

CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    campaign      TEXT NOT NULL,
    admin_id      INTEGER NOT NULL,              -- 0 for the bot's own (milestone) notices
    html          TEXT NOT NULL,                 -- the text for languages without their own
    status        TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    kind          TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'milestone')),
    sent          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    progress_message INTEGER,                    -- the admin's progress message, edited in place
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
);

-- Per-language texts of a broadcast (milestone notices are rendered in every language).
CREATE TABLE broadcast_texts (
    broadcast     INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    language      TEXT NOT NULL,
    html          TEXT NOT NULL,
    PRIMARY KEY (broadcast, language)
) WITHOUT ROWID;

CREATE TABLE deliveries (
    broadcast     INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id       INTEGER NOT NULL,
    language      TEXT,                          -- the signer's language, for the text to send
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (broadcast, chat_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_pending ON deliveries (broadcast, status);
