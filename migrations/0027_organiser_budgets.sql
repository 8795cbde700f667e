-- Organisers' hourly budgets (bot.domain.budgets), kept here so that every worker draws on the
-- same one: before, each worker counted its own, and N workers allowed N times the budget.
-- One row per organiser and kind: `organiser` is a keyed hash (never the Telegram id), `times`
-- the seconds of the actions admitted in the last hour, oldest first, space-separated, and
-- `newest` the last of them: a row whose newest left the hour is deleted by the next spend.
CREATE TABLE organiser_budgets (
    organiser   TEXT NOT NULL,
    kind        TEXT NOT NULL,                -- preview, destructive
    times       TEXT NOT NULL,
    announced   INTEGER NOT NULL,             -- 0/1: every admin was told it ran out
    newest      INTEGER NOT NULL,
    PRIMARY KEY (organiser, kind)
) WITHOUT ROWID;
