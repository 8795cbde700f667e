"""A Telegram bot that collects signatures for petitions and open letters."""
