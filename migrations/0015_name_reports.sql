-- "This is my name and I did not sign": a reader's report of an entry of the public list
-- (bot.core.reports). `reporter` is a keyed pseudonym of the reader for reports alone
-- (Pseudonyms.derive("report", …)): it makes a second report of the same entry by the same
-- reader a no-op and counts a reader's reports for the daily limit; moderators are never shown
-- it. A report goes with its signature (ON DELETE CASCADE), when the name is hidden, and after
-- REPORT_DAYS (bot.domain.reports), whichever comes first.
CREATE TABLE name_reports (
    number        INTEGER NOT NULL REFERENCES signatures (number) ON DELETE CASCADE,
    reporter      TEXT NOT NULL,
    campaign      TEXT NOT NULL,
    reported_at   INTEGER NOT NULL,
    PRIMARY KEY (number, reporter)
) WITHOUT ROWID;
CREATE INDEX name_reports_by_reporter ON name_reports (reporter, reported_at);
CREATE INDEX name_reports_by_campaign ON name_reports (campaign, number);
CREATE INDEX name_reports_by_time ON name_reports (reported_at);
