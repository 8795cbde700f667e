-- The twin of migrations/0027_organiser_budgets.sql: organisers' hourly budgets.
CREATE TABLE organiser_budgets (
    organiser   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    times       TEXT NOT NULL,
    announced   BIGINT NOT NULL,
    newest      BIGINT NOT NULL,
    PRIMARY KEY (organiser, kind)
);
