-- Campaigns edited from Telegram (bot.core.campaign_edits, bot.core.campaign_fields).
--
-- A translator's submission is audited under their own level: `translator` (TRANSLATOR_IDS),
-- with the same keyed hash as an organiser, never a Telegram id. SQLite cannot change a CHECK
-- in place: the table is made again with the same rows.
CREATE TABLE audit_log_v2 (
    id              INTEGER PRIMARY KEY,
    organiser       TEXT,                        -- HMAC-SHA256(signer key, "admin:" + id), hex
    legacy_admin_id INTEGER,                     -- rows from before 0005, until rekey_audit
    level           TEXT NOT NULL CHECK (level IN ('admin', 'moderator', 'translator')),
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',    -- never names or other personal data
    at              INTEGER NOT NULL,
    CHECK ((organiser IS NULL) <> (legacy_admin_id IS NULL))
);
INSERT INTO audit_log_v2 (id, organiser, legacy_admin_id, level, action, detail, at)
    SELECT id, organiser, legacy_admin_id, level, action, detail, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;

-- A language taken out of a campaign the database owns: its newest version gets `removed_at`,
-- so the campaign no longer has that text; every version stays, and so do the signatures that
-- confirmed one (each bound to its version, as exports and the PDF show). Sending the language
-- again adds a new version.
ALTER TABLE campaign_versions ADD COLUMN removed_at INTEGER;
