-- A public signatory list inside the bot, with review, and groups that speak their own language.

-- Whether the signer agreed to be named in the bot's own list. Signatures made before the list
-- existed agreed only to the documents handed to the addressees (0): they appear in the bot
-- only once an organiser sets `list_earlier_signatures = true` for the campaign.
ALTER TABLE signatures ADD COLUMN list_consent INTEGER NOT NULL DEFAULT 0;
-- The organisers' review of a public name (bot.domain.signatories.Review): 'waiting',
-- 'approved' or 'hidden'. An edited name goes back to 'waiting' (a hidden one stays hidden);
-- a batch is approved only if it is still what its screen showed (bot.storage.signatories).
ALTER TABLE signatures ADD COLUMN review TEXT NOT NULL DEFAULT 'waiting'
    CHECK (review IN ('waiting', 'approved', 'hidden'));
CREATE INDEX signatures_public ON signatures (campaign, number)
    WHERE public = 1 AND name IS NOT NULL;

-- A group's language, set by its administrators with /language in the group. A group's chat id
-- is not a person's; nothing else about the group is kept here.
CREATE TABLE group_settings (
    chat_id       INTEGER PRIMARY KEY,
    language      TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);
