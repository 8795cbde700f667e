-- Subscriptions unlinkable without the key: a subscriber's chat id is kept only sealed (encrypted
-- under a key-derived subkey with a fresh nonce, bot.domain.signatures.Pseudonyms.seal_chat), in
-- subscriptions and deliveries alike, and nothing is looked up by it any more. A delivery names
-- its subscription by the subscription's pseudonym (the broadcast gives the campaign). SQL cannot
-- encrypt, so the clear `chat_id` column stays only for the rows made before this migration: the
-- data step (bot.storage.keys.seal_clear_chats, run by bot.core.upgrade with the key) seals each
-- and sets it to NULL, then purges the journal. Pending deliveries keep their state and move with
-- it, so a broadcast sending across the upgrade reaches each person once.
CREATE TABLE deliveries_sealed (
    broadcast     INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    subscriber    TEXT NOT NULL,                 -- subscriptions.signer in the broadcast's campaign
    chat          TEXT,                          -- the sealed chat id
    chat_id       INTEGER,                       -- clear, only until the data step seals it
    language      TEXT,                          -- the signer's language, for the text to send
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (broadcast, subscriber)
) WITHOUT ROWID;
-- A delivery whose subscription is gone keeps a random stand-in, so it still sends once.
INSERT OR IGNORE INTO deliveries_sealed (broadcast, subscriber, chat_id, language, status)
SELECT d.broadcast, COALESCE(
    (SELECT s.signer FROM subscriptions s JOIN broadcasts b ON b.id = d.broadcast
     WHERE s.campaign = b.campaign AND s.chat_id = d.chat_id ORDER BY s.legacy LIMIT 1),
    'gone:' || lower(hex(randomblob(16)))
), d.chat_id, d.language, d.status
FROM deliveries d;
DROP TABLE deliveries;
ALTER TABLE deliveries_sealed RENAME TO deliveries;
CREATE INDEX deliveries_pending ON deliveries (broadcast, status);
CREATE INDEX deliveries_by_subscriber ON deliveries (subscriber);
CREATE TABLE subscriptions_sealed (
    campaign      TEXT NOT NULL,
    signer        TEXT NOT NULL,                 -- the subscription's own pseudonym
    chat          TEXT,                          -- the sealed chat id, by consent
    chat_id       INTEGER,                       -- clear, only until the data step seals it
    active        INTEGER NOT NULL DEFAULT 1,    -- 0 after Telegram said the bot was blocked
    language      TEXT,
    legacy        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, signer)
) WITHOUT ROWID;
INSERT INTO subscriptions_sealed (campaign, signer, chat_id, active, language, legacy)
SELECT campaign, signer, chat_id, active, language, legacy FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_sealed RENAME TO subscriptions;
