-- A visitor's choices (language, automatic clean-up) live on their draft until they sign, so
-- that someone who never signed leaves nothing that outlives the draft (DRAFT_TTL_HOURS).
-- Signing moves them into `preferences` (bot/storage/drafts.py, take). A person with no draft
-- who makes a choice gets a draft row that holds only it: campaign '' and step 'visit'.
ALTER TABLE drafts ADD COLUMN language TEXT;
ALTER TABLE drafts ADD COLUMN auto_clean INTEGER NOT NULL DEFAULT 0;
