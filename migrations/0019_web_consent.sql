-- The published site (bot.site) lists a public name on the open web only if its signer agreed
-- to that on the preview: a campaign with `web_signatories = true` says so before signing, and
-- the sign button carries that promise. Signatures made before (0) appear on the web only once
-- the organisers set `list_earlier_on_web = true` for the campaign, after telling the signers.
ALTER TABLE signatures ADD COLUMN web_consent INTEGER NOT NULL DEFAULT 0;
