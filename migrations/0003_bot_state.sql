-- Small facts the bot remembers about itself, e.g. a hash of the command menus last sent to
-- Telegram, so a restart does not send them again when nothing changed.
CREATE TABLE bot_state (
    key           TEXT PRIMARY KEY,
    value         TEXT NOT NULL
) WITHOUT ROWID;
