-- Pseudonyms, version 3: every pseudonym derives from a slow base (argon2id of the old base,
-- bot/crypto.py), and subscriptions get a pseudonym of their own. Moving the rows needs the key,
-- so it is a data step (bot/core/upgrade.py) run in the background after the key is checked:
-- `legacy` marks each row still in the old form until it has moved. The data step of version 2
-- (bot/storage/keys.py) sets it on the rows it writes.
ALTER TABLE signatures ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
UPDATE signatures SET legacy = 1 WHERE seal IS NOT NULL;
CREATE INDEX signatures_legacy ON signatures (number) WHERE legacy = 1;
ALTER TABLE subscriptions ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
UPDATE subscriptions SET legacy = 1;
-- Broadcasts no longer join a subscription to its signature for a language: copy it over.
UPDATE subscriptions SET language = (
    SELECT sig.language FROM signatures sig
    WHERE sig.campaign = subscriptions.campaign AND sig.signer = subscriptions.signer
) WHERE language IS NULL;
