-- Admin tooling: an audit trail of every admin action, and broadcasts stored so that a restart
-- resumes them without messaging anyone twice. Delivery rows (raw chat ids) are deleted when a
-- broadcast finishes; the counts stay on the broadcast.

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    admin_id      INTEGER NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    at            INTEGER NOT NULL
);

CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY,
    campaign      TEXT NOT NULL,
    admin_id      INTEGER NOT NULL,
    html          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    kind          TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'milestone')),
    sent          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER
);

CREATE TABLE deliveries (
    broadcast     INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    chat_id       INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (broadcast, chat_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_pending ON deliveries (broadcast, status);
