"""Campaigns, signatures, goals and the rules a signature must meet. Nothing here knows Telegram."""
