-- Public names are reviewed by default (`review_public_names` is on unless campaign.toml says
-- false). Under the old default a campaign listed its public names without review, so they sit
-- in 'waiting' although they are in the bot's list and the documents. SQL cannot read the
-- campaign files, so each campaign with signatures gets a mark here, and the bot's start
-- (bot.core.review.settle_upgrade), once the campaign is loaded, approves its waiting public
-- names unless its file turned review on itself (then they were never listed), and removes the
-- mark in the same transaction. A campaign not loaded keeps its mark until it is.
INSERT OR IGNORE INTO bot_state (key, value)
SELECT 'listed_without_review:' || campaign, '1' FROM counters;
