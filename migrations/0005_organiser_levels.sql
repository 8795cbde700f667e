-- Organisers in the audit log: a keyed hash instead of the raw Telegram id, and the level they
-- acted with (ADMIN_IDS are admins, MODERATOR_IDS moderators). The hash needs the signer key,
-- which SQL does not have: older rows keep their raw id in `legacy_admin_id` until the data step
-- bot.storage.admin.rekey_audit replaces it. Every older row was an admin's: there were no
-- moderators before this version.

CREATE TABLE audit_log_v2 (
    id              INTEGER PRIMARY KEY,
    organiser       TEXT,                        -- HMAC-SHA256(signer key, "admin:" + id), hex
    legacy_admin_id INTEGER,                     -- rows from before 0005, until rekey_audit
    level           TEXT NOT NULL CHECK (level IN ('admin', 'moderator')),
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',    -- never names or other personal data
    at              INTEGER NOT NULL,
    CHECK ((organiser IS NULL) <> (legacy_admin_id IS NULL))
);
INSERT INTO audit_log_v2 (id, legacy_admin_id, level, action, detail, at)
    SELECT id, admin_id, 'admin', action, detail, at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;

-- A broadcast needs its admin's chat id only while it runs (to edit the progress message):
-- finished and cancelled ones forget it, as the bot now does when a broadcast ends.
UPDATE broadcasts SET admin_id = 0 WHERE status IN ('done', 'cancelled');
