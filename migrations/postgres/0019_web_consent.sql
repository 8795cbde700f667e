-- The twin of migrations/0019_web_consent.sql: whether a signer agreed to appear on the
-- published site (see that file).
ALTER TABLE signatures ADD COLUMN web_consent BIGINT NOT NULL DEFAULT 0;
