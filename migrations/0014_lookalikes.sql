-- Look-alike public names (bot.domain.lookalikes). `skeleton` is the confusable skeleton
-- (UTS #39) of a public name, NULL for a name that is not public: it is the name in another
-- form, so it lives and goes with the row (an edit rewrites it, erasure deletes the row).
-- `lookalike` = 1 when the name's skeleton matched another public name of the campaign as it was
-- signed or edited: such a name is listed only once an organiser approved it, with review on
-- or off. SQL cannot compute skeletons: the bot's start fills them for the public names signed
-- before this migration (bot.core.review_default.fill_skeletons) and removes the mark.
ALTER TABLE signatures ADD COLUMN skeleton TEXT;
ALTER TABLE signatures ADD COLUMN lookalike INTEGER NOT NULL DEFAULT 0;
CREATE INDEX signatures_skeleton ON signatures (campaign, skeleton) WHERE skeleton IS NOT NULL;
INSERT OR IGNORE INTO bot_state (key, value) VALUES ('skeletons_pending', '1');
