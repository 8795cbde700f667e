-- A phone that may be searched keeps no trace: to delete a conversation later, the bot keeps
-- where it began (message ids in a private chat are sequential), under the per-person
-- pseudonym and never with a Telegram id, only while Telegram lets a bot delete messages:
-- 48 hours after the last one. Erased when the clean-up ran, on /stop, and when it expires.
CREATE TABLE trail (
    person        TEXT PRIMARY KEY,
    first_message INTEGER NOT NULL,              -- the oldest message of the conversation
    last_at       INTEGER NOT NULL               -- unix seconds of a recent message in it
) WITHOUT ROWID;

-- The person's own choice: clean the chat up automatically after signing or withdrawing.
ALTER TABLE preferences ADD COLUMN auto_clean INTEGER NOT NULL DEFAULT 0;
