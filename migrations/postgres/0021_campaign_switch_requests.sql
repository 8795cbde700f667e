-- The twin of migrations/0021_campaign_switch_requests.sql: a `switch` row of campaign_drafts
-- waits for a second admin (see that file). PostgreSQL changes the CHECK in place.
ALTER TABLE campaign_drafts DROP CONSTRAINT campaign_drafts_kind_check;
ALTER TABLE campaign_drafts ADD CONSTRAINT campaign_drafts_kind_check
    CHECK (kind IN ('create', 'text', 'switch'));
