-- The twin of migrations/0024_translators_and_removed_languages.sql: translators in the audit
-- log, languages taken out of a campaign (see that file). PostgreSQL changes the CHECK in place.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_level_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_level_check
    CHECK (level IN ('admin', 'moderator', 'translator'));

ALTER TABLE campaign_versions ADD COLUMN removed_at BIGINT;
