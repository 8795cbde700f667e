-- Signatures removed by organisers (/remove, /block) counted apart from those their signers
-- withdrew: /stats showed both as withdrawals. `withdrawals` still counts every erasure (backups
-- compare it); `removals` is the organisers' part of it. Removals before this migration are
-- counted from the audit log, as far back as it reaches, and never above `withdrawals`.
ALTER TABLE counters ADD COLUMN removals INTEGER NOT NULL DEFAULT 0;
UPDATE counters SET removals = MIN(withdrawals, (
    SELECT COUNT(*) FROM audit_log
    WHERE action IN ('remove', 'block') AND detail LIKE 'campaign=' || counters.campaign || ' %'
));
